//! `#[migration(reversible)]`: the down migration derived from the helpers of the up migration,
//! as Rails derives it from `change`.
//!
//! The body must be a sequence of helper calls (`helper!(m, ...)?;`), optionally ending with
//! `Ok(())`. Each helper has an inverse, run in reverse order: `add_column!` is undone by dropping
//! the column, `split_column!` by merging, `constrain!` by `unconstrain!`, and so on. A helper
//! that writes data (`backfill!`, `transform_rows!`, `update!`) is undone by nothing when the
//! column it writes is added by the same migration (dropping the column undoes it); otherwise
//! its old values are lost and the migration cannot be derived. Checks are skipped.

use super::call::{Inversion, not_derivable_message};
use super::{Helper, HelperKind};
use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};
use syn::{Expr, ItemFn, Stmt};

/// The derived down function and its name.
pub struct DerivedDown {
    pub function: TokenStream,
    pub name: syn::Ident,
}

/// Finds the helper call a statement makes, if it is one: `helper!(..)?;`, `helper!(..);`.
fn helper_call(stmt: &Stmt) -> Option<(&syn::Macro, &Stmt)> {
    let mac = match stmt {
        Stmt::Macro(m) => &m.mac,
        Stmt::Expr(Expr::Try(t), _) => match &*t.expr {
            Expr::Macro(m) => &m.mac,
            _ => return None,
        },
        Stmt::Expr(Expr::Macro(m), _) => &m.mac,
        _ => return None,
    };
    Some((mac, stmt))
}

/// Why a statement that is not a helper call has no inverse, for the error.
fn not_a_helper(stmt: &Stmt) -> &'static str {
    let call = match stmt {
        Stmt::Expr(Expr::Try(t), _) => &*t.expr,
        Stmt::Expr(expr, _) => expr,
        _ => return "this statement is not a helper call, so it has no known inverse",
    };
    match call {
        Expr::MethodCall(call) if call.method == "execute" => {
            "raw SQL (`execute`) has no known inverse"
        }
        Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) | Expr::If(_) | Expr::Match(_) => {
            "helpers must be called one after the other, not inside a loop or condition, for their inverses to be known"
        }
        _ => "this statement is not a helper call, so it has no known inverse",
    }
}

/// Whether the statement is the closing `Ok(())`.
fn is_ok_unit(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Expr(Expr::Call(call), None)
        if matches!(&*call.func, Expr::Path(p) if p.path.is_ident("Ok"))
            && call.args.len() == 1
            && matches!(&call.args[0], Expr::Tuple(t) if t.elems.is_empty()))
}

fn not_derivable(tokens: &dyn ToTokens, what: &str) -> syn::Error {
    syn::Error::new_spanned(tokens, not_derivable_message(what))
}

/// Derives the down function of `function`, or says which statement prevents it. `Ok(None)`
/// when a helper call does not parse: its own expansion reports that, once. `reversible` is the
/// attribute's key, for errors about the whole body.
pub fn derive(function: &ItemFn, reversible: &dyn ToTokens) -> syn::Result<Option<DerivedDown>> {
    let mut helpers: Vec<(Helper, &Stmt)> = Vec::new();
    let statements = &function.block.stmts;
    for (i, stmt) in statements.iter().enumerate() {
        if i + 1 == statements.len() && is_ok_unit(stmt) {
            continue;
        }
        let Some((mac, stmt)) = helper_call(stmt) else {
            return Err(not_derivable(stmt, not_a_helper(stmt)));
        };
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let Some(kind) = HelperKind::from_name(&name) else {
            return Err(not_derivable(
                &mac.path,
                &format!("`{name}!` is not a helper macro, so it has no known inverse"),
            ));
        };
        let Ok((_, helper)) = Helper::parse(kind, mac.tokens.clone()) else {
            return Ok(None);
        };
        helpers.push((helper, stmt));
    }
    if helpers.is_empty() {
        return Err(syn::Error::new_spanned(
            reversible,
            "`reversible` derives the down migration from helper macros, but this body calls none: use `down = function_name` or `irreversible`",
        ));
    }
    let mut added: Vec<(String, String)> = Vec::new();
    let mut inverses: Vec<Helper> = Vec::new();
    for (helper, stmt) in &helpers {
        let cx = Inversion {
            helper: helper.kind().name(),
            stmt,
            added: &added,
        };
        if let Some(inverse) = helper.inverse(&cx)? {
            inverses.push(inverse);
        }
        added.extend(helper.columns_added());
    }
    let handle: Expr = syn::parse_quote!(m);
    let calls = inverses.iter().rev().map(|h| h.expand(&handle));
    let name = format_ident!("__migrate_derived_down_{}", function.sig.ident);
    let function = quote! {
        #[doc(hidden)]
        fn #name(m: &mut ::migrate_core::Migration<'_>) -> ::migrate_core::Result<()> {
            #(#calls?;)*
            ::core::result::Result::Ok(())
        }
    };
    Ok(Some(DerivedDown { function, name }))
}
