//! Procedural macros of the migrate framework. Use them through `migrate_core`, which re-exports
//! them and documents them.
//!
//! Each macro is a one-line entry point that hands `proc_macro2` tokens to an `expand` function
//! returning `syn::Result`; errors become `compile_error!` tokens once, here.

use proc_macro::TokenStream;

mod checksum;
mod dialects;
mod diesel_embed;
mod display;
mod errors;
mod helpers;
mod migration;
mod sql_check;
mod sql_macro;
mod suggest;
mod unchecked;

/// Registers a function as a migration. See `migrate_core::migration` for the documentation.
#[proc_macro_attribute]
pub fn migration(args: TokenStream, item: TokenStream) -> TokenStream {
    migration::expand(args.into(), item.into()).into()
}

/// SQL written per dialect, checked at compile time. See `migrate_core::sql`.
#[proc_macro]
pub fn sql(input: TokenStream) -> TokenStream {
    sql_macro::expand(input.into())
        .unwrap_or_else(expression_errors)
        .into()
}

/// SQL that is not checked at compile time. See `migrate_core::unchecked`.
#[proc_macro]
pub fn unchecked(input: TokenStream) -> TokenStream {
    unchecked::expand(input.into())
        .unwrap_or_else(expression_errors)
        .into()
}

/// The errors of a macro called in expression position. Several `compile_error!`s side by side
/// are not an expression (rustc would add "macro expansion ignores `!` and any tokens following"
/// and more), so they go in one block.
fn expression_errors(error: syn::Error) -> proc_macro2::TokenStream {
    let errors = error.into_iter().map(|e| e.into_compile_error());
    quote::quote!({ #(#errors)* })
}

/// Embeds a Diesel migrations directory into the migration set. See
/// `migrate_core::embed_diesel_migrations`.
#[proc_macro]
pub fn embed_diesel_migrations(input: TokenStream) -> TokenStream {
    diesel_embed::expand(input.into())
        .unwrap_or_else(|e| e.into_compile_error())
        .into()
}

/// One `#[proc_macro]` per entry of the table of helpers.
macro_rules! helper_entry_points {
    ($($(#[$doc:meta])* $name:ident => $kind:ident($ty:ty);)*) => {$(
        $(#[$doc])*
        #[proc_macro]
        pub fn $name(input: TokenStream) -> TokenStream {
            helpers::expand(helpers::HelperKind::$kind, input.into())
                .unwrap_or_else(expression_errors)
                .into()
        }
    )*};
}

helpers::with_helpers!(helper_entry_points);

#[cfg(test)]
mod tests {
    use super::expression_errors;

    #[test]
    fn several_errors_in_expression_position_form_one_block() {
        let mut error = syn::Error::new(proc_macro2::Span::call_site(), "first");
        error.combine(syn::Error::new(proc_macro2::Span::call_site(), "second"));
        let block: syn::ExprBlock =
            syn::parse2(expression_errors(error)).expect("one block expression");
        assert_eq!(block.block.stmts.len(), 2);
    }
}
