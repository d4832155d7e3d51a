//! `#[migration(...)]`: parse the attribute and the function, validate them, expand to the
//! function plus its registration.

mod args;
mod expand;
mod validate;

pub use args::MigrationArgs;

use proc_macro2::TokenStream;
use quote::ToTokens;

/// Expands `#[migration(args)] item`. On error the user's item is still emitted next to the
/// `compile_error!`, so the only error the user sees is the real one (not "function not found").
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let function = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Fn(function)) => function,
        Ok(other) => {
            let error = validate::not_a_function(&other);
            return with_error(item, error);
        }
        Err(_) => {
            // Not even an item: let rustc report the syntax error on the user's tokens.
            return item;
        }
    };
    let parsed = syn::parse::Parser::parse2(MigrationArgs::parse_attribute, args);
    let checked = parsed.and_then(|args| {
        let plan = validate::validate(args, &function)?;
        Ok(expand::expand(&plan, &function))
    });
    match checked {
        Ok(tokens) => tokens,
        Err(error) => with_error(function.into_token_stream(), error),
    }
}

fn with_error(item: TokenStream, error: syn::Error) -> TokenStream {
    let mut tokens = item;
    tokens.extend(error.into_compile_error());
    tokens
}
