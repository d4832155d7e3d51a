//! What every helper macro is: [`HelperCall`], implemented by the parsed arguments of each
//! helper in its own module, so that the table in [`super::table`] is the only list of helpers.

use super::Helper;
use proc_macro2::TokenStream;
use quote::quote;
use syn::{Expr, Stmt};

/// A parsed helper call.
pub trait HelperCall: syn::parse::Parse {
    /// Whether it commits batches of its own, outside the migration's transaction (which then
    /// needs `transaction = false`).
    const BATCHED: bool = false;

    /// The code of the call on the migration `handle`: an expression of type
    /// `migrate_core::Result<_>`.
    fn expand(&self, handle: &Expr) -> TokenStream;

    /// The `(table, column)`s it creates, so that later writes to them need no inverse.
    fn columns_added(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// The helper call that undoes it in a derived down migration (`None`: nothing to undo),
    /// or why it has none.
    fn inverse(&self, cx: &Inversion<'_>) -> syn::Result<Option<Helper>>;
}

/// What an inverse is derived in: the helper's statement and the columns the migration adds
/// before it.
pub struct Inversion<'a> {
    pub(super) helper: &'static str,
    pub(super) stmt: &'a Stmt,
    pub(super) added: &'a [(String, String)],
}

impl Inversion<'_> {
    /// Whether the migration adds `table.column` before this helper.
    pub fn is_added(&self, table: &str, column: &str) -> bool {
        self.added.iter().any(|(t, c)| t == table && c == column)
    }

    /// The error of a helper without an inverse, saying `what` is lost.
    pub fn not_derivable(&self, what: &str) -> syn::Error {
        syn::Error::new_spanned(self.stmt, not_derivable_message(what))
    }

    /// The inverse of a write to `table.column`: none if the migration adds the column (dropping
    /// it undoes the write), else an error.
    pub fn write_to(&self, table: &str, column: &str) -> syn::Result<Option<Helper>> {
        if self.is_added(table, column) {
            return Ok(None);
        }
        Err(self.not_derivable(&format!(
            "`{}!` overwrites `{table}.{column}`, which this migration does not add, so its old values cannot be restored",
            self.helper
        )))
    }
}

/// The message of an underivable down migration.
pub fn not_derivable_message(what: &str) -> String {
    format!(
        "`reversible` cannot derive the down migration: {what}; write the down function yourself and name it with `down = function_name`"
    )
}

/// The expansion of a helper made of planned steps: `steps` is an expression that gives the
/// steps of `__dialect`.
pub fn run_steps(handle: &Expr, steps: TokenStream) -> TokenStream {
    quote!(::migrate_core::__private::helpers::run(#handle, |__dialect| #steps))
}
