//! `sql! { postgres: "...", mysql: "...", sqlite: "..." }`: one statement per dialect, each parsed
//! at compile time by its dialect's parser.

use crate::dialects;
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
                "expected a string literal holding one SQL statement",
            )
        })?;
        Ok(Entry { key, sql })
    }
}

pub fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let entries = syn::parse::Parser::parse2(
        Punctuated::<Entry, Token![,]>::parse_terminated,
        input.clone(),
    )?;
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    let mut given: [Option<LitStr>; 3] = [None, None, None];
    for entry in entries {
        let Ok(dialect) = entry.key.to_string().parse::<Dialect>() else {
            push(syn::Error::new(
                entry.key.span(),
                format!(
                    "unknown dialect `{}`; expected `postgres`, `mysql` or `sqlite`",
                    entry.key
                ),
            ));
            continue;
        };
        let slot = &mut given[dialect_index(dialect)];
        if slot.is_some() {
            push(syn::Error::new(
                entry.key.span(),
                format!("`{}` is given twice", dialect.name()),
            ));
            continue;
        }
        if let Err(message) = sql_check::check(dialect, &entry.sql.value()) {
            push(syn::Error::new(entry.sql.span(), message));
        }
        *slot = Some(entry.sql);
    }
    for dialect in dialects::enabled() {
        if given[dialect_index(dialect)].is_none() {
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
    if let Some(errors) = errors {
        return Err(errors);
    }
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
