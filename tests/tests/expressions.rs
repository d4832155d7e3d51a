//! The portable expression language on every real database: each case is rendered for the
//! database under test, run, and must give the same expected value on all three.
//!
//! A case is the source a user writes, the expression it parses to (built with migrate-sql's
//! constructors: the Rust-syntax parser lives in the proc-macro crate, which a test cannot
//! call), and the value as text (`None` for NULL). Values are read through the language's own
//! `as String`, which is itself portable.

use migrate_core::Dialect;
use migrate_sql::ColumnType;
use migrate_sql::expr::{
    BinaryOp, BinaryOp::*, CastTarget, Expr, Function, Function as F, RawSql, UnaryOp,
};
use migrate_tests::{TestDb, test_each_dialect};

fn col(name: &str) -> Expr {
    Expr::column(name)
}

fn int(value: i64) -> Expr {
    Expr::int(value)
}

fn float(value: f64) -> Expr {
    Expr::float(value)
}

fn text(value: &str) -> Expr {
    Expr::string(value)
}

fn bin(op: BinaryOp, left: Expr, right: Expr) -> Expr {
    Expr::binary(op, left, right)
}

fn call(function: Function, args: Vec<Expr>) -> Expr {
    Expr::call(function, args)
}

fn cast(operand: Expr, to: CastTarget) -> Expr {
    Expr::cast(operand, to)
}

fn not(operand: Expr) -> Expr {
    Expr::unary(UnaryOp::Not, operand)
}

fn neg(operand: Expr) -> Expr {
    Expr::unary(UnaryOp::Neg, operand)
}

fn if_else(branches: Vec<(Expr, Expr)>, otherwise: Option<Expr>) -> Expr {
    Expr::if_else(branches, otherwise)
}

/// One case: the source, its expression, and the text it must give on every database.
struct Case {
    source: &'static str,
    expr: Expr,
    expected: Option<&'static str>,
}

fn case(source: &'static str, expr: Expr, expected: Option<&'static str>) -> Case {
    Case {
        source,
        expr,
        expected,
    }
}

/// Creates `samples` with three rows; single-value cases read row 1.
fn create_samples(db: &TestDb) {
    let ty = |t: ColumnType| t.sql(db.dialect());
    db.execute(&format!(
        "CREATE TABLE samples (id INTEGER PRIMARY KEY, name {text}, full_name {text}, age {int}, \
         total {int}, price {double}, created_at {timestamp}, flag {boolean}, note {text}); \
         INSERT INTO samples VALUES \
         (1, 'Zoë', 'Ada Lovelace', 36, 17, 2.5, '2024-03-05 10:20:30', TRUE, NULL), \
         (2, '日本', 'Plato', 70, -7, -4.7, '1999-12-31 23:59:59', FALSE, 'x'), \
         (3, 'O''Brien', NULL, 12, 0, 0, '2000-02-29 00:00:00', FALSE, NULL)",
        text = ty(ColumnType::Varchar(100)),
        int = ty(ColumnType::Integer),
        double = ty(ColumnType::Double),
        timestamp = ty(ColumnType::Timestamp),
        boolean = ty(ColumnType::Boolean),
    ));
}

/// Evaluates every case on row 1 of `samples` and fails with all mismatches at once.
fn check(db: &TestDb, cases: Vec<Case>) {
    create_samples(db);
    let dialect = db.dialect();
    let mut failures = Vec::new();
    for case in cases {
        let sql = cast(case.expr, CastTarget::String)
            .render(dialect)
            .unwrap_or_else(|e| panic!("`{}` does not render for {dialect}: {e}", case.source));
        let query = format!("SELECT {sql} AS v FROM samples WHERE id = 1");
        let got = db.texts(&query).into_iter().next().flatten();
        if got.as_deref() != case.expected {
            failures.push(format!(
                "`{}`: expected {:?}, got {got:?}\n  {query}",
                case.source, case.expected
            ));
        }
    }
    assert!(failures.is_empty(), "{dialect}:\n{}", failures.join("\n"));
}

