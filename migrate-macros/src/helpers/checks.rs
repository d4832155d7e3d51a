//! The safety checks of a data migration: `count_rows!`, `spot_check!` and `verify!`.

use super::Helper;
use super::call::{HelperCall, Inversion, run_steps};
use super::portable::Portable;
use super::syntax::{Name, expect, parse_options};
use super::tokens::{per_dialect, steps_per_dialect};
use migrate_sql::helpers::checks;
use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Token};

/// `count_rows!(m, table [, filter = condition])`: counts and reports; returns the count.
pub struct CountRows {
    pub table: Name,
    pub filter: Option<Portable>,
}

impl Parse for CountRows {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let table = super::syntax::parse_table(input, false)?;
        let mut filter = None;
        for option in parse_options(
            input,
            &[("filter", "a condition selecting the rows to count")],
        )? {
            filter = Some(Portable::parse(option.expr()?)?);
        }
        Ok(CountRows { table, filter })
    }
}

impl HelperCall for CountRows {
    fn inverse(&self, _: &Inversion<'_>) -> syn::Result<Option<Helper>> {
        Ok(None)
    }

    fn expand(&self, handle: &syn::Expr) -> TokenStream {
        let label = match &self.filter {
            Some(filter) => format!("`{}` rows where {}: {{n}}", self.table.text, filter.text()),
            None => format!("`{}` rows: {{n}}", self.table.text),
        };
        let sql = per_dialect(|dialect| {
            let filter = self.filter.as_ref().map(|f| f.sql(dialect)).transpose()?;
            let sql = checks::count(dialect, &self.table.text, filter.as_deref());
            Ok(quote!(::std::string::String::from(#sql)))
        });
        quote!(::migrate_core::__private::helpers::count_rows(#handle, #label, |__dialect| #sql))
    }
}

/// `spot_check!(m, table(columns...) [, limit = 5] [, filter = condition] [, key = id])`:
/// prints a few rows.
pub struct SpotCheck {
    pub table: Name,
    pub columns: Vec<Name>,
    pub limit: u64,
    pub filter: Option<Portable>,
    pub key: Name,
}

impl Parse for SpotCheck {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let table = super::syntax::parse_table(input, false)?;
        let content;
        syn::parenthesized!(content in input);
        let columns: Vec<Name> = content
            .parse_terminated(Name::parse, Token![,])?
            .into_iter()
            .collect();
        if columns.is_empty() {
            return Err(syn::Error::new(
                table.span,
                "name the columns to show, as in `spot_check!(m, users(id, first_name), limit = 5)`",
            ));
        }
        let mut check = SpotCheck {
            key: Name::new("id".into(), table.span),
            table,
            columns,
            limit: 5,
            filter: None,
        };
        for option in parse_options(
            input,
            &[
                ("limit", "how many rows to show"),
                ("filter", "a condition"),
                ("key", "the column rows are ordered by"),
            ],
        )? {
            match option.key.to_string().as_str() {
                "limit" => check.limit = option.integer(1)?,
                "filter" => check.filter = Some(Portable::parse(option.expr()?)?),
                _ => check.key = option.name()?,
            }
        }
        Ok(check)
    }
}

impl SpotCheck {
    fn steps(&self) -> TokenStream {
        let columns: Vec<String> = self.columns.iter().map(|c| c.text.clone()).collect();
        steps_per_dialect(|dialect| {
            let filter = self.filter.as_ref().map(|f| f.sql(dialect)).transpose()?;
            Ok(vec![checks::sample(
                dialect,
                &self.table.text,
                &self.key.text,
                &columns,
                filter.as_deref(),
                self.limit,
            )])
        })
    }
}

/// `verify!(m, table, condition, "what it means")`: fails, naming rows, unless every row
/// satisfies the condition.
pub struct Verify {
    pub table: Name,
    pub condition: Portable,
    pub message: LitStr,
    pub key: Name,
}

impl Parse for Verify {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let table = super::syntax::parse_table(input, false)?;
        // `verify!(m, is_not_null(status), ...)`: the condition came first, the table is missing.
        if input.peek(syn::token::Paren) {
            return Err(syn::Error::new(
                table.span,
                format!(
                    "`verify!` takes the table first, then the condition: `verify!(m, table, {}(...), \"what the condition means\")`",
                    table.text
                ),
            ));
        }
        input.parse::<Token![,]>()?;
        let condition = Portable::parse(&super::syntax::parse_expression(input)?)?;
        expect::<Token![,]>(
            input,
            "expected `, \"what the condition means\"` after the condition",
        )?;
        let message: LitStr = input.parse()?;
        let mut key = Name::new("id".into(), table.span);
        for option in parse_options(input, &[("key", "the integer primary key column")])? {
            key = option.name()?;
        }
        Ok(Verify {
            table,
            condition,
            message,
            key,
        })
    }
}

impl Verify {
    fn steps(&self) -> TokenStream {
        let text = self.condition.text();
        steps_per_dialect(|dialect| {
            let condition = self.condition.sql(dialect)?;
            Ok(vec![checks::verify(
                dialect,
                &self.table.text,
                &self.key.text,
                &condition,
                &self.message.value(),
                &text,
            )])
        })
    }
}

impl HelperCall for SpotCheck {
    fn expand(&self, handle: &syn::Expr) -> TokenStream {
        run_steps(handle, self.steps())
    }
    fn inverse(&self, _: &Inversion<'_>) -> syn::Result<Option<Helper>> {
        Ok(None)
    }
}

impl HelperCall for Verify {
    fn expand(&self, handle: &syn::Expr) -> TokenStream {
        run_steps(handle, self.steps())
    }
    fn inverse(&self, _: &Inversion<'_>) -> syn::Result<Option<Helper>> {
        Ok(None)
    }
}
