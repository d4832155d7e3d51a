//! `sql! { postgres: "...", mysql: "...", sqlite: "..." }`: one statement per dialect, each parsed
//! at compile time by its dialect's parser.

use crate::dialects;
use crate::errors::Errors;
use crate::sql_check;
use migrate_sql::Dialect;
use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Token};

struct Entry {
    key: Ident,
    sql: LitStr,
}

impl Parse for Entry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let sql: LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a string literal holding one SQL statement, as in `postgres: \"DROP INDEX orders_status_idx\"`",
            )
        })?;
        Ok(Entry { key, sql })
    }
}

pub fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    expand_for(input, &dialects::enabled())
}

/// Expands `sql!` for a build that enables `enabled`.
fn expand_for(input: TokenStream, enabled: &[Dialect]) -> syn::Result<TokenStream> {
    let entries = syn::parse::Parser::parse2(
        Punctuated::<Entry, Token![,]>::parse_terminated,
        input.clone(),
    )?;
    let mut errors = Errors::default();
    let mut push = |e: syn::Error| errors.push(e);
    let mut given: [Option<LitStr>; 3] = [None, None, None];
    let mut unknown: Vec<Ident> = Vec::new();
    // `#[migration]` adds `__only: "postgres"` to a `sql!` under a dialect condition: the
    // databases it can run on, which alone need an arm.
    let mut only: Option<Vec<Dialect>> = None;
    for entry in entries {
        if entry.key == "__only" {
            only = Some(
                entry
                    .sql
                    .value()
                    .split_whitespace()
                    .filter_map(|name| name.parse().ok())
                    .collect(),
            );
            continue;
        }
        let Ok(dialect) = entry.key.to_string().parse::<Dialect>() else {
            unknown.push(entry.key);
            continue;
        };
        let slot = &mut given[dialect_index(dialect)];
        if slot.is_some() {
            push(syn::Error::new(
                entry.key.span(),
                format!(
                    "`{}` is given twice: give each dialect once",
                    dialect.name()
                ),
            ));
            continue;
        }
        if let Err(problem) = sql_check::check(dialect, &entry.sql.value()) {
            push(sql_check::error_at(
                &entry.sql,
                &problem.to_string(),
                problem.position(),
            ));
        }
        *slot = Some(entry.sql);
    }
    let missing: Vec<Dialect> = enabled
        .iter()
        .copied()
        .filter(|d| only.as_ref().is_none_or(|only| only.contains(d)))
        .filter(|&d| given[dialect_index(d)].is_none())
        .collect();
    // An unknown key is most likely a misspelled missing dialect: one error says both.
    for key in &unknown {
        let missing_names: Vec<String> =
            missing.iter().map(|d| format!("`{}`", d.name())).collect();
        let hint = if missing_names.is_empty() {
            String::new()
        } else {
            format!(", and {} is missing here", missing_names.join(" or "))
        };
        push(syn::Error::new(
            key.span(),
            format!(
                "unknown dialect `{key}`; the dialects are `postgres`, `mysql` and `sqlite`{hint}"
            ),
        ));
    }
    if unknown.is_empty() {
        for dialect in missing {
            push(syn::Error::new(
                proc_macro2::Span::call_site(),
                format!(
                    "missing `{}: \"...\"`: this build enables {} (a feature of migrate-core), so every statement needs a {} version",
                    dialect.name(),
                    dialect.display_name(),
                    dialect.display_name()
                ),
            ));
        }
    }
    errors.finish()?;
    let [postgres, mysql, sqlite] = given.map(|sql| match sql {
        Some(sql) => quote!(::core::option::Option::Some(#sql)),
        None => quote!(::core::option::Option::None),
    });
    Ok(quote! {
        ::migrate_core::__private::DialectSql::__new(#postgres, #mysql, #sqlite)
    })
}

fn dialect_index(dialect: Dialect) -> usize {
    match dialect {
        Dialect::Postgres => 0,
        Dialect::Mysql => 1,
        Dialect::Sqlite => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(input: TokenStream) -> Vec<String> {
        match expand_for(input, &Dialect::ALL) {
            Ok(_) => Vec::new(),
            Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn every_enabled_dialect_is_required() {
        let errors = errors(quote!(postgres: "DROP INDEX i", mysql: "DROP INDEX i ON t"));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("missing `sqlite: \"...\"`"),
            "{errors:?}"
        );
        let only_postgres = expand_for(quote!(postgres: "DROP INDEX i"), &[Dialect::Postgres]);
        assert!(only_postgres.is_ok());
    }

    #[test]
    fn under_a_dialect_condition_only_its_databases_need_an_arm() {
        let narrowed = expand_for(
            quote!(__only: "postgres", postgres: "DO $$ BEGIN NULL; END $$"),
            &Dialect::ALL,
        );
        assert!(narrowed.is_ok());
        let errors = errors(quote!(__only: "mysql sqlite", mysql: "DROP INDEX i ON t"));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("missing `sqlite: \"...\"`"),
            "{errors:?}"
        );
    }

    #[test]
    fn an_unknown_dialect_says_which_is_missing_instead_of_a_second_error() {
        let errors = errors(quote!(
            postgres: "DROP INDEX i",
            oracle: "DROP INDEX i",
            sqlite: "DROP INDEX i",
        ));
        assert_eq!(
            errors,
            [
                "unknown dialect `oracle`; the dialects are `postgres`, `mysql` and `sqlite`, and `mysql` is missing here"
            ]
        );
    }

    #[test]
    fn each_text_is_parsed_by_its_dialect() {
        let errors = errors(quote!(
            postgres: "ALTER TABLE t ALTER COLUMN c TYPE BIGINT USING c::bigint",
            mysql: "ALTER TABLE t ALTER COLUMN c TYPE BIGINT USING c::bigint",
            sqlite: "SELECT 1; SELECT 2",
        ));
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors[0].starts_with("this SQL does not parse as MySQL"),
            "{errors:?}"
        );
        assert!(
            errors[1].starts_with("this SQL holds 2 statements"),
            "{errors:?}"
        );
    }
}
