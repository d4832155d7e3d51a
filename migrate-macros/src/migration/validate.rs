//! Checking the attribute's arguments against each other and the function's signature, and
//! collecting what the expansion needs.

use super::args::{DownSpec, Errors, MigrationArgs};
use super::{body, related, signature};
use crate::checksum::canonical_text;
use crate::dialects;
use crate::helpers::reversible;
use proc_macro2::Span;
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{Expr, ExprLit, ItemFn, Lit, LitInt, Path};

/// How the expansion reverts the migration.
pub enum DownPlan {
    Function(Path),
    Derived(reversible::DerivedDown),
    Irreversible,
}

/// Everything the expansion needs, validated.
pub struct MigrationPlan {
    pub id: u64,
    pub id_lit: LitInt,
    pub name: String,
    pub description: String,
    pub down: DownPlan,
    pub transactional: bool,
    pub checksum: String,
    /// The databases each `sql!` of the body runs on (see [`body::narrow_sql_macros`]).
    pub sql_macros: Vec<Vec<migrate_sql::Dialect>>,
    pub enabled: Vec<migrate_sql::Dialect>,
}

pub fn validate(args: MigrationArgs, function: &ItemFn) -> syn::Result<MigrationPlan> {
    let mut errors = Errors::default();
    signature::check(&function.sig, &mut errors);
    for attribute in function
        .attrs
        .iter()
        .filter(|a| related::is_migration_attribute(a))
    {
        errors.push(syn::Error::new_spanned(
            attribute,
            "#[migration] is written twice on this function, which would register it twice under two ids: remove one",
        ));
    }
    let dialects = dialects::enabled();
    let transactional = args.transaction.unwrap_or(true);
    let report = match body::handle_parameter(&function.sig) {
        Some(handle) => body::check_block(&function.block, handle, &dialects, transactional),
        None => body::BodyReport::default(),
    };
    for finding in &report.findings {
        errors.push(body::finding_error(finding));
    }
    let down_path = args.down.iter().find_map(|(spec, _)| match spec {
        DownSpec::Function(path) => Some(path),
        _ => None,
    });
    if let Some(path) = down_path
        && names_function(path, &function.sig.ident)
    {
        errors.push(syn::Error::new_spanned(
            path,
            format!(
                "`down` names this migration's own function: the down function undoes `{0}`, so it is another function, such as `fn revert_{0}(m: &mut Migration) -> Result<()>`",
                function.sig.ident.unraw()
            ),
        ));
    }
    // The file is read only when the migration runs another function.
    let runs_others = down_path.is_some() || !report.calls.is_empty();
    if runs_others && let Some(file) = related::SourceFile::current() {
        related::check(
            &file,
            function,
            down_path,
            &report,
            &dialects,
            transactional,
            &mut errors,
        );
    }

    // A missing key has no token of its own: point at the whole attribute.
    match (&args.id, args.down.as_slice()) {
        (None, []) => errors.push(syn::Error::new(
            Span::call_site(),
            "#[migration] needs an `id` and a way to revert, as in `#[migration(id = 5, down = function_name)]`: the id is a unique positive integer that fixes the order, and the migration is reverted by `down = function_name`, `reversible` (derived from the helpers) or `irreversible`",
        )),
        (None, _) => errors.push(syn::Error::new(
            Span::call_site(),
            "missing `id`: every migration needs a unique positive integer id that fixes its order, as in `#[migration(id = 5, irreversible)]`",
        )),
        (Some(_), []) => errors.push(syn::Error::new(
            Span::call_site(),
            "say how this migration is reverted: add `down = function_name`, `reversible` (derive it from the helpers) or `irreversible`",
        )),
        _ => {}
    }
    let down = match args.down.as_slice() {
        [] => None,
        [(spec, meta)] => Some((spec, meta)),
        [_, others @ ..] => {
            for (_, meta) in others {
                errors.push(syn::Error::new_spanned(
                    meta,
                    "give only one of `down = ...`, `reversible` and `irreversible`: remove this one or the first",
                ));
            }
            None
        }
    };
    let down = match down {
        Some((DownSpec::Function(path), _)) => Some(DownPlan::Function(path.clone())),
        Some((DownSpec::Irreversible, _)) => Some(DownPlan::Irreversible),
        Some((DownSpec::Derived, meta)) => match reversible::derive(function, meta) {
            Ok(Some(derived)) => Some(DownPlan::Derived(derived)),
            // A helper that does not parse reports its own error; the migration will not build.
            Ok(None) => Some(DownPlan::Irreversible),
            Err(error) => {
                errors.push(error);
                None
            }
        },
        None => None,
    };
    if transactional {
        body::check_no_batched_helpers(function, &mut errors);
    }
    let (Some((id, id_lit)), Some(down)) = (args.id, down) else {
        // Whatever is missing reported an error above.
        return Err(errors.into_error());
    };
    errors.finish()?;
    let name = match args.name {
        Some(name) => name.value(),
        // `fn r#type` is the migration `type`.
        None => function.sig.ident.unraw().to_string(),
    };
    Ok(MigrationPlan {
        id,
        id_lit,
        name,
        description: description(function),
        down,
        transactional,
        checksum: checksum(function, id, transactional),
        sql_macros: report.sql_macros,
        enabled: dialects,
    })
}

/// Whether `path` is `name` or `self::name`.
fn names_function(path: &Path, name: &syn::Ident) -> bool {
    let segments: Vec<&syn::Ident> = path.segments.iter().map(|s| &s.ident).collect();
    match segments.as_slice() {
        [only] => *only == name,
        [first, only] => *first == "self" && *only == name,
        _ => false,
    }
}

/// The first paragraph of the doc comment, lines joined with spaces.
fn description(function: &ItemFn) -> String {
    let mut lines = Vec::new();
    for attr in &function.attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) = &nv.value
        {
            lines.push(s.value().trim().to_owned());
        }
    }
    lines
        .split(|line| line.is_empty())
        .find(|paragraph| !paragraph.is_empty())
        .map(|paragraph| paragraph.join(" "))
        .unwrap_or_default()
}

/// The checksum of the function without its doc comment (editing the description is not editing
/// the migration), plus the arguments that change what runs.
fn checksum(function: &ItemFn, id: u64, transactional: bool) -> String {
    let mut without_docs = function.clone();
    without_docs
        .attrs
        .retain(|attr| !attr.path().is_ident("doc"));
    let mut text = format!("id={id} transaction={transactional} ");
    canonical_text(without_docs.into_token_stream(), &mut text);
    migrate_sql::Checksum::of(text.as_bytes()).to_string()
}
