//! Turning generated steps into the tokens of a helper's expansion.

use migrate_sql::{Assignment, Check, ColumnName, Dialect, Fill, Join, Step, TableChange};
use proc_macro2::TokenStream;
use quote::quote;

fn string(s: &str) -> TokenStream {
    quote!(::std::string::String::from(#s))
}

fn strings(items: &[String]) -> TokenStream {
    let items = items.iter().map(|s| string(s));
    quote!(::std::vec![#(#items),*])
}

fn optional(s: &Option<String>) -> TokenStream {
    match s {
        Some(s) => {
            let s = string(s);
            quote!(::core::option::Option::Some(#s))
        }
        None => quote!(::core::option::Option::None),
    }
}

fn check(check: &Check) -> TokenStream {
    let (count, sample, problem, hint) = (
        string(&check.count_sql),
        string(&check.sample_sql),
        string(&check.problem),
        string(&check.hint),
    );
    let confirmed = match &check.confirmed {
        Some(text) => {
            let text = string(text);
            quote!(::core::option::Option::Some(#text))
        }
        None => quote!(::core::option::Option::None),
    };
    let before_not_null = match &check.before_not_null {
        Some(ColumnName { table, column }) => {
            let (table, column) = (string(table), string(column));
            quote!(::core::option::Option::Some(::migrate_core::__private::ColumnName { table: #table, column: #column }))
        }
        None => quote!(::core::option::Option::None),
    };
    quote!(::migrate_core::__private::Check { count_sql: #count, sample_sql: #sample, problem: #problem, hint: #hint, confirmed: #confirmed, before_not_null: #before_not_null })
}

fn change(change: &TableChange) -> TokenStream {
    let path = quote!(::migrate_core::__private::TableChange);
    match change {
        TableChange::SetNotNull { column } => {
            let column = string(column);
            quote!(#path::SetNotNull { column: #column })
        }
        TableChange::DropNotNull { column } => {
            let column = string(column);
            quote!(#path::DropNotNull { column: #column })
        }
        TableChange::AddCheck { name, expression } => {
            let (name, expression) = (string(name), string(expression));
            quote!(#path::AddCheck { name: #name, expression: #expression })
        }
        TableChange::AddForeignKey {
            name,
            columns,
            references,
            referenced_columns,
        } => {
            let (name, columns, references, referenced) = (
                string(name),
                strings(columns),
                string(references),
                strings(referenced_columns),
            );
            quote!(#path::AddForeignKey { name: #name, columns: #columns, references: #references, referenced_columns: #referenced })
        }
        TableChange::AddUnique { name, columns } => {
            let (name, columns) = (string(name), strings(columns));
            quote!(#path::AddUnique { name: #name, columns: #columns })
        }
        TableChange::DropConstraint { name } => {
            let name = string(name);
            quote!(#path::DropConstraint { name: #name })
        }
    }
}

pub fn step(step: &Step) -> TokenStream {
    let path = quote!(::migrate_core::__private::Step);
    match step {
        Step::Execute { sql, report } => {
            let (sql, report) = (string(sql), optional(report));
            quote!(#path::Execute { sql: #sql, report: #report })
        }
        Step::DropColumn {
            table,
            column,
            sql,
            report,
        } => {
            let (table, column, sql, report) =
                (string(table), string(column), string(sql), string(report));
            quote!(#path::DropColumn { table: #table, column: #column, sql: #sql, report: #report })
        }
        Step::Verify(c) => {
            let c = check(c);
            quote!(#path::Verify(#c))
        }
        Step::Report { sql, label } => {
            let (sql, label) = (string(sql), string(label));
            quote!(#path::Report { sql: #sql, label: #label })
        }
        Step::Sample { sql, label } => {
            let (sql, label) = (string(sql), string(label));
            quote!(#path::Sample { sql: #sql, label: #label })
        }
        Step::Fill(f) => {
            let f = fill(f);
            quote!(#path::Fill(#f))
        }
        Step::AlterTable { table, change: c } => {
            let (table, c) = (string(table), change(c));
            quote!(#path::AlterTable { table: #table, change: #c })
        }
    }
}

fn fill(fill: &Fill) -> TokenStream {
    let path = quote!(::migrate_core::__private);
    let (table, condition, report) = (
        string(&fill.table),
        optional(&fill.condition),
        string(&fill.report),
    );
    let assignments = fill.assignments.iter().map(|Assignment { column, value }| {
        let (column, value) = (string(column), string(value));
        quote!(#path::Assignment { column: #column, value: #value })
    });
    let key = match &fill.key {
        Some(columns) => {
            let columns = strings(columns);
            quote!(::core::option::Option::Some(#columns))
        }
        None => quote!(::core::option::Option::None),
    };
    let join = match &fill.join {
        Some(Join {
            source_table,
            source_column,
            source_key,
            foreign_key,
            on,
            correlated,
        }) => {
            let [
                source_table,
                source_column,
                source_key,
                foreign_key,
                on,
                correlated,
            ] = [
                source_table,
                source_column,
                source_key,
                foreign_key,
                on,
                correlated,
            ]
            .map(|s| string(s));
            quote!(::core::option::Option::Some(#path::Join {
                source_table: #source_table,
                source_column: #source_column,
                source_key: #source_key,
                foreign_key: #foreign_key,
                on: #on,
                correlated: #correlated,
            }))
        }
        None => quote!(::core::option::Option::None),
    };
    quote!(#path::Fill {
        table: #table,
        key: #key,
        assignments: ::std::vec![#(#assignments),*],
        join: #join,
        condition: #condition,
        report: #report,
    })
}

/// A `match` over the dialects whose arms are `generate(dialect)`'s value, or an error for a
/// dialect the helper cannot serve (only possible for dialects this build does not enable: for
/// enabled ones the macro reports a compile error instead).
pub fn per_dialect(generate: impl Fn(Dialect) -> Result<TokenStream, String>) -> TokenStream {
    let arms = Dialect::ALL.into_iter().map(|dialect| {
        let variant = match dialect {
            Dialect::Postgres => quote!(Postgres),
            Dialect::Mysql => quote!(Mysql),
            Dialect::Sqlite => quote!(Sqlite),
        };
        let body = match generate(dialect) {
            Ok(value) => quote!(::core::result::Result::<_, ::migrate_core::Error>::Ok(#value)),
            Err(reason) => {
                let reason =
                    format!("{reason} (this build of the migrations does not enable {dialect})");
                quote!(::core::result::Result::Err(::migrate_core::Error::msg(#reason)))
            }
        };
        quote!(::migrate_core::Dialect::#variant => #body)
    });
    quote!(match __dialect { #(#arms,)* })
}

/// The steps of every dialect, as `match __dialect { ... => Ok(vec![...]) }`.
pub fn steps_per_dialect(generate: impl Fn(Dialect) -> Result<Vec<Step>, String>) -> TokenStream {
    per_dialect(|dialect| {
        let steps = generate(dialect)?;
        let steps = steps.iter().map(step);
        Ok(quote!(::std::vec![#(#steps),*]))
    })
}