test_each_dialect! {
    fn arithmetic(db: &TestDb) {
        let total = || cast(col("total"), CastTarget::I64);
        check(db, vec![
            case("2 + 3 * 4", bin(Add, int(2), bin(Mul, int(3), int(4))), Some("14")),
            case("-7 / 2", bin(Div, int(-7), int(2)), Some("-3")),
            case("7 / -2", bin(Div, int(7), int(-2)), Some("-3")),
            case("total as i64 / 5", bin(Div, total(), int(5)), Some("3")),
            case("-(total as i64) / 5", bin(Div, neg(total()), int(5)), Some("-3")),
            case("-7 % 2", bin(Rem, int(-7), int(2)), Some("-1")),
            case("7 % -2", bin(Rem, int(7), int(-2)), Some("1")),
            case("1 / 0", bin(Div, int(1), int(0)), None),
            case("5 % 0", bin(Rem, int(5), int(0)), None),
            case(
                "(1.0 / 0.0) as i64",
                cast(bin(Div, float(1.0), float(0.0)), CastTarget::I64),
                None,
            ),
            case(
                "(7 / 2.0 * 10.0) as i64",
                cast(bin(Mul, bin(Div, int(7), float(2.0)), float(10.0)), CastTarget::I64),
                Some("35"),
            ),
            case(
                "(total as f64 / 4.0 * 100.0) as i64",
                cast(
                    bin(Mul, bin(Div, cast(col("total"), CastTarget::F64), float(4.0)), float(100.0)),
                    CastTarget::I64,
                ),
                Some("425"),
            ),
            case("-2.7 as i64", cast(float(-2.7), CastTarget::I64), Some("-2")),
            case("price as i64", cast(col("price"), CastTarget::I64), Some("2")),
            case(r#""42" as i32"#, cast(text("42"), CastTarget::I32), Some("42")),
            case(r#"" 4.7" as i64"#, cast(text(" 4.7"), CastTarget::I64), Some("4")),
            case("abs(total as i64 - 20)", call(F::Abs, vec![bin(Sub, total(), int(20))]), Some("3")),
            case("abs(-5)", call(F::Abs, vec![int(-5)]), Some("5")),
            case("true as i64", cast(Expr::bool(true), CastTarget::I64), Some("1")),
            case("(age - 36) as bool", cast(bin(Sub, col("age"), int(36)), CastTarget::Bool), Some("false")),
            case("age as bool", cast(col("age"), CastTarget::Bool), Some("true")),
            case("age + None", bin(Add, col("age"), Expr::null()), None),
        ]);
    }
}

test_each_dialect! {
    fn text_functions(db: &TestDb) {
        let split = |s: Expr, sep: &str, n: i64| call(F::SplitPart, vec![s, text(sep), int(n)]);
        let substring = |s: Expr, start: i64, len: Expr| call(F::Substring, vec![s, int(start), len]);
        check(db, vec![
            case(r#""O'Brien \ Zoë""#, text(r"O'Brien \ Zoë"), Some(r"O'Brien \ Zoë")),
            case(
                r#"concat(name, " & ", full_name)"#,
                call(F::Concat, vec![col("name"), text(" & "), col("full_name")]),
                Some("Zoë & Ada Lovelace"),
            ),
            case(r#"concat("n=", total)"#, call(F::Concat, vec![text("n="), col("total")]), Some("n=17")),
            case("concat(name, note)", call(F::Concat, vec![col("name"), col("note")]), None),
            case(r#"concat("x", true)"#, call(F::Concat, vec![text("x"), Expr::bool(true)]), Some("xtrue")),
            case(r#"lower("ÄB ZOË")"#, call(F::Lower, vec![text("ÄB ZOË")]), Some("Äb zoË")),
            case("upper(name)", call(F::Upper, vec![col("name")]), Some("ZOë")),
            case(r#"trim("  a b  ")"#, call(F::Trim, vec![text("  a b  ")]), Some("a b")),
            case(r#"trim("\ta ")"#, call(F::Trim, vec![text("\ta ")]), Some("\ta")),
            case("length(name)", call(F::Length, vec![col("name")]), Some("3")),
            case(r#"length("日本")"#, call(F::Length, vec![text("日本")]), Some("2")),
            case(r#"length("")"#, call(F::Length, vec![text("")]), Some("0")),
            case(r#"substring("Zoë日本", 3, 2)"#, substring(text("Zoë日本"), 3, int(2)), Some("ë日")),
            case("substring(name, 2, 10)", substring(col("name"), 2, int(10)), Some("oë")),
            case(r#"substring("abc", 5, 2)"#, substring(text("abc"), 5, int(2)), Some("")),
            case(r#"substring("abc", 2, -1)"#, substring(text("abc"), 2, int(-1)), Some("")),
            case(
                "substring(name, 2, length(name) - 5)",
                substring(col("name"), 2, bin(Sub, call(F::Length, vec![col("name")]), int(5))),
                Some(""),
            ),
            case(r#"split_part("a,b,c", ",", 2)"#, split(text("a,b,c"), ",", 2), Some("b")),
            case(r#"split_part("a,b,c", ",", 3)"#, split(text("a,b,c"), ",", 3), Some("c")),
            case(r#"split_part("a,b", ",", 3)"#, split(text("a,b"), ",", 3), Some("")),
            case(r#"split_part("a,b,", ",", 3)"#, split(text("a,b,"), ",", 3), Some("")),
            case(r#"split_part("abc", ",", 1)"#, split(text("abc"), ",", 1), Some("abc")),
            case(r#"split_part("abc", ",", 2)"#, split(text("abc"), ",", 2), Some("")),
            case(r#"split_part(full_name, " ", 1)"#, split(col("full_name"), " ", 1), Some("Ada")),
            case(r#"split_part(full_name, " ", 2)"#, split(col("full_name"), " ", 2), Some("Lovelace")),
            case(r#"split_part("日本::語::x", "::", 2)"#, split(text("日本::語::x"), "::", 2), Some("語")),
            case(r#"split_part("baaab", "aa", 2)"#, split(text("baaab"), "aa", 2), Some("ab")),
            case(r#"split_part(note, ",", 1)"#, split(col("note"), ",", 1), None),
            case(
                r#"replace("a-b-c", "-", "")"#,
                call(F::Replace, vec![text("a-b-c"), text("-"), text("")]),
                Some("abc"),
            ),
            case(
                r#"replace("aA", "A", "x")"#,
                call(F::Replace, vec![text("aA"), text("A"), text("x")]),
                Some("ax"),
            ),
            case(
                r#"replace("abc", "", "x")"#,
                call(F::Replace, vec![text("abc"), text(""), text("x")]),
                Some("abc"),
            ),
        ]);
    }
}

test_each_dialect! {
    fn comparisons_and_conditions(db: &TestDb) {
        let age = || col("age");
        check(db, vec![
            case(
                r#"if age < 18 { "minor" } else if age < 65 { "adult" } else { "senior" }"#,
                if_else(
                    vec![(bin(Lt, age(), int(18)), text("minor")), (bin(Lt, age(), int(65)), text("adult"))],
                    Some(text("senior")),
                ),
                Some("adult"),
            ),
            case(
                r#"if flag { "yes" } else { "no" }"#,
                if_else(vec![(col("flag"), text("yes"))], Some(text("no"))),
                Some("yes"),
            ),
            case("if age > 100 { 1 }", if_else(vec![(bin(Gt, age(), int(100)), int(1))], None), None),
            case(r#"name == "Zoë""#, bin(Eq, col("name"), text("Zoë")), Some("true")),
            case(r#"name == "ZOË""#, bin(Eq, col("name"), text("ZOË")), Some("false")),
            case(r#"name != "zoë""#, bin(Ne, col("name"), text("zoë")), Some("true")),
            case(r#""a" == "a ""#, bin(Eq, text("a"), text("a ")), Some("false")),
            case(r#""B" < "a""#, bin(Lt, text("B"), text("a")), Some("true")),
            case(
                r#"name as String < "a""#,
                bin(Lt, cast(col("name"), CastTarget::String), text("a")),
                Some("true"),
            ),
            case(r#"nullif(name, "zoë")"#, call(F::Nullif, vec![col("name"), text("zoë")]), Some("Zoë")),
            case(r#"nullif(name, "Zoë")"#, call(F::Nullif, vec![col("name"), text("Zoë")]), None),
            case("nullif(age, 36)", call(F::Nullif, vec![age(), int(36)]), None),
            case(
                r#"coalesce(note, "none")"#,
                call(F::Coalesce, vec![col("note"), text("none")]),
                Some("none"),
            ),
            case("is_null(note)", call(F::IsNull, vec![col("note")]), Some("true")),
            case("is_not_null(note)", call(F::IsNotNull, vec![col("note")]), Some("false")),
            case(
                "!(age < 18) && flag",
                bin(And, not(bin(Lt, age(), int(18))), col("flag")),
                Some("true"),
            ),
            case(
                r#"note == "x" || true"#,
                bin(Or, bin(Eq, col("note"), text("x")), Expr::bool(true)),
                Some("true"),
            ),
            case(
                r#"note == "x" && true"#,
                bin(And, bin(Eq, col("note"), text("x")), Expr::bool(true)),
                None,
            ),
            case("None", Expr::null(), None),
        ]);
    }
}

test_each_dialect! {
    fn dates(db: &TestDb) {
        let ts = || col("created_at");
        let now = || call(F::Now, vec![]);
        check(db, vec![
            case("year(created_at)", call(F::Year, vec![ts()]), Some("2024")),
            case("month(created_at)", call(F::Month, vec![ts()]), Some("3")),
            case("day(created_at)", call(F::Day, vec![ts()]), Some("5")),
            case(r#"year("1999-12-31")"#, call(F::Year, vec![text("1999-12-31")]), Some("1999")),
            case("created_at", ts(), Some("2024-03-05 10:20:30")),
            case(
                r#"created_at < "2024-03-06 00:00:00""#,
                bin(Lt, ts(), text("2024-03-06 00:00:00")),
                Some("true"),
            ),
            case("year(now()) >= 2024", bin(Ge, call(F::Year, vec![now()]), int(2024)), Some("true")),
            case("now() > created_at", bin(Gt, now(), ts()), Some("true")),
            case(
                "length(now() as String)",
                call(F::Length, vec![cast(now(), CastTarget::String)]),
                Some("19"),
            ),
        ]);
    }
}

test_each_dialect! {
    fn raw_fragments(db: &TestDb) {
        let power = RawSql {
            postgres: Some("2 ^ 10".into()),
            mysql: Some("POW(2, 10)".into()),
            sqlite: Some("1 << 10".into()),
        };
        check(db, vec![case(
            r#"sql! { postgres: "2 ^ 10", mysql: "POW(2, 10)", sqlite: "1 << 10" } as i64 + 1"#,
            bin(Add, cast(Expr::Raw(power), CastTarget::I64), int(1)),
            Some("1025"),
        )]);
    }
}

test_each_dialect! {
    fn functions_some_databases_lack(db: &TestDb) {
        let md5 = call(F::Md5, vec![text("abc")]);
        let like = call(F::RegexpLike, vec![col("name"), text("^Zo.$")]);
        let unlike = call(F::RegexpLike, vec![col("name"), text("^zo")]);
        if db.dialect() == Dialect::Sqlite {
            for expr in [md5, like, unlike] {
                let error = expr
                    .render(Dialect::Sqlite)
                    .expect_err("SQLite has no built-in for it");
                assert!(error.to_string().contains("has no SQLite equivalent"), "{error}");
            }
            return;
        }
        check(db, vec![
            case(r#"md5("abc")"#, md5, Some("900150983cd24fb0d6963f7d28e17f72")),
            case(r#"regexp_like(name, "^Zo.$")"#, like, Some("true")),
            case(r#"regexp_like(name, "^zo")"#, unlike, Some("false")),
        ]);
    }
}

test_each_dialect! {
    /// The article's patterns as UPDATEs over every row (MySQL runs them in strict mode).
    fn data_migration_patterns(db: &TestDb) {
        create_samples(db);
        let d = db.dialect();
        let render = |expr: Expr| expr.render(d).unwrap_or_else(|e| panic!("{e}"));
        let age = || col("age");
        let first = render(call(F::SplitPart, vec![col("full_name"), text(" "), int(1)]));
        let last = render(call(F::SplitPart, vec![col("full_name"), text(" "), int(2)]));
        let year = render(call(F::Year, vec![col("created_at")]));
        let group = render(if_else(
            vec![(bin(Lt, age(), int(18)), text("minor")), (bin(Lt, age(), int(65)), text("adult"))],
            Some(text("senior")),
        ));
        let varchar = ColumnType::Varchar(50).sql(d);
        db.execute(&format!(
            "ALTER TABLE samples ADD COLUMN first_name {varchar}; \
             ALTER TABLE samples ADD COLUMN last_name {varchar}; \
             ALTER TABLE samples ADD COLUMN created_year {int}; \
             ALTER TABLE samples ADD COLUMN age_group {varchar}; \
             UPDATE samples SET first_name = {first}, last_name = {last}, created_year = {year}, \
             age_group = {group}",
            int = ColumnType::Integer.sql(d),
        ));
        let summary = render(call(F::Concat, vec![
            call(F::Coalesce, vec![col("first_name"), text("-")]),
            text("|"),
            call(F::Coalesce, vec![col("last_name"), text("-")]),
            text("|"),
            col("created_year"),
            text("|"),
            col("age_group"),
        ]));
        assert_eq!(
            db.texts(&format!("SELECT {summary} AS v FROM samples ORDER BY id")),
            [
                Some("Ada|Lovelace|2024|adult".to_owned()),
                Some("Plato||1999|senior".to_owned()),
                Some("-|-|2000|minor".to_owned()),
            ]
        );
    }
}
