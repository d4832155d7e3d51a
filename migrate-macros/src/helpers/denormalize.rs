//! `denormalize!`: copy a value from a related table.

use super::Helper;
use super::call::{HelperCall, Inversion, run_steps};
use super::columns::DropColumn;
use super::syntax::{ColumnDecl, Name, TableColumn, expect, expect_keyword};
use super::tokens::steps_per_dialect;
use migrate_sql::helpers::denormalize::{self, Lookup};
use proc_macro2::TokenStream;
use syn::Token;
use syn::parse::{Parse, ParseStream};

/// `denormalize!(m, table.column TYPE [NOT NULL] = source.value on source.key = table.foreign_key)`.
pub struct Denormalize {
    pub table: Name,
    pub column: ColumnDecl,
    pub lookup: Lookup,
    pub key: Name,
}

impl Parse for Denormalize {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let usage = "denormalize!(m, orders.customer_name VARCHAR(100) NOT NULL = customers.name on customers.id = orders.customer_id)";
        let table = super::syntax::parse_table(input, true)?;
        expect::<Token![.]>(
            input,
            format!("expected `table.column TYPE`, as in `{usage}`"),
        )?;
        let column: ColumnDecl = input.parse()?;
        expect::<Token![=]>(
            input,
            format!("expected `= source_table.column`, as in `{usage}`"),
        )?;
        let source: TableColumn = input.parse()?;
        expect_keyword(
            input,
            "on",
            &format!("`on source.key = {}.foreign_key`", table.text),
        )?;
        let left: TableColumn = input.parse()?;
        input.parse::<Token![=]>()?;
        let right: TableColumn = input.parse()?;
        // Accept the two sides of the join in either order.
        let (source_side, target_side) = if left.table.text == source.table.text
            && right.table.text == table.text
        {
            (left, right)
        } else if right.table.text == source.table.text && left.table.text == table.text {
            (right, left)
        } else {
            // Point at the side that names neither table (or the right one, if both do).
            let known = |side: &TableColumn| {
                side.table.text == source.table.text || side.table.text == table.text
            };
            let wrong = if known(&left) { &right } else { &left };
            return Err(syn::Error::new(
                wrong.table.span,
                format!(
                    "the join compares a column of `{}` (where the value comes from) with a column of `{}`, as in `on {}.id = {}.<foreign key>`; found `{}.{}`",
                    source.table.text,
                    table.text,
                    source.table.text,
                    table.text,
                    wrong.table.text,
                    wrong.column.text
                ),
            ));
        };
        let key = super::key_option(input, &table)?;
        Ok(Denormalize {
            lookup: Lookup {
                source_table: source.table.text,
                source_column: source.column.text,
                source_key: source_side.column.text,
                foreign_key: target_side.column.text,
            },
            table,
            column,
            key,
        })
    }
}

impl Denormalize {
    fn steps(&self) -> TokenStream {
        let spec = self.column.spec();
        steps_per_dialect(|dialect| {
            Ok(denormalize::denormalize(
                dialect,
                &self.table.text,
                &self.key.text,
                &spec,
                &self.lookup,
            ))
        })
    }
}

impl HelperCall for Denormalize {
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
