//! `constrain!` and `unconstrain!`.

use super::Helper;
use super::call::{HelperCall, Inversion, run_steps};
use super::portable::Portable;
use super::syntax::{Name, expect_keyword, parse_not_null, peek_keyword};
use super::tokens::steps_per_dialect;
use migrate_sql::helpers::constrain::{self, Constraint};
use proc_macro2::TokenStream;
use syn::Token;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};

/// The constraint of `constrain!` / `unconstrain!`, as written.
pub struct Constrain {
    pub table: Name,
    pub constraint: Constraint,
    pub condition: Option<Portable>,
    pub key: Name,
}

const USAGE: &str = "one of `users.score NOT NULL`, `orders CHECK name (total_cents >= 0)`, `users UNIQUE name (email)`, `orders FOREIGN KEY name (customer_id) REFERENCES customers (id)`";

fn names(input: ParseStream) -> syn::Result<Vec<String>> {
    let content;
    syn::parenthesized!(content in input);
    let names = content.parse_terminated(Name::parse, Token![,])?;
    if names.is_empty() {
        return Err(syn::Error::new(
            content.span(),
            "expected at least one column",
        ));
    }
    Ok(names.into_iter().map(|n| n.text).collect())
}

/// A constraint's name, which comes before its columns: a missing one gets an error that says why
/// it is needed and shows where it goes.
fn constraint_name(input: ParseStream, table: &Name, kind: &str) -> syn::Result<Name> {
    if !input.peek(syn::token::Paren) {
        return input.parse();
    }
    // The example names the constraint after the columns the user wrote, as is conventional.
    let fork = input.fork();
    let columns: Vec<String> = (|| -> syn::Result<Vec<String>> {
        let content;
        syn::parenthesized!(content in fork);
        let names = content.parse_terminated(syn::Ident::parse_any, Token![,])?;
        Ok(names.iter().map(ToString::to_string).collect())
    })()
    .unwrap_or_default();
    let table = &table.text;
    let (joined, listed) = if columns.is_empty() {
        ("column".to_owned(), "column".to_owned())
    } else {
        (columns.join("_"), columns.join(", "))
    };
    let example = match kind {
        "UNIQUE" => format!("{table}_{joined}_key ({listed})"),
        "FOREIGN KEY" => format!("{table}_{joined}_fk ({listed}) REFERENCES other_table (id)"),
        _ => format!("{table}_check (condition)"),
    };
    Err(syn::Error::new(
        input.span(),
        format!(
            "a {kind} constraint needs a name, written before its columns, so that `unconstrain!` can remove it later: `constrain!(m, {table} {kind} {example})`"
        ),
    ))
}

