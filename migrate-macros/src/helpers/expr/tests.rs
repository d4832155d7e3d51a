//! Parsing Rust syntax into the portable language, and the errors it reports.

// A failed unwrap is a failed test, with the value in the message.
#![allow(clippy::unwrap_used)]

use super::parse_expr;
use migrate_sql::Dialect;
use migrate_sql::expr::{BinaryOp, CastTarget, Expr, Function, RawSql};

fn parse(source: &str) -> syn::Result<Expr> {
    parse_with(source, &Dialect::ALL)
}

fn parse_with(source: &str, dialects: &[Dialect]) -> syn::Result<Expr> {
    let expr: syn::Expr = syn::parse_str(source).expect("test sources are Rust expressions");
    parse_expr(&expr, dialects)
}

/// The messages of every error reported for `source`, in order.
fn errors(source: &str) -> Vec<String> {
    errors_with(source, &Dialect::ALL)
}

fn errors_with(source: &str, dialects: &[Dialect]) -> Vec<String> {
    match parse_with(source, dialects) {
        Ok(expr) => panic!("`{source}` parsed as {expr:?}"),
        Err(error) => error.into_iter().map(|e| e.to_string()).collect(),
    }
}

/// The only error reported for `source`.
fn error(source: &str) -> String {
    let mut all = errors(source);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.remove(0)
}

