//! Generating the function's registration.

use super::validate::{DownPlan, MigrationPlan};
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::ItemFn;
use syn::spanned::Spanned;

pub fn expand(plan: &MigrationPlan, function: &ItemFn) -> TokenStream {
    let function_name = &function.sig.ident;
    let MigrationPlan {
        id,
        id_lit,
        name,
        description,
        transactional,
        checksum,
        ..
    } = plan;
    // The functions are named once each, in a constant of the runtime's function-pointer type
    // spanned at the user's name: a function of the wrong signature gets one plain "expected fn
    // pointer, found fn item" at that name, not an error inside the descriptor's construction.
    let migration_fn = quote!(::migrate_core::__private::MigrationFn);
    let up = quote_spanned! {function_name.span()=>
        const __UP: #migration_fn = #function_name;
    };
    let (down_fn, down) = match &plan.down {
        DownPlan::Function(path) => (
            quote_spanned! {path.span()=>
                const __DOWN: #migration_fn = #path;
            },
            quote!(::migrate_core::__private::Down::Function(__DOWN)),
        ),
        DownPlan::Derived(derived) => {
            let name = &derived.name;
            (
                TokenStream::new(),
                quote!(::migrate_core::__private::Down::Function(#name)),
            )
        }
        DownPlan::Irreversible => (
            TokenStream::new(),
            quote!(::migrate_core::__private::Down::Irreversible),
        ),
    };
    let derived_down = match &plan.down {
        DownPlan::Derived(derived) => derived.function.clone(),
        _ => TokenStream::new(),
    };
    let line = quote_spanned!(function_name.span()=> ::core::line!());
    // Two migrations with one id in one module define this constant twice, which rustc reports
    // at both ids; ids across modules are checked when the registry is built.
    let unique_id = format_ident!(
        "MIGRATION_ID_{}_IS_USED_TWICE_IN_THIS_MODULE",
        id,
        span = id_lit.span()
    );
    let unique_id = quote_spanned! {id_lit.span()=>
        #[doc(hidden)]
        #[allow(dead_code)]
        const #unique_id: () = ();
    };
    // `sql!` under a dialect condition needs only the arms of the databases it runs on.
    let mut function = function.clone();
    let narrowed = super::body::narrow_sql_macros(
        function.block.to_token_stream(),
        &plan.sql_macros,
        &plan.enabled,
    );
    if let Ok(block) = syn::parse2(narrowed) {
        *function.block = block;
    }
    quote! {
        #function

        #derived_down

        #unique_id

        const _: () = {
            #up
            #down_fn
            ::migrate_core::__private::inventory::submit! {
                ::migrate_core::__private::MigrationDescriptor::__new(
                    #id,
                    #name,
                    #description,
                    __UP,
                    #down,
                    #transactional,
                    #checksum,
                    ::core::module_path!(),
                    ::core::file!(),
                    #line,
                )
            }
        };
    }
}
