//! Snapshots of every construct's SQL on every dialect. Each snapshot lists the Rust source of
//! the cases, then what each dialect renders (or why it cannot).

// A failed unwrap is a failed test, with the value in the message.
#![allow(clippy::unwrap_used)]

use super::*;
use BinaryOp::*;
use Function as F;

fn col(name: &str) -> Expr {
    Expr::column(name)
}

fn int(value: i64) -> Expr {
    Expr::int(value)
}

fn text(value: &str) -> Expr {
    Expr::string(value)
}

fn call(function: Function, args: Vec<Expr>) -> Expr {
    Expr::call(function, args)
}

fn bin(op: BinaryOp, left: Expr, right: Expr) -> Expr {
    Expr::binary(op, left, right)
}

fn cast(operand: Expr, to: CastTarget) -> Expr {
    Expr::cast(operand, to)
}

/// The cases with their renderings, one block per case.
fn show(cases: &[(&str, Expr)]) -> String {
    let mut out = String::new();
    for (source, expr) in cases {
        out.push_str(source);
        out.push('\n');
        for dialect in Dialect::ALL {
            let rendered = match expr.render(dialect) {
                Ok(sql) => sql,
                Err(e) => format!("error: {e}"),
            };
            out.push_str(&format!("  {dialect}: {rendered}\n"));
        }
    }
    out
}

#[test]
fn columns() {
    insta::assert_snapshot!(show(&[
        ("age", col("age")),
        ("users.age", Expr::qualified_column("users", "age")),
        ("r#type", col("type")),
        ("a column named `a\"b`", col("a\"b")),
        ("an empty name", col("")),
    ]));
}

