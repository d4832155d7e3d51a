//! Errors of the helper macros' parsing, on `proc_macro2` input.

use super::{Helper, HelperKind};
use proc_macro2::TokenStream;
use quote::quote;

/// The messages of parsing `kind!(tokens)`; empty if it parses.
fn errors(kind: HelperKind, tokens: TokenStream) -> Vec<String> {
    match Helper::parse(kind, tokens) {
        Ok(_) => Vec::new(),
        Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
    }
}

fn single_error(kind: HelperKind, tokens: TokenStream) -> String {
    let errors = errors(kind, tokens.clone());
    assert_eq!(errors.len(), 1, "{tokens}: {errors:?}");
    errors.into_iter().next().unwrap_or_default()
}

#[test]
fn a_name_with_a_dash_gets_the_underscore_form() {
    let message = single_error(HelperKind::DropColumn, quote!(m, users.middle - name));
    assert!(
        message.starts_with("`middle-name` cannot be a name here"),
        "{message}"
    );
    assert!(message.contains("write `middle_name`"), "{message}");
}

#[test]
fn a_column_needs_its_table() {
    let message = single_error(HelperKind::DropColumn, quote!(m, middle_name));
    assert!(message.contains("as in `users.middle_name`"), "{message}");
}

#[test]
fn a_missing_type_and_an_unknown_type_are_told_apart() {
    let missing = single_error(HelperKind::AddColumn, quote!(m, users.nickname = "none"));
    assert!(
        missing.starts_with("`nickname` needs a type after its name"),
        "{missing}"
    );
    let unknown = single_error(HelperKind::AddColumn, quote!(m, users.nickname STRING));
    assert!(
        unknown.starts_with("unknown column type `STRING`"),
        "{unknown}"
    );
    let varchar = single_error(HelperKind::AddColumn, quote!(m, users.nickname VARCHAR));
    assert!(
        varchar.starts_with("`VARCHAR` needs its maximum length"),
        "{varchar}"
    );
    let decimal = single_error(HelperKind::AddColumn, quote!(m, orders.total DECIMAL));
    assert!(decimal.contains("as in `DECIMAL(10, 2)`"), "{decimal}");
}

#[test]
fn a_missing_handle_is_named() {
    let message = single_error(HelperKind::DropColumn, quote!(users.middle_name));
    assert!(
        message
            .starts_with("expected the migration handle before this, as in `drop_column!(m, ...)`"),
        "{message}"
    );
}

#[test]
fn a_missing_separator_is_placed_after_the_last_column() {
    let message = single_error(
        HelperKind::SplitColumn,
        quote!(m, users.full_name TEXT => first_name TEXT, last_name TEXT),
    );
    assert!(
        message.starts_with("missing `, separator = \"...\"` after `last_name`"),
        "{message}"
    );
    let message = single_error(
        HelperKind::MergeColumns,
        quote!(m, users.(first_name, last_name) => full_name TEXT),
    );
    assert!(message.contains("after `full_name`"), "{message}");
}

#[test]
fn a_join_on_another_table_names_it() {
    let message = single_error(
        HelperKind::Denormalize,
        quote!(m, orders.customer_name TEXT = customers.name on customers.id = users.customer_id),
    );
    assert!(message.ends_with("found `users.customer_id`"), "{message}");
}

#[test]
fn unsupported_transform_types_are_named() {
    let message = single_error(
        HelperKind::TransformRows,
        quote!(m, users, |posts: u32| -> score: i64 { i64::from(posts) }),
    );
    assert!(
        message.starts_with("a transform cannot read or write `u32`"),
        "{message}"
    );
    assert!(message.contains("no unsigned integers"), "{message}");
}

#[test]
fn accepted_forms_parse() {
    let cases = [
        (HelperKind::AddColumn, quote!(m, r#match.r#type VARCHAR(20))),
        (
            HelperKind::AddColumn,
            quote!(m, t.c DOUBLE PRECISION NOT NULL = 0.5, key = t_id),
        ),
        (
            HelperKind::SplitColumn,
            quote!(m, t.a TEXT => b TEXT, c TEXT, separator = "-", key = k),
        ),
        (
            HelperKind::Constrain,
            quote!(m, t FOREIGN KEY fk (a, b) REFERENCES u (c, d)),
        ),
        (
            HelperKind::Backfill,
            quote!(
                m,
                t.c = 1,
                filter = is_null(c),
                batch_rows = 10,
                pause_ms = 0
            ),
        ),
    ];
    for (kind, tokens) in cases {
        let errors = errors(kind, tokens.clone());
        assert!(errors.is_empty(), "{tokens}: {errors:?}");
    }
}
