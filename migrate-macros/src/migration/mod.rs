//! `#[migration(...)]`: parse the attribute and the function, validate them, expand to the
//! function plus its registration.

mod args;
mod body;
mod expand;
mod related;
mod signature;
mod validate;

#[cfg(test)]
mod tests;

pub use args::MigrationArgs;

use proc_macro2::TokenStream;
use quote::ToTokens;

/// Expands `#[migration(args)] item`. On error the user's item is still emitted next to the
/// `compile_error!`, so the only error the user sees is the real one (not "function not found").
pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let function = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Fn(function)) => function,
        Ok(other) => {
            let error = signature::not_a_function(&other);
            return with_error(item, error);
        }
        Err(_) => {
            // Not even an item: let rustc report the syntax error on the user's tokens.
            return item;
        }
    };
    let checked = match syn::parse::Parser::parse2(MigrationArgs::parse_attribute, args) {
        Ok(args) => {
            validate::validate(args, &function).map(|plan| expand::expand(&plan, &function))
        }
        // The attribute's problems, then the function's: all are reported at once.
        Err(mut error) => {
            let mut errors = args::Errors::default();
            signature::check(&function.sig, &mut errors);
            if let Err(signature_errors) = errors.finish() {
                error.combine(signature_errors);
            }
            Err(error)
        }
    };
    match checked {
        Ok(tokens) => tokens,
        Err(error) => with_error(recovered(function).into_token_stream(), error),
    }
}

/// The function as emitted next to an error: without the qualifiers the error already rejects,
/// whose own consequences (an `async fn`'s elided lifetimes, a `const fn` calling `execute`, an
/// `extern "C" fn` returning `Result`) would only add errors and warnings about the same thing.
fn recovered(mut function: syn::ItemFn) -> syn::ItemFn {
    function.sig.asyncness = None;
    function.sig.constness = None;
    function.sig.abi = None;
    // A second `#[migration]` (an error already) would register the function again.
    function
        .attrs
        .retain(|attribute| !related::is_migration_attribute(attribute));
    function
}

fn with_error(item: TokenStream, error: syn::Error) -> TokenStream {
    let mut tokens = item;
    tokens.extend(error.into_compile_error());
    tokens
}
