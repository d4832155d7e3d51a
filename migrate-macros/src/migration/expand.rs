//! Generating the function's registration.

use super::validate::{DownPlan, MigrationPlan};
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
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
    let down = match &plan.down {
        // Spanned at the path so a function of the wrong signature is reported there.
        DownPlan::Function(path) => quote_spanned! {path.span()=>
            ::migrate_core::__private::Down::Function(#path)
        },
        DownPlan::Derived(derived) => {
            let name = &derived.name;
            quote!(::migrate_core::__private::Down::Function(#name))
        }
        DownPlan::Irreversible => quote!(::migrate_core::__private::Down::Irreversible),
    };
    let derived_down = match &plan.down {
        DownPlan::Derived(derived) => derived.function.clone(),
        _ => TokenStream::new(),
    };
    let line = quote_spanned!(function_name.span()=> ::core::line!());
    // Two migrations with one id in one module define this constant twice, which rustc reports
    // at both places; ids across modules are checked when the registry is built.
    let unique_id = format_ident!(
        "MIGRATION_ID_{}_IS_USED_TWICE_IN_THIS_MODULE",
        id,
        span = id_lit.span()
    );
    quote! {
        #function

        #derived_down

        #[doc(hidden)]
        #[allow(dead_code)]
        const #unique_id: () = ();

        const _: () = {
            ::migrate_core::__private::inventory::submit! {
                ::migrate_core::__private::MigrationDescriptor::__new(
                    #id,
                    #name,
                    #description,
                    #function_name,
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
