//! A portable expression inside a helper, translated for every dialect.

use super::expr::parse_expr;
use crate::dialects;
use migrate_sql::Dialect;
use migrate_sql::expr::Expr;
use quote::ToTokens;

/// An expression of the portable syntax, checked for every enabled dialect.
#[derive(Clone)]
pub struct Portable {
    pub expr: Expr,
    /// The expression as written, for inverse helpers and messages.
    pub source: syn::Expr,
}

impl Portable {
    pub fn parse(source: &syn::Expr) -> syn::Result<Portable> {
        let expr = parse_expr(source, &dialects::enabled())?;
        Ok(Portable {
            expr,
            source: source.clone(),
        })
    }

    /// The SQL of `dialect`, or why there is none.
    pub fn sql(&self, dialect: Dialect) -> Result<String, String> {
        self.expr.render(dialect).map_err(|e| e.to_string())
    }

    /// The expression as the user wrote it.
    pub fn text(&self) -> String {
        self.source.to_token_stream().to_string()
    }
}
