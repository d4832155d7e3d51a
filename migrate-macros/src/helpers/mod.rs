//! The data-migration helper macros: parsing each helper's arguments, generating its SQL for
//! every dialect at compile time, and deriving inverses for `#[migration(reversible)]`.

mod batched;
mod checks;
mod columns;
mod constrain;
mod denormalize;
pub mod expr;
mod portable;
pub mod reversible;
mod split;
mod syntax;
mod tokens;

#[cfg(test)]
mod tests;

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{ParseStream, Parser};
use syntax::{Name, parse_handle, parse_options};

/// The helper macros, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelperKind {
    AddColumn,
    DropColumn,
    RenameColumn,
    Update,
    SplitColumn,
    MergeColumns,
    Denormalize,
    Constrain,
    Unconstrain,
    Backfill,
    TransformRows,
    CountRows,
    SpotCheck,
    Verify,
}

impl HelperKind {
    const ALL: [HelperKind; 14] = [
        HelperKind::AddColumn,
        HelperKind::DropColumn,
        HelperKind::RenameColumn,
        HelperKind::Update,
        HelperKind::SplitColumn,
        HelperKind::MergeColumns,
        HelperKind::Denormalize,
        HelperKind::Constrain,
        HelperKind::Unconstrain,
        HelperKind::Backfill,
        HelperKind::TransformRows,
        HelperKind::CountRows,
        HelperKind::SpotCheck,
        HelperKind::Verify,
    ];

    pub fn name(self) -> &'static str {
        match self {
            HelperKind::AddColumn => "add_column",
            HelperKind::DropColumn => "drop_column",
            HelperKind::RenameColumn => "rename_column",
            HelperKind::Update => "update",
            HelperKind::SplitColumn => "split_column",
            HelperKind::MergeColumns => "merge_columns",
            HelperKind::Denormalize => "denormalize",
            HelperKind::Constrain => "constrain",
            HelperKind::Unconstrain => "unconstrain",
            HelperKind::Backfill => "backfill",
            HelperKind::TransformRows => "transform_rows",
            HelperKind::CountRows => "count_rows",
            HelperKind::SpotCheck => "spot_check",
            HelperKind::Verify => "verify",
        }
    }

    /// The helper called `name` (the last segment of a macro path).
    pub fn from_name(name: &str) -> Option<HelperKind> {
        HelperKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether it commits in batches of its own, outside the migration's transaction.
    pub fn is_batched(self) -> bool {
        matches!(self, HelperKind::Backfill | HelperKind::TransformRows)
    }
}

/// A parsed helper call.
pub enum Helper {
    AddColumn(columns::AddColumn),
    DropColumn(columns::DropColumn),
    RenameColumn(columns::RenameColumn),
    Update(columns::Update),
    SplitColumn(split::Split),
    MergeColumns(split::Merge),
    Denormalize(denormalize::Denormalize),
    Constrain(constrain::Constrain),
    Unconstrain(constrain::Constrain),
    Backfill(batched::Backfill),
    TransformRows(batched::Transform),
    CountRows(checks::CountRows),
    SpotCheck(checks::SpotCheck),
    Verify(checks::Verify),
}

impl Helper {
    /// Parses the arguments of helper `kind` (after the handle).
    fn parse_args(kind: HelperKind, input: ParseStream) -> syn::Result<Helper> {
        Ok(match kind {
            HelperKind::AddColumn => Helper::AddColumn(input.parse()?),
            HelperKind::DropColumn => Helper::DropColumn(input.parse()?),
            HelperKind::RenameColumn => Helper::RenameColumn(input.parse()?),
            HelperKind::Update => Helper::Update(input.parse()?),
            HelperKind::SplitColumn => Helper::SplitColumn(input.parse()?),
            HelperKind::MergeColumns => Helper::MergeColumns(input.parse()?),
            HelperKind::Denormalize => Helper::Denormalize(input.parse()?),
            HelperKind::Constrain => Helper::Constrain(input.parse()?),
            HelperKind::Unconstrain => Helper::Unconstrain(input.parse()?),
            HelperKind::Backfill => Helper::Backfill(input.parse()?),
            HelperKind::TransformRows => Helper::TransformRows(input.parse()?),
            HelperKind::CountRows => Helper::CountRows(input.parse()?),
            HelperKind::SpotCheck => Helper::SpotCheck(input.parse()?),
            HelperKind::Verify => Helper::Verify(input.parse()?),
        })
    }

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

    /// The code of the call: an expression of type `migrate_core::Result<_>`.
    pub fn expand(&self, handle: &syn::Expr) -> TokenStream {
        let steps =
            |steps: TokenStream| quote!(::migrate_core::helpers::run(#handle, |__dialect| #steps));
        match self {
            Helper::AddColumn(h) => steps(h.expand()),
            Helper::DropColumn(h) => steps(h.expand()),
            Helper::RenameColumn(h) => steps(h.expand()),
            Helper::Update(h) => steps(h.expand()),
            Helper::SplitColumn(h) => steps(h.expand()),
            Helper::MergeColumns(h) => steps(h.expand()),
            Helper::Denormalize(h) => steps(h.expand()),
            Helper::Constrain(h) => steps(h.expand_add()),
            Helper::Unconstrain(h) => steps(h.expand_remove()),
            Helper::SpotCheck(h) => steps(h.expand()),
            Helper::Verify(h) => steps(h.expand()),
            Helper::Backfill(h) => h.expand(handle),
            Helper::TransformRows(h) => h.expand(handle),
            Helper::CountRows(h) => h.expand(handle),
        }
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