impl Parse for Constrain {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut table = super::syntax::parse_table(input, true)?;
        // `schema.table CHECK ...`: a qualified table followed by a table constraint (with a
        // column, `schema.table.column NOT NULL` is qualified by `parse_table` already).
        if !table.text.contains('.') && input.peek(Token![.]) {
            let fork = input.fork();
            // A table constraint is `KIND name (...)` (`FOREIGN KEY name (...)`): a column
            // followed by a bare `UNIQUE` is the mistake the column branch explains.
            let qualified = fork.parse::<Token![.]>().is_ok()
                && fork.parse::<Name>().is_ok()
                && ["CHECK", "UNIQUE", "FOREIGN"].iter().any(|k| {
                    let kind = fork.fork();
                    expect_keyword(&kind, k, k).is_ok()
                        && (*k != "FOREIGN" || expect_keyword(&kind, "KEY", "KEY").is_ok())
                        && kind.parse::<Name>().is_ok()
                        && kind.peek(syn::token::Paren)
                });
            if qualified {
                input.parse::<Token![.]>()?;
                let name: Name = input.parse()?;
                table = Name::new(format!("{}.{}", table.text, name.text), table.span);
            }
        }
        let mut condition = None;
        let constraint = if input.peek(Token![.]) {
            input.parse::<Token![.]>()?;
            let column: Name = input.parse()?;
            if !parse_not_null(input)? {
                // `users.email UNIQUE`: a column constraint as in CREATE TABLE; here it is a
                // table constraint with a name.
                if peek_keyword(input, "UNIQUE") {
                    let (table, column) = (&table.text, &column.text);
                    return Err(syn::Error::new(
                        input.span(),
                        format!(
                            "a UNIQUE constraint is written on the table, with a name: `constrain!(m, {table} UNIQUE {table}_{column}_key ({column}))`"
                        ),
                    ));
                }
                return Err(syn::Error::new(
                    column.span,
                    format!("expected `NOT NULL` after `{}.{}`", table.text, column.text),
                ));
            }
            Constraint::NotNull {
                column: column.text,
            }
        } else if peek_keyword(input, "CHECK") {
            expect_keyword(input, "CHECK", "CHECK")?;
            let name = constraint_name(input, &table, "CHECK")?;
            let content;
            syn::parenthesized!(content in input);
            condition = Some(Portable::parse(&super::syntax::parse_expression(
                &content,
            )?)?);
            Constraint::Check { name: name.text }
        } else if peek_keyword(input, "UNIQUE") {
            expect_keyword(input, "UNIQUE", "UNIQUE")?;
            let name = constraint_name(input, &table, "UNIQUE")?;
            Constraint::Unique {
                name: name.text,
                columns: names(input)?,
            }
        } else if peek_keyword(input, "FOREIGN") {
            expect_keyword(input, "FOREIGN", "FOREIGN KEY")?;
            expect_keyword(input, "KEY", "FOREIGN KEY")?;
            let name = constraint_name(input, &table, "FOREIGN KEY")?;
            let columns = names(input)?;
            expect_keyword(input, "REFERENCES", "REFERENCES table (columns)")?;
            let references: Name = input.parse()?;
            let referenced_columns = names(input)?;
            if referenced_columns.len() != columns.len() {
                return Err(syn::Error::new(
                    references.span,
                    format!(
                        "the foreign key has {} column(s) but references {}: list one referenced column of `{}` for each column",
                        columns.len(),
                        referenced_columns.len(),
                        references.text
                    ),
                ));
            }
            Constraint::ForeignKey {
                name: name.text,
                columns,
                references: references.text,
                referenced_columns,
            }
        } else {
            return Err(syn::Error::new(
                input.span(),
                format!("expected a constraint after `{}`: {USAGE}", table.text),
            ));
        };
        let key = super::key_option(input, &table)?;
        Ok(Constrain {
            table,
            constraint,
            condition,
            key,
        })
    }
}

impl Constrain {
    fn steps_add(&self) -> TokenStream {
        steps_per_dialect(|dialect| {
            let condition = self
                .condition
                .as_ref()
                .map(|c| c.sql(dialect))
                .transpose()?;
            Ok(constrain::add(
                dialect,
                &self.table.text,
                &self.key.text,
                &self.constraint,
                condition.as_deref(),
            ))
        })
    }

    fn steps_remove(&self) -> TokenStream {
        steps_per_dialect(|dialect| {
            Ok(constrain::remove(
                dialect,
                &self.table.text,
                &self.constraint,
            ))
        })
    }
}

/// `unconstrain!(m, ...)`: the arguments of [`Constrain`], removing the constraint.
pub struct Unconstrain(pub Constrain);

impl Parse for Unconstrain {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        input.parse().map(Unconstrain)
    }
}

impl Constrain {
    fn copy(&self) -> Constrain {
        Constrain {
            table: self.table.clone(),
            constraint: self.constraint.clone(),
            condition: self.condition.clone(),
            key: self.key.clone(),
        }
    }
}

impl HelperCall for Constrain {
    fn expand(&self, handle: &syn::Expr) -> TokenStream {
        run_steps(handle, self.steps_add())
    }
    fn inverse(&self, _: &Inversion<'_>) -> syn::Result<Option<Helper>> {
        Ok(Some(Helper::Unconstrain(Unconstrain(self.copy()))))
    }
}

impl HelperCall for Unconstrain {
    fn expand(&self, handle: &syn::Expr) -> TokenStream {
        run_steps(handle, self.0.steps_remove())
    }
    fn inverse(&self, _: &Inversion<'_>) -> syn::Result<Option<Helper>> {
        Ok(Some(Helper::Constrain(self.0.copy())))
    }
}