#[test]
fn literals() {
    insta::assert_snapshot!(show(&[
        ("18", int(18)),
        ("-7", int(-7)),
        ("i64::MIN", int(i64::MIN)),
        ("0.5", Expr::float(0.5)),
        ("-1.5", Expr::float(-1.5)),
        ("1e20", Expr::float(1e20)),
        ("f64::NAN", Expr::float(f64::NAN)),
        (r#""O'Brien \ Zoë""#, text(r"O'Brien \ Zoë")),
        (r#""a\0b""#, text("a\0b")),
        ("true", Expr::bool(true)),
        ("false", Expr::bool(false)),
        ("None", Expr::null()),
    ]));
}

#[test]
fn arithmetic() {
    insta::assert_snapshot!(show(&[
        ("a + 1", bin(Add, col("a"), int(1))),
        ("a - -7", bin(Sub, col("a"), int(-7))),
        ("a * 0.5", bin(Mul, col("a"), Expr::float(0.5))),
        ("-a", Expr::unary(UnaryOp::Neg, col("a"))),
        ("-(-7)", Expr::unary(UnaryOp::Neg, int(-7))),
        (r#"name + "x""#, bin(Add, col("name"), text("x"))),
        ("-true", Expr::unary(UnaryOp::Neg, Expr::bool(true))),
        ("-None", Expr::unary(UnaryOp::Neg, Expr::null())),
        ("None + None", bin(Add, Expr::null(), Expr::null())),
        ("a + None", bin(Add, col("a"), Expr::null())),
    ]));
}

#[test]
fn division() {
    insta::assert_snapshot!(show(&[
        ("-7 / 2", bin(Div, int(-7), int(2))),
        (
            "total as i64 / n as i64",
            bin(
                Div,
                cast(col("total"), CastTarget::I64),
                cast(col("n"), CastTarget::I64)
            )
        ),
        ("total / 2.0", bin(Div, col("total"), Expr::float(2.0))),
        ("7 / 2.0", bin(Div, int(7), Expr::float(2.0))),
        ("total / 2", bin(Div, col("total"), int(2))),
        ("total / n", bin(Div, col("total"), col("n"))),
    ]));
}

#[test]
fn remainder() {
    insta::assert_snapshot!(show(&[
        ("-7 % 2", bin(Rem, int(-7), int(2))),
        (
            "id as i64 % 10",
            bin(Rem, cast(col("id"), CastTarget::I64), int(10))
        ),
        ("id % 10", bin(Rem, col("id"), int(10))),
        ("7.5 % 2", bin(Rem, Expr::float(7.5), int(2))),
    ]));
}

#[test]
fn comparisons() {
    insta::assert_snapshot!(show(&[
        ("age == 18", bin(Eq, col("age"), int(18))),
        ("age != 18", bin(Ne, col("age"), int(18))),
        ("age < 18", bin(Lt, col("age"), int(18))),
        ("age <= 18", bin(Le, col("age"), int(18))),
        ("age > 18.5", bin(Gt, col("age"), Expr::float(18.5))),
        ("age >= 18", bin(Ge, col("age"), int(18))),
        (
            r#"status == "active""#,
            bin(Eq, col("status"), text("active"))
        ),
        (
            r#"lower(name) < "m""#,
            bin(Lt, call(F::Lower, vec![col("name")]), text("m"))
        ),
        (
            r#"name as String >= "M""#,
            bin(Ge, cast(col("name"), CastTarget::String), text("M"))
        ),
        (
            r#"now() > "2024-01-01 00:00:00""#,
            bin(Gt, call(F::Now, vec![]), text("2024-01-01 00:00:00"))
        ),
        ("a == None", bin(Eq, col("a"), Expr::null())),
        (r#"1 == "1""#, bin(Eq, int(1), text("1"))),
    ]));
}

#[test]
fn logic() {
    insta::assert_snapshot!(show(&[
        ("a && b", bin(And, col("a"), col("b"))),
        (
            "a || !b",
            bin(Or, col("a"), Expr::unary(UnaryOp::Not, col("b")))
        ),
        (
            "!(a < 1)",
            Expr::unary(UnaryOp::Not, bin(Lt, col("a"), int(1)))
        ),
        ("a && 1", bin(And, col("a"), int(1))),
        ("!1", Expr::unary(UnaryOp::Not, int(1))),
    ]));
}

#[test]
fn conditionals() {
    let age = || col("age");
    insta::assert_snapshot!(show(&[
        (
            r#"if age < 18 { "minor" } else if age < 65 { "adult" } else { "senior" }"#,
            Expr::if_else(
                vec![
                    (bin(Lt, age(), int(18)), text("minor")),
                    (bin(Lt, age(), int(65)), text("adult")),
                ],
                Some(text("senior")),
            ),
        ),
        (
            "if flag { 1 }",
            Expr::if_else(vec![(col("flag"), int(1))], None),
        ),
        (
            "if 1 { 2 } else { 3 }",
            Expr::if_else(vec![(int(1), int(2))], Some(int(3))),
        ),
        (
            r#"if flag { 1 } else { "one" }"#,
            Expr::if_else(vec![(col("flag"), int(1))], Some(text("one"))),
        ),
        (
            "if flag { 1 } else { 2.5 }",
            Expr::if_else(vec![(col("flag"), int(1))], Some(Expr::float(2.5))),
        ),
    ]));
}

#[test]
fn casts() {
    use CastTarget::*;
    insta::assert_snapshot!(show(&[
        ("7 as i64", cast(int(7), I64)),
        ("x as i32", cast(col("x"), I32)),
        ("2.7 as i64", cast(Expr::float(2.7), I64)),
        (r#""42" as i64"#, cast(text("42"), I64)),
        ("true as i64", cast(Expr::bool(true), I64)),
        ("now() as i64", cast(call(F::Now, vec![]), I64)),
        ("x as f64", cast(col("x"), F64)),
        ("0.5 as f64", cast(Expr::float(0.5), F64)),
        ("true as f64", cast(Expr::bool(true), F64)),
        ("x as String", cast(col("x"), String)),
        (r#""x" as String"#, cast(text("x"), String)),
        ("(a < 1) as String", cast(bin(Lt, col("a"), int(1)), String)),
        ("0.5 as String", cast(Expr::float(0.5), String)),
        ("x as bool", cast(col("x"), Bool)),
        ("true as bool", cast(Expr::bool(true), Bool)),
        (r#""yes" as bool"#, cast(text("yes"), Bool)),
    ]));
}

#[test]
fn dates() {
    let ts = || col("created_at");
    insta::assert_snapshot!(show(&[
        ("year(created_at)", call(F::Year, vec![ts()])),
        ("month(created_at)", call(F::Month, vec![ts()])),
        ("day(created_at)", call(F::Day, vec![ts()])),
        ("year(now())", call(F::Year, vec![call(F::Now, vec![])])),
        ("now()", call(F::Now, vec![])),
        ("year(2024)", call(F::Year, vec![int(2024)])),
    ]));
}

#[test]
fn null_functions() {
    insta::assert_snapshot!(show(&[
        (
            "coalesce(a, b, 0)",
            call(F::Coalesce, vec![col("a"), col("b"), int(0)])
        ),
        (
            r#"coalesce(1, "x")"#,
            call(F::Coalesce, vec![int(1), text("x")])
        ),
        ("nullif(a, 0)", call(F::Nullif, vec![col("a"), int(0)])),
        (
            r#"nullif(name, "")"#,
            call(F::Nullif, vec![col("name"), text("")])
        ),
        ("is_null(a)", call(F::IsNull, vec![col("a")])),
        ("is_not_null(a)", call(F::IsNotNull, vec![col("a")])),
        ("abs(a)", call(F::Abs, vec![col("a")])),
        (r#"abs("x")"#, call(F::Abs, vec![text("x")])),
    ]));
}

#[test]
fn concat() {
    insta::assert_snapshot!(show(&[
        (
            r#"concat(first_name, " ", last_name)"#,
            call(
                F::Concat,
                vec![col("first_name"), text(" "), col("last_name")]
            ),
        ),
        ("concat(a, b)", call(F::Concat, vec![col("a"), col("b")])),
        (
            r#"concat("n", 1)"#,
            call(F::Concat, vec![text("n"), int(1)])
        ),
        (
            r#"concat(flag == 1, "!")"#,
            call(F::Concat, vec![bin(Eq, col("flag"), int(1)), text("!")]),
        ),
        (
            r#"concat("x", 0.5)"#,
            call(F::Concat, vec![text("x"), Expr::float(0.5)])
        ),
        ("concat(a)", call(F::Concat, vec![col("a")])),
    ]));
}

#[test]
fn case_mapping() {
    insta::assert_snapshot!(show(&[
        ("lower(email)", call(F::Lower, vec![col("email")])),
        ("upper(code)", call(F::Upper, vec![col("code")])),
        ("lower(1)", call(F::Lower, vec![int(1)])),
    ]));
}

#[test]
fn text_functions() {
    insta::assert_snapshot!(show(&[
        ("trim(name)", call(F::Trim, vec![col("name")])),
        ("length(name)", call(F::Length, vec![col("name")])),
        (
            r#"replace(phone, "-", "")"#,
            call(F::Replace, vec![col("phone"), text("-"), text("")]),
        ),
        ("md5(email)", call(F::Md5, vec![col("email")])),
        (
            r#"regexp_like(code, "^[A-Z]{3}$")"#,
            call(F::RegexpLike, vec![col("code"), text("^[A-Z]{3}$")]),
        ),
        (
            "regexp_like(code, pattern)",
            call(F::RegexpLike, vec![col("code"), col("pattern")]),
        ),
    ]));
}

#[test]
fn substring() {
    insta::assert_snapshot!(show(&[
        (
            "substring(code, 1, 3)",
            call(F::Substring, vec![col("code"), int(1), int(3)])
        ),
        (
            "substring(code, 2, -1)",
            call(F::Substring, vec![col("code"), int(2), int(-1)])
        ),
        (
            "substring(code, 2, length(code) - 2)",
            call(
                F::Substring,
                vec![
                    col("code"),
                    int(2),
                    bin(Sub, call(F::Length, vec![col("code")]), int(2))
                ],
            ),
        ),
        (
            "substring(code, 0, 3)",
            call(F::Substring, vec![col("code"), int(0), int(3)])
        ),
        (
            "substring(code, start, 3)",
            call(F::Substring, vec![col("code"), col("start"), int(3)])
        ),
    ]));
}

#[test]
fn split_part() {
    let name = || col("full_name");
    insta::assert_snapshot!(show(&[
        (
            r#"split_part(full_name, " ", 1)"#,
            call(F::SplitPart, vec![name(), text(" "), int(1)])
        ),
        (
            r#"split_part(full_name, " ", 2)"#,
            call(F::SplitPart, vec![name(), text(" "), int(2)])
        ),
        (
            r#"split_part(full_name, ", ", 3)"#,
            call(F::SplitPart, vec![name(), text(", "), int(3)])
        ),
        (
            r#"split_part(full_name, "", 1)"#,
            call(F::SplitPart, vec![name(), text(""), int(1)])
        ),
        (
            r#"split_part(full_name, " ", 0)"#,
            call(F::SplitPart, vec![name(), text(" "), int(0)])
        ),
        (
            r#"split_part(full_name, sep, 1)"#,
            call(F::SplitPart, vec![name(), col("sep"), int(1)])
        ),
    ]));
}

#[test]
fn arity() {
    insta::assert_snapshot!(show(&[
        ("now(1)", call(F::Now, vec![int(1)])),
        (
            "substring(code, 1)",
            call(F::Substring, vec![col("code"), int(1)])
        ),
        ("coalesce()", call(F::Coalesce, vec![])),
    ]));
}

#[test]
fn raw_fragments() {
    let all = RawSql {
        postgres: Some("age(created_at)".to_owned()),
        mysql: Some("TIMESTAMPDIFF(YEAR, created_at, NOW())".to_owned()),
        sqlite: Some("julianday('now') - julianday(created_at)".to_owned()),
    };
    let mut postgres_only = RawSql::default();
    postgres_only.set(Dialect::Postgres, "gen_random_uuid()");
    insta::assert_snapshot!(show(&[
        (
            r#"sql! { postgres: "age(created_at)", mysql: "...", sqlite: "..." } + 1"#,
            bin(Add, Expr::Raw(all), int(1)),
        ),
        (
            r#"sql! { postgres: "gen_random_uuid()" }"#,
            Expr::Raw(postgres_only)
        ),
    ]));
}

#[test]
fn function_table_is_consistent() {
    for function in Function::ALL {
        assert_eq!(Function::from_name(function.name()), Some(function));
        assert!(
            function
                .signature()
                .starts_with(&format!("{}(", function.name())),
            "{function:?}"
        );
    }
    assert!(Function::known_names().starts_with("year, month, day, now, concat"));
    assert_eq!(Arity::AtLeast(2).to_string(), "at least 2 arguments");
    assert_eq!(Arity::Exactly(1).to_string(), "1 argument");
}

#[test]
fn errors_carry_dialect_and_argument() {
    let md5 = call(F::Md5, vec![col("email")]);
    let error = md5.render(Dialect::Sqlite).unwrap_err();
    assert_eq!(error.dialect, Dialect::Sqlite);
    assert!(!error.everywhere);
    let split = call(F::SplitPart, vec![col("s"), text(" "), int(0)]);
    let error = split.render(Dialect::Mysql).unwrap_err();
    assert!(error.everywhere);
    assert_eq!(error.argument, Some(2));
}
