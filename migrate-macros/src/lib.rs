//! Procedural macros of the migrate framework. Use them through `migrate_core`, which re-exports
//! them and documents them.
//!
//! Each macro is a one-line entry point that hands `proc_macro2` tokens to an `expand` function
//! returning `syn::Result`; errors become `compile_error!` tokens once, here.

use proc_macro::TokenStream;

mod checksum;
mod dialects;
mod migration;
mod sql_check;
mod sql_macro;

/// Registers a function as a migration. See `migrate_core::migration` for the documentation.
#[proc_macro_attribute]
pub fn migration(args: TokenStream, item: TokenStream) -> TokenStream {
    migration::expand(args.into(), item.into()).into()
}

/// SQL written per dialect, checked at compile time. See `migrate_core::sql`.
#[proc_macro]
pub fn sql(input: TokenStream) -> TokenStream {
    sql_macro::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