#[test]
fn converts_the_whole_language() {
    let parsed =
        parse(r#"if age < 18 { "minor" } else if age < 65 { "adult" } else { "senior" }"#).unwrap();
    let age = || Expr::column("age");
    assert_eq!(
        parsed,
        Expr::if_else(
            vec![
                (
                    Expr::binary(BinaryOp::Lt, age(), Expr::int(18)),
                    Expr::string("minor")
                ),
                (
                    Expr::binary(BinaryOp::Lt, age(), Expr::int(65)),
                    Expr::string("adult")
                ),
            ],
            Some(Expr::string("senior")),
        )
    );
    assert_eq!(
        parse("users.r#type").unwrap(),
        Expr::qualified_column("users", "type")
    );
    assert_eq!(parse("-9223372036854775808").unwrap(), Expr::int(i64::MIN));
    assert_eq!(
        parse("-(0.5)").unwrap(),
        Expr::unary(migrate_sql::expr::UnaryOp::Neg, Expr::float(0.5))
    );
    assert_eq!(
        parse("(total as f64) / 2.0").unwrap(),
        Expr::binary(
            BinaryOp::Div,
            Expr::cast(Expr::column("total"), CastTarget::F64),
            Expr::float(2.0)
        )
    );
    assert_eq!(
        parse(r#"split_part(full_name, " ", 2)"#).unwrap(),
        Expr::call(
            Function::SplitPart,
            vec![Expr::column("full_name"), Expr::string(" "), Expr::int(2)]
        )
    );
    assert_eq!(
        parse("if flag { 1 }").unwrap(),
        Expr::if_else(vec![(Expr::column("flag"), Expr::int(1))], None)
    );
    assert_eq!(
        parse("coalesce(a, None)").unwrap(),
        Expr::call(Function::Coalesce, vec![Expr::column("a"), Expr::null()])
    );
    assert_eq!(
        parse(r#"sql! { postgres: "age(created_at)", mysql: "NOW()", sqlite: "1" }"#).unwrap(),
        Expr::Raw(RawSql {
            postgres: Some("age(created_at)".into()),
            mysql: Some("NOW()".into()),
            sqlite: Some("1".into()),
        })
    );
}

#[test]
fn unknown_function_lists_the_known_ones() {
    let message = error("foo(a)");
    assert!(message.starts_with("unknown function `foo`;"), "{message}");
    assert!(
        message.contains("year, month, day, now, concat"),
        "{message}"
    );
    let message = error("LOWER(a)");
    assert!(
        message.contains("function names are lower case: `lower`"),
        "{message}"
    );
}

#[test]
fn wrong_arity_shows_the_signature() {
    assert_eq!(
        error("substring(code, 1)"),
        "`substring` takes 3 arguments, not 2: substring(text, start, len) -> text, where start is an integer literal of at least 1"
    );
    assert_eq!(
        error("now(1)"),
        "`now` takes 0 arguments, not 1: now() -> timestamp"
    );
}

#[test]
fn unsupported_syntax_says_what_is_supported() {
    let message = error("name.len()");
    assert!(
        message.starts_with(
            "method calls are not supported: call a function instead, as in `len(name)`"
        ),
        "{message}"
    );
    let message = error("match a { _ => 1 }");
    assert!(message.contains("write `if ... { } else if"), "{message}");
    let message = error("a[0]");
    assert!(
        message.starts_with("indexing is not supported: a portable expression is made of columns"),
        "{message}"
    );
    assert!(error("a & b").starts_with("bitwise operators are not supported"));
    assert!(error("'a'").contains(r#"write it in double quotes, as in `"a"`"#));
    assert!(
        error("x as u8").starts_with(
            "cannot cast to `u8`: the targets are `i64`, `i32`, `f64`, `String`, `bool`"
        )
    );
    assert!(error("a.b.c").starts_with("a qualified column is written `table.column`"));
    assert!(error("NULL").starts_with("SQL's NULL is written `None`"));
    assert!(error("if let Some(x) = a { 1 } else { 2 }").starts_with("`if let` is not supported"));
    assert!(
        error("if a { let x = 1; x } else { 2 }")
            .starts_with("a block must hold exactly one expression")
    );
    assert!(error("5u8").contains("not `u8`"));
    assert!(error("99999999999999999999").contains("does not fit in 64 bits"));
    assert!(error("format!(\"x\")").starts_with("only `sql! {"));
}

#[test]
fn language_rules_are_reported_once_on_the_offending_node() {
    assert_eq!(
        error("total / 2"),
        "`/` cannot tell integer division (which truncates) from exact division, because the type of a column is not visible to the expression: write `x as i64 / y` to truncate or `x as f64 / y` for a float"
    );
    assert!(error(r#"name + "x""#).ends_with("join text with `concat(a, b)`"));
    assert!(error("a == None").contains("test with `is_null(x)`"));
    assert!(
        error(r#"split_part(s, " ", 0)"#)
            .starts_with("`split_part` needs an integer literal of at least 1 as n (argument 3)")
    );
    assert!(error("\"a\\0b\"").contains("NUL"));
}

#[test]
fn untranslatable_functions_fail_only_for_enabled_dialects() {
    assert_eq!(
        errors_with("md5(email)", &[Dialect::Postgres, Dialect::Sqlite]),
        [
            "`md5` has no SQLite equivalent: SQLite has no built-in hash function; compute the value in the application, or write the expression per database with `sql! { ... }` (this build enables SQLite: a feature of migrate-core)"
        ]
    );
    assert!(parse_with("md5(email)", &[Dialect::Postgres, Dialect::Mysql]).is_ok());
    let message = errors_with(r#"regexp_like(code, "^A")"#, &[Dialect::Sqlite]).remove(0);
    assert!(
        message.starts_with("`regexp_like` has no SQLite equivalent"),
        "{message}"
    );
}

#[test]
fn sql_fragments_are_parsed_per_dialect() {
    let all =
        errors(r#"sql! { postgres: "1 +", mysql: "a -- note", sqlite: "1, 2", oracle: "1" }"#);
    assert_eq!(all.len(), 4, "{all:#?}");
    assert!(
        all[0].starts_with("this SQL does not parse as a PostgreSQL expression"),
        "{}",
        all[0]
    );
    assert!(
        all[1].starts_with("this MySQL fragment holds a comment"),
        "{}",
        all[1]
    );
    assert!(
        all[2].starts_with(
            "this SQLite fragment holds more than one expression: it continues with `,`"
        ),
        "{}",
        all[2]
    );
    assert!(all[3].starts_with("unknown dialect `oracle`"), "{}", all[3]);
    assert!(
        error(r#"sql! { postgres: "1", postgres: "2" }"#).starts_with("`postgres` is given twice")
    );
    assert_eq!(
        errors_with(
            r#"sql! { postgres: "gen_random_uuid()" }"#,
            &[Dialect::Postgres, Dialect::Mysql]
        ),
        [
            "this `sql!` fragment has no MySQL equivalent: add a `mysql: \"...\"` version (this build enables MySQL: a feature of migrate-core)"
        ]
    );
    assert!(
        parse_with(
            r#"sql! { postgres: "gen_random_uuid()" }"#,
            &[Dialect::Postgres]
        )
        .is_ok()
    );
}

#[test]
fn several_errors_are_combined() {
    let all = errors(r#"foo(a) + concat(b) + c.d.e"#);
    assert_eq!(all.len(), 3, "{all:#?}");
    assert!(all[0].starts_with("unknown function `foo`"));
    assert!(all[1].starts_with("`concat` takes at least 2 arguments, not 1"));
    assert!(all[2].starts_with("a qualified column"));
    let all = errors(r#"if x { md5(a) } else { lower(1) }"#);
    assert_eq!(all.len(), 2, "{all:#?}");
}

#[test]
fn errors_point_at_the_offending_argument() {
    let expr: syn::Expr = syn::parse_str("split_part(name, sep, 2)").unwrap();
    let message = parse_expr(&expr, &Dialect::ALL).unwrap_err().to_string();
    assert!(
        message.contains("non-empty string literal as argument 2"),
        "{message}"
    );
    let at = |argument| {
        super::culprit(&expr, argument)
            .to_token_stream()
            .to_string()
    };
    assert_eq!(at(Some(1)), "sep");
    assert_eq!(at(None), "split_part (name , sep , 2)");
}
