//! `add_column!`, `drop_column!`, `rename_column!` and `update!`.

use super::Helper;
use super::call::{HelperCall, Inversion, run_steps};
use super::portable::Portable;
use super::syntax::{ColumnDecl, Name, TableColumn, expect, parse_options};
use super::tokens::steps_per_dialect;
use migrate_sql::helpers::columns;
use proc_macro2::TokenStream;
use syn::Token;
use syn::parse::{Parse, ParseStream};

/// `add_column!(m, table.column TYPE [NOT NULL] [= value] [, key = id])`.
pub struct AddColumn {
    pub table: Name,
    pub column: ColumnDecl,
    pub value: Option<Portable>,
    pub key: Name,
}

impl Parse for AddColumn {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let table = super::syntax::parse_table(input, true)?;
        expect::<Token![.]>(
            input,
            "expected `table.column TYPE`, as in `users.created_year INTEGER NOT NULL = year(created_at)`",
        )?;
        let column: ColumnDecl = input.parse()?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(Portable::parse(&super::syntax::parse_expression(input)?)?)
        } else {
            None
        };
        if column.not_null && value.is_none() {
            return Err(syn::Error::new(
                column.name.span,
                format!(
                    "`{}` is NOT NULL, so existing rows need a value: add `= <expression>` (or add it nullable, fill it, then `constrain!` it)",
                    column.name.text
                ),
            ));
        }
        let key = super::key_option(input, &table)?;
        Ok(AddColumn {
            table,
            column,
            value,
            key,
        })
    }
}

impl AddColumn {
    fn steps(&self) -> TokenStream {
        let spec = self.column.spec();
        steps_per_dialect(|dialect| {
            let value = self.value.as_ref().map(|v| v.sql(dialect)).transpose()?;
            Ok(columns::add_column(
                dialect,
                &self.table.text,
                &self.key.text,
                &spec,
                value.as_deref(),
            ))
        })
    }
}

/// `drop_column!(m, table.column)`.
pub struct DropColumn {
    pub target: TableColumn,
}

impl Parse for DropColumn {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let target = input.parse()?;
        parse_options(input, &[])?;
        Ok(DropColumn { target })
    }
}

impl DropColumn {
    fn steps(&self) -> TokenStream {
        steps_per_dialect(|dialect| {
            Ok(columns::drop_column(
                dialect,
                &self.target.table.text,
                &self.target.column.text,
            ))
        })
    }
}

/// `rename_column!(m, table.old => new)`.
pub struct RenameColumn {
    pub target: TableColumn,
    pub to: Name,
}

impl Parse for RenameColumn {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let target: TableColumn = input.parse()?;
        expect::<Token![=>]>(
            input,
            "expected `=> new_name`, as in `rename_column!(m, users.full_name => name)`",
        )?;
        let to = input.parse()?;
        parse_options(input, &[])?;
        Ok(RenameColumn { target, to })
    }
}

impl RenameColumn {
    fn steps(&self) -> TokenStream {
        steps_per_dialect(|dialect| {
            Ok(columns::rename_column(
                dialect,
                &self.target.table.text,
                &self.target.column.text,
                &self.to.text,
            ))
        })
    }
}

/// `update!(m, table.column = value [, filter = condition] [, key = id])`: one set-based UPDATE
/// (keyset batches when the migration runs online).
pub struct Update {
    pub target: TableColumn,
    pub value: Portable,
    pub filter: Option<Portable>,
    pub key: Name,
}

impl Parse for Update {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let target: TableColumn = input.parse()?;
        expect::<Token![=]>(
            input,
            "expected `= <expression>`, as in `update!(m, orders.status = \"new\")`",
        )?;
        let value = Portable::parse(&super::syntax::parse_expression(input)?)?;
        let mut filter = None;
        let mut key = Name::new("id".into(), target.table.span);
        for option in parse_options(
            input,
            &[
                ("filter", "a condition"),
                (
                    "key",
                    "a unique NOT NULL key to walk the table by when the migration runs online, instead of its primary key",
                ),
            ],
        )? {
            match option.key.to_string().as_str() {
                "key" => key = option.name()?,
                _ => filter = Some(Portable::parse(option.expr()?)?),
            }
        }
        Ok(Update {
            target,
            value,
            filter,
            key,
        })
    }
}

impl Update {
    fn steps(&self) -> TokenStream {
        steps_per_dialect(|dialect| {
            let value = self.value.sql(dialect)?;
            let filter = self.filter.as_ref().map(|f| f.sql(dialect)).transpose()?;
            Ok(columns::update(
                dialect,
                &self.target.table.text,
                &self.key.text,
                &self.target.column.text,
                &value,
                filter.as_deref(),
            ))
        })
    }
}

impl DropColumn {
    /// The inverse of a helper that adds `table.column`: dropping it.
    pub(super) fn of_added(table: &Name, column: &Name) -> Helper {
        Helper::DropColumn(DropColumn {
            target: TableColumn {
                table: table.clone(),
                column: column.clone(),
            },
        })
    }
}

impl HelperCall for AddColumn {
    fn expand(&self, handle: &syn::Expr) -> TokenStream {
        run_steps(handle, self.steps())
    }
    fn columns_added(&self) -> Vec<(String, String)> {
        vec![(self.table.text.clone(), self.column.name.text.clone())]
    }
    fn inverse(&self, _: &Inversion<'_>) -> syn::Result<Option<Helper>> {
        Ok(Some(DropColumn::of_added(&self.table, &self.column.name)))
    }
}

impl HelperCall for DropColumn {
    fn expand(&self, handle: &syn::Expr) -> TokenStream {
        run_steps(handle, self.steps())
    }
    fn inverse(&self, cx: &Inversion<'_>) -> syn::Result<Option<Helper>> {
        Err(cx.not_derivable(&format!(
            "`drop_column!` deletes `{}.{}` and its data, which nothing can restore",
            self.target.table.text, self.target.column.text
        )))
    }
}

impl HelperCall for RenameColumn {
    fn expand(&self, handle: &syn::Expr) -> TokenStream {
        run_steps(handle, self.steps())
    }
    fn columns_added(&self) -> Vec<(String, String)> {
        vec![(self.target.table.text.clone(), self.to.text.clone())]
    }
    fn inverse(&self, _: &Inversion<'_>) -> syn::Result<Option<Helper>> {
        Ok(Some(Helper::RenameColumn(RenameColumn {
            target: TableColumn {
                table: self.target.table.clone(),
                column: self.to.clone(),
            },
            to: self.target.column.clone(),
        })))
    }
}

impl HelperCall for Update {
    fn expand(&self, handle: &syn::Expr) -> TokenStream {
        run_steps(handle, self.steps())
    }
    fn inverse(&self, cx: &Inversion<'_>) -> syn::Result<Option<Helper>> {
        cx.write_to(&self.target.table.text, &self.target.column.text)
    }
}
