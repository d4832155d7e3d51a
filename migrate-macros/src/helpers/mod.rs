//! The data-migration helper macros: parsing each helper's arguments, generating its SQL for
//! every dialect at compile time, and deriving inverses for `#[migration(reversible)]`.

mod batched;
mod call;
mod checks;
mod columns;
mod constrain;
mod denormalize;
pub mod expr;
mod portable;
pub mod reversible;
mod split;
mod syntax;
mod table;
mod tokens;

#[cfg(test)]
mod tests;

pub(crate) use table::with_helpers;

use call::{HelperCall, Inversion};
use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syntax::{Name, parse_handle, parse_options};

/// Defines, from the table of helpers, [`HelperKind`] (which helper a macro name is) and
/// [`Helper`] (a parsed call), with their dispatch to each helper's [`HelperCall`].
macro_rules! define_helpers {
    ($($(#[$doc:meta])* $name:ident => $kind:ident($ty:ty);)*) => {
        /// The helper macros, by name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum HelperKind {
            $($kind,)*
        }

        impl HelperKind {
            const ALL: &[HelperKind] = &[$(HelperKind::$kind,)*];

            /// The macro's name.
            pub fn name(self) -> &'static str {
                match self {
                    $(HelperKind::$kind => stringify!($name),)*
                }
            }

            /// Whether it commits in batches of its own, outside the migration's transaction.
            pub fn is_batched(self) -> bool {
                match self {
                    $(HelperKind::$kind => <$ty as HelperCall>::BATCHED,)*
                }
            }
        }

        /// A parsed helper call.
        pub enum Helper {
            $($kind($ty),)*
        }

        impl Helper {
            /// Parses the arguments of helper `kind` (after the handle).
            fn parse_args(kind: HelperKind, input: ParseStream) -> syn::Result<Helper> {
                Ok(match kind {
                    $(HelperKind::$kind => Helper::$kind(input.parse()?),)*
                })
            }

            /// Which helper it is.
            pub fn kind(&self) -> HelperKind {
                match self {
                    $(Helper::$kind(_) => HelperKind::$kind,)*
                }
            }

            /// The code of the call: an expression of type `migrate_core::Result<_>`.
            pub fn expand(&self, handle: &syn::Expr) -> TokenStream {
                match self {
                    $(Helper::$kind(h) => h.expand(handle),)*
                }
            }

            /// The `(table, column)`s the call creates.
            pub fn columns_added(&self) -> Vec<(String, String)> {
                match self {
                    $(Helper::$kind(h) => h.columns_added(),)*
                }
            }

            /// The call that undoes it, or why there is none.
            pub fn inverse(&self, cx: &Inversion<'_>) -> syn::Result<Option<Helper>> {
                match self {
                    $(Helper::$kind(h) => h.inverse(cx),)*
                }
            }
        }
    };
}

with_helpers!(define_helpers);

impl HelperKind {
    /// The helper called `name` (the last segment of a macro path).
    pub fn from_name(name: &str) -> Option<HelperKind> {
        HelperKind::ALL.iter().copied().find(|k| k.name() == name)
    }
}

impl Helper {
    /// Parses a whole invocation: the handle, then the helper's arguments.
    pub fn parse(kind: HelperKind, tokens: TokenStream) -> syn::Result<(syn::Expr, Helper)> {
        let parser = |input: ParseStream| {
            let handle = parse_handle(input, kind.name())?;
            let helper = Helper::parse_args(kind, input)?;
            if !input.is_empty() {
                return Err(input.error(format!(
                    "unexpected tokens at the end of `{}!`",
                    kind.name()
                )));
            }
            Ok((handle, helper))
        };
        parser.parse2(tokens)
    }
}

/// Expands helper `kind` called with `input`.
pub fn expand(kind: HelperKind, input: TokenStream) -> syn::Result<TokenStream> {
    let (handle, helper) = Helper::parse(kind, input)?;
    Ok(helper.expand(&handle))
}

/// The trailing `, key = column` option of helpers that name sample rows by key.
pub(crate) fn key_option(input: ParseStream, table: &Name) -> syn::Result<Name> {
    let mut key = Name::new("id".into(), table.span);
    for option in parse_options(
        input,
        &[("key", "the integer primary key column, `id` by default")],
    )? {
        key = option.name()?;
    }
    Ok(key)
}
