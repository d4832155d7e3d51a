//! The portable text functions over text holding NUL bytes (SQLite and MySQL store them) and
//! bytes that are not UTF-8 (SQLite stores them): every value is compared byte for byte with
//! what a model computes in Rust from the stored bytes, on every database, through the
//! expressions alone, the helpers in one transaction and online, the triggers that compute the
//! application's writes, and a CHECK that SQLite keeps in the schema.
//!
//! SQLite's own `LENGTH` and `SUBSTR` read a TEXT only up to its first NUL byte (against a
//! rendering that used them, the SQLite cases fail); PostgreSQL cannot store NUL in text, so
//! there the values without one show that the results did not change.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod helpers_support;

use helpers_support::{data_check_message, up_to};
use migrate_core::Dialect;
use migrate_sql::expr::{BinaryOp, CastTarget, Expr, Function as F};
use migrate_sql::helpers::key::{Key, KeyColumn};
use migrate_sql::helpers::row_sync::RowSync;
use migrate_sql::{Assignment, Fill};
use migrate_tests::fixtures::nul_text;
use migrate_tests::{TestDb, test_each_dialect};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Values of every kind, as bytes: which a database can hold depends on it.
fn values(dialect: Dialect) -> Vec<Option<Vec<u8>>> {
    let mut values: Vec<Option<Vec<u8>>> = vec![
        Some(b"Ada Lovelace".to_vec()),
        Some("Zoë 日本 語".as_bytes().to_vec()),
        Some(b"  two  spaces ".to_vec()),
        Some(Vec::new()),
        None,
    ];
    if dialect != Dialect::Postgres {
        values.extend(
            [
                &b"a\0b c\0d"[..],
                b" \0 ",
                b"\0",
                "\0日本 Zoë\0".as_bytes(),
                // JSON's escape of NUL written as text, next to a NUL.
                b"\\u0000\0 x",
                b"ab\0cdefghijkl",
            ]
            .map(|v| Some(v.to_vec())),
        );
    }
    if dialect == Dialect::Sqlite {
        values.extend(
            [
                &b"\xFF\0A \xC3"[..], // not UTF-8
                b"A\x80 \0\xC3\xA9",  // a stray continuation byte
                b"\xC3\0\x80 b",      // a sequence cut by a NUL
            ]
            .map(|v| Some(v.to_vec())),
        );
    }
    values
}

/// The characters of `bytes` as SQLite counts them: a byte from 0xC0 up with the bytes from
/// 0x80 to 0xBF after it, or any other single byte. For UTF-8 these are its characters.
fn chars(bytes: &[u8]) -> Vec<&[u8]> {
    let mut chars = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        i += 1;
        if bytes[start] >= 0xC0 {
            while i < bytes.len() && bytes[i] & 0xC0 == 0x80 {
                i += 1;
            }
        }
        chars.push(&bytes[start..i]);
    }
    chars
}

fn length(bytes: &[u8]) -> i64 {
    i64::try_from(chars(bytes).len()).unwrap()
}

/// `len` characters from character `start` (from 1); a negative `len` takes none.
fn substring(bytes: &[u8], start: usize, len: i64) -> Vec<u8> {
    let len = usize::try_from(len.max(0)).unwrap();
    chars(bytes)
        .into_iter()
        .skip(start - 1)
        .take(len)
        .flatten()
        .copied()
        .collect()
}

/// Field `n` (from 1) of `bytes` split at `sep`, empty when there are fewer.
fn split_part(bytes: &[u8], sep: &[u8], n: usize) -> Vec<u8> {
    let mut fields = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + sep.len() <= bytes.len() {
        if &bytes[i..i + sep.len()] == sep {
            fields.push(&bytes[start..i]);
            i += sep.len();
            start = i;
        } else {
            i += 1;
        }
    }
    fields.push(&bytes[start..]);
    fields.get(n - 1).map(|f| f.to_vec()).unwrap_or_default()
}

fn trim(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != b' ').unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(start, |e| e + 1);
    bytes[start..end].to_vec()
}

fn replace(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// `bytes` as a text literal of the database.
fn text_literal(dialect: Dialect, bytes: Option<&[u8]>) -> String {
    let Some(bytes) = bytes else {
        return "NULL".to_owned();
    };
    let hex = hex(bytes);
    match dialect {
        Dialect::Sqlite => format!("CAST(X'{hex}' AS TEXT)"),
        Dialect::Mysql => format!("CONVERT(X'{hex}' USING utf8mb4)"),
        Dialect::Postgres => format!("convert_from(decode('{hex}', 'hex'), 'UTF8')"),
    }
}

/// SQL giving the bytes of the text `expr` in hexadecimal, NULL where it is NULL.
fn hex_sql(dialect: Dialect, expr: &str) -> String {
    match dialect {
        Dialect::Sqlite => {
            format!("CASE WHEN ({expr}) IS NULL THEN NULL ELSE hex(CAST(({expr}) AS BLOB)) END")
        }
        Dialect::Mysql => format!("HEX({expr})"),
        Dialect::Postgres => format!("upper(encode(convert_to({expr}, 'UTF8'), 'hex'))"),
    }
}

/// What one expression gives for a value that is not NULL (NULL gives NULL), as read back:
/// hexadecimal bytes for text, decimal for an integer, `true`/`false`.
type Model = Box<dyn Fn(&[u8]) -> String>;

/// Whether the expression gives text (read as bytes) or another type (read `as String`).
enum Reads {
    Bytes,
    Text,
}

fn col() -> Expr {
    Expr::column("s")
}

fn call(function: F, args: Vec<Expr>) -> Expr {
    Expr::call(function, args)
}

/// Cases whose start, length and field are given.
fn varying_cases(start: usize, len: i64, n: usize) -> Vec<(String, Expr, Reads, Model)> {
    let s = col;
    let int = |v: usize| Expr::int(i64::try_from(v).unwrap());
    let length_less = Expr::binary(BinaryOp::Sub, call(F::Length, vec![s()]), Expr::int(len));
    vec![
        (
            format!("substring(s, {start}, {len})"),
            call(F::Substring, vec![s(), int(start), Expr::int(len)]),
            Reads::Bytes,
            Box::new(move |v| hex(&substring(v, start, len))),
        ),
        (
            format!("substring(s, {start}, length(s) - {len})"),
            call(F::Substring, vec![s(), int(start), length_less]),
            Reads::Bytes,
            Box::new(move |v| hex(&substring(v, start, length(v) - len))),
        ),
        (
            format!("split_part(s, \", \", {n})"),
            call(F::SplitPart, vec![s(), Expr::string(", "), int(n)]),
            Reads::Bytes,
            Box::new(move |v| hex(&split_part(v, b", ", n))),
        ),
        (
            format!("split_part(s, \"é\", {n})"),
            call(F::SplitPart, vec![s(), Expr::string("é"), int(n)]),
            Reads::Bytes,
            Box::new(move |v| hex(&split_part(v, "é".as_bytes(), n))),
        ),
    ]
}

fn cases() -> Vec<(String, Expr, Reads, Model)> {
    let s = col;
    let text = Expr::string;
    let int = Expr::int;
    let bytes = |f: fn(&[u8]) -> Vec<u8>| -> Model { Box::new(move |v| hex(&f(v))) };
    let cases: Vec<(&str, Expr, Reads, Model)> = vec![
        (
            "length(s)",
            call(F::Length, vec![s()]),
            Reads::Text,
            Box::new(|v| length(v).to_string()),
        ),
        (
            "substring(s, 1, 3)",
            call(F::Substring, vec![s(), int(1), int(3)]),
            Reads::Bytes,
            bytes(|v| substring(v, 1, 3)),
        ),
        (
            "substring(s, 2, 2)",
            call(F::Substring, vec![s(), int(2), int(2)]),
            Reads::Bytes,
            bytes(|v| substring(v, 2, 2)),
        ),
        (
            "substring(s, 4, 100)",
            call(F::Substring, vec![s(), int(4), int(100)]),
            Reads::Bytes,
            bytes(|v| substring(v, 4, 100)),
        ),
        (
            "substring(s, 2, -1)",
            call(F::Substring, vec![s(), int(2), int(-1)]),
            Reads::Bytes,
            bytes(|v| substring(v, 2, -1)),
        ),
        (
            "substring(s, 2, length(s) - 3)",
            call(
                F::Substring,
                vec![
                    s(),
                    int(2),
                    Expr::binary(BinaryOp::Sub, call(F::Length, vec![s()]), int(3)),
                ],
            ),
            Reads::Bytes,
            bytes(|v| substring(v, 2, length(v) - 3)),
        ),
        (
            "split_part(s, \" \", 1)",
            call(F::SplitPart, vec![s(), text(" "), int(1)]),
            Reads::Bytes,
            bytes(|v| split_part(v, b" ", 1)),
        ),
        (
            "split_part(s, \" \", 2)",
            call(F::SplitPart, vec![s(), text(" "), int(2)]),
            Reads::Bytes,
            bytes(|v| split_part(v, b" ", 2)),
        ),
        (
            "split_part(s, \" \", 3)",
            call(F::SplitPart, vec![s(), text(" "), int(3)]),
            Reads::Bytes,
            bytes(|v| split_part(v, b" ", 3)),
        ),
        (
            "split_part(s, \"日本\", 2)",
            call(F::SplitPart, vec![s(), text("日本"), int(2)]),
            Reads::Bytes,
            bytes(|v| split_part(v, "日本".as_bytes(), 2)),
        ),
        (
            "upper(s)",
            call(F::Upper, vec![s()]),
            Reads::Bytes,
            bytes(|v| v.to_ascii_uppercase()),
        ),
        (
            "lower(s)",
            call(F::Lower, vec![s()]),
            Reads::Bytes,
            bytes(|v| v.to_ascii_lowercase()),
        ),
        (
            "trim(s)",
            call(F::Trim, vec![s()]),
            Reads::Bytes,
            bytes(trim),
        ),
        (
            "replace(s, \" \", \"__\")",
            call(F::Replace, vec![s(), text(" "), text("__")]),
            Reads::Bytes,
            bytes(|v| replace(v, b" ", b"__")),
        ),
        (
            "concat(s, \"!\")",
            call(F::Concat, vec![s(), text("!")]),
            Reads::Bytes,
            bytes(|v| [v, b"!"].concat()),
        ),
        (
            "s == concat(substring(s, 1, 2), substring(s, 3, 1000))",
            Expr::binary(
                BinaryOp::Eq,
                s(),
                call(
                    F::Concat,
                    vec![
                        call(F::Substring, vec![s(), int(1), int(2)]),
                        call(F::Substring, vec![s(), int(3), int(1000)]),
                    ],
                ),
            ),
            Reads::Text,
            Box::new(|_| "true".to_owned()),
        ),
    ];
    cases
        .into_iter()
        .map(|(source, expr, reads, model)| (source.to_owned(), expr, reads, model))
        .collect()
}

/// Creates `samples (id, s)` holding `values` from id 1.
fn create_samples(db: &TestDb, values: &[Option<Vec<u8>>]) {
    db.execute("CREATE TABLE samples (id INTEGER PRIMARY KEY, s VARCHAR(100))");
    fill_samples(db, values);
}

/// Replaces the rows of `samples` with `values`, from id 1.
fn fill_samples(db: &TestDb, values: &[Option<Vec<u8>>]) {
    let d = db.dialect();
    db.execute("DELETE FROM samples");
    for (i, value) in values.iter().enumerate() {
        db.execute(&format!(
            "INSERT INTO samples (id, s) VALUES ({}, {})",
            i + 1,
            text_literal(d, value.as_deref())
        ));
    }
    let stored = db.texts(&format!(
        "SELECT {} AS v FROM samples ORDER BY id",
        hex_sql(d, "s")
    ));
    let written: Vec<Option<String>> = values.iter().map(|v| v.as_deref().map(hex)).collect();
    assert_eq!(stored, written, "{d} stores the values as written");
}

/// Each case whose values over `samples` differ from its model's over `values`, described.
fn mismatches(
    db: &TestDb,
    values: &[Option<Vec<u8>>],
    cases: Vec<(String, Expr, Reads, Model)>,
) -> Vec<String> {
    let d = db.dialect();
    let mut failures = Vec::new();
    for (source, expr, reads, model) in cases {
        let sql = match reads {
            Reads::Bytes => hex_sql(d, &expr.render(d).unwrap()),
            Reads::Text => Expr::cast(expr, CastTarget::String).render(d).unwrap(),
        };
        let got = db.texts(&format!("SELECT {sql} AS v FROM samples ORDER BY id"));
        let expected: Vec<Option<String>> =
            values.iter().map(|v| v.as_deref().map(&model)).collect();
        if got != expected {
            failures.push(format!(
                "`{source}`:\n  expected {expected:?}\n  got      {got:?}"
            ));
        }
    }
    failures
}

test_each_dialect! {
    fn text_functions_give_the_model_s_value_for_every_byte(db: &TestDb) {
        let values = values(db.dialect());
        create_samples(db, &values);
        let mut cases = cases();
        cases.extend(varying_cases(3, 2, 2));
        let failures = mismatches(db, &values, cases);
        assert!(failures.is_empty(), "{}:\n{}", db.dialect(), failures.join("\n"));
    }
}

/// Any bytes a text column of the database holds, often spaces, `", "` and NUL: on SQLite any
/// bytes at all, on MySQL any UTF-8 text, on PostgreSQL any UTF-8 text without NUL.
fn stored_bytes(dialect: Dialect) -> BoxedStrategy<Vec<u8>> {
    let piece = match dialect {
        Dialect::Sqlite => prop::collection::vec(any::<u8>(), 1..4).boxed(),
        Dialect::Mysql => any::<char>()
            .prop_map(|c| String::from(c).into_bytes())
            .boxed(),
        Dialect::Postgres => any::<char>()
            .prop_filter("PostgreSQL's text cannot hold NUL", |c| *c != '\0')
            .prop_map(|c| String::from(c).into_bytes())
            .boxed(),
    };
    let nul: &[u8] = if dialect == Dialect::Postgres {
        b"\\u0000"
    } else {
        b"\0"
    };
    prop::collection::vec(
        prop_oneof![
            4 => piece,
            2 => Just(b", ".to_vec()),
            2 => Just(b" ".to_vec()),
            2 => Just(nul.to_vec()),
            1 => Just("é".as_bytes().to_vec()),
        ],
        0..12,
    )
    .prop_map(|pieces| pieces.concat())
    .boxed()
}

/// Over random values, starts, lengths and fields, every case gives the model's value.
fn check_text_functions_over_any_bytes(dialect: Dialect, runs: u32) {
    let db = TestDb::new(dialect);
    create_samples(&db, &[]);
    let strategy = (
        prop::collection::vec(prop::option::weighted(0.9, stored_bytes(dialect)), 1..6),
        1..8usize,
        -2..10i64,
        1..5usize,
    );
    TestRunner::new(Config {
        cases: runs,
        max_shrink_iters: 256,
        failure_persistence: None,
        ..Config::default()
    })
    .run(&strategy, |(values, start, len, n)| {
        fill_samples(&db, &values);
        let mut cases = cases();
        cases.extend(varying_cases(start, len, n));
        let failures = mismatches(&db, &values, cases);
        prop_assert!(failures.is_empty(), "{}", failures.join("\n"));
        Ok(())
    })
    .unwrap_or_else(|failure| panic!("text functions over any bytes on {dialect}: {failure}"));
}

#[test]
fn text_functions_over_any_bytes_on_sqlite() {
    check_text_functions_over_any_bytes(Dialect::Sqlite, 256);
}

#[test]
fn text_functions_over_any_bytes_on_mysql() {
    check_text_functions_over_any_bytes(Dialect::Mysql, 48);
}

#[test]
fn text_functions_over_any_bytes_on_postgres() {
    check_text_functions_over_any_bytes(Dialect::Postgres, 48);
}

#[test]
fn sqlite_year_of_text_holding_a_nul_is_null_as_any_text_that_is_not_a_date() {
    let db = TestDb::new(Dialect::Sqlite);
    let values = [
        Some(b"2024-01-02 03:04:05".to_vec()),
        Some(b"2024-01-02\0x".to_vec()),
        Some(b"\x002024-01-02".to_vec()),
        Some(b"not a date".to_vec()),
    ];
    create_samples(&db, &values);
    let year = Expr::cast(call(F::Year, vec![col()]), CastTarget::String)
        .render(Dialect::Sqlite)
        .unwrap();
    assert_eq!(
        db.texts(&format!("SELECT {year} AS v FROM samples ORDER BY id")),
        [Some("2024".to_owned()), None, None, None]
    );
}

/// The values `codes` is seeded with: those the database holds, NULL and the empty text
/// included, none 10 characters long or more (the CHECK of migration 4).
fn code_values(dialect: Dialect) -> Vec<Option<Vec<u8>>> {
    values(dialect)
        .into_iter()
        .filter(|v| v.as_deref().is_none_or(|v| length(v) < 10))
        .collect()
}

/// `codes.column` by id, as bytes (text) or `as String` (other types).
fn read_codes(db: &TestDb, column: &str, reads: &Reads) -> Vec<Option<String>> {
    let d = db.dialect();
    let sql = match reads {
        Reads::Bytes => hex_sql(d, &Expr::column(column).render(d).unwrap()),
        Reads::Text => Expr::cast(Expr::column(column), CastTarget::String)
            .render(d)
            .unwrap(),
    };
    db.texts(&format!("SELECT {sql} AS v FROM codes ORDER BY id"))
}

fn insert_codes(db: &TestDb, first_id: usize, values: &[Option<Vec<u8>>]) {
    for (i, value) in values.iter().enumerate() {
        db.execute(&format!(
            "INSERT INTO codes (id, code) VALUES ({}, {})",
            first_id + i,
            text_literal(db.dialect(), value.as_deref())
        ));
    }
}

test_each_dialect! {
    fn helpers_compute_every_byte_in_one_transaction_and_online(db: &TestDb) {
        let values = code_values(db.dialect());
        up_to(db, &nul_text::SET, 1).unwrap();
        insert_codes(db, 1, &values);
        up_to(db, &nul_text::SET, 3).unwrap();
        let expect = |model: &dyn Fn(&[u8]) -> String| -> Vec<Option<String>> {
            values.iter().map(|v| v.as_deref().map(model)).collect()
        };
        assert_eq!(read_codes(db, "code_length", &Reads::Text), expect(&|v| length(v).to_string()));
        assert_eq!(read_codes(db, "head", &Reads::Bytes), expect(&|v| hex(&substring(v, 2, 3))));
        assert_eq!(read_codes(db, "second", &Reads::Bytes), expect(&|v| hex(&split_part(v, b" ", 2))));
        assert_eq!(read_codes(db, "shout", &Reads::Bytes), expect(&|v| hex(&trim(v).to_ascii_uppercase())));
        // update! wrote the tail, then the online backfill replaced it.
        assert_eq!(
            read_codes(db, "tail", &Reads::Bytes),
            expect(&|v| hex(&[&split_part(v, b" ", 1)[..], b"|", &substring(v, 2, 2), b"|", &v.to_ascii_lowercase()].concat()))
        );
        // The code itself is untouched.
        assert_eq!(read_codes(db, "code", &Reads::Bytes), expect(&hex));
        up_to(db, &nul_text::SET, 4).unwrap();
    }
}

/// Values 10 characters long or more, each of which SQLite's own `length` would count short.
fn long_values(dialect: Dialect) -> Vec<Option<Vec<u8>>> {
    let mut long = vec![Some(b"abcdefghijk".to_vec())];
    if dialect != Dialect::Postgres {
        long.push(Some(b"ab\0cdefghijkl".to_vec()));
        long.push(Some(b"\0\0\0\0\0\0\0\0\0\0".to_vec()));
    }
    long
}

test_each_dialect! {
    fn a_check_on_the_length_counts_every_byte_before_and_after_it_is_added(db: &TestDb) {
        let d = db.dialect();
        up_to(db, &nul_text::SET, 3).unwrap();
        let long = long_values(d);
        insert_codes(db, 100, &long);
        // The data check names every long row, NUL or not, and adds nothing.
        let message = data_check_message(up_to(db, &nul_text::SET, 4));
        let ids: Vec<String> = (100..100 + long.len()).map(|i| i.to_string()).collect();
        let count = match long.len() {
            1 => "1 row".to_owned(),
            n => format!("{n} rows"),
        };
        assert!(message.contains(&format!("violated in {count}")), "{message}");
        for id in &ids {
            assert!(message.contains(id.as_str()), "{id} in {message}");
        }
        db.execute("DELETE FROM codes WHERE id >= 100");
        up_to(db, &nul_text::SET, 4).unwrap();
        // The constraint in the schema counts every byte too.
        for (i, value) in long.iter().enumerate() {
            let insert = format!(
                "INSERT INTO codes (id, code) VALUES ({}, {})",
                200 + i,
                text_literal(d, value.as_deref())
            );
            assert!(helpers_support::fails(db, &insert), "{d} refuses {value:?}");
        }
        // Nine characters are accepted, NUL bytes or not.
        let short: &[u8] = if d == Dialect::Postgres { b"abcdefghi" } else { b"a\0\0\0\0\0\0\0\0" };
        insert_codes(db, 300, &[Some(short.to_vec())]);
        assert_eq!(read_codes(db, "code", &Reads::Bytes).last(), Some(&Some(hex(short))));
    }
}

test_each_dialect! {
    /// The triggers an online fill installs compute the application's writes with the same
    /// SQL: a row inserted or changed later with NUL bytes gets every byte, not a value cut at
    /// the first NUL.
    fn sync_triggers_compute_the_application_s_writes_byte_for_byte(db: &TestDb) {
        let d = db.dialect();
        db.execute(
            "CREATE TABLE codes (id INTEGER PRIMARY KEY, code VARCHAR(100), code_length INTEGER, \
             head VARCHAR(100), second VARCHAR(100))",
        );
        let code = || Expr::column("code");
        let render = |e: Expr| e.render(d).unwrap();
        let fill = Fill::new(
            "codes",
            "id",
            vec![
                Assignment::new("code_length", render(call(F::Length, vec![code()]))),
                Assignment::new("head", render(call(F::Substring, vec![code(), Expr::int(2), Expr::int(3)]))),
                Assignment::new("second", render(call(F::SplitPart, vec![code(), Expr::string(" "), Expr::int(2)]))),
            ],
            "computed {n} rows".to_owned(),
        );
        let key = Key { columns: vec![KeyColumn::new(d, "id", "INTEGER")] };
        let columns: Vec<String> =
            ["id", "code", "code_length", "head", "second"].map(str::to_owned).to_vec();
        let sync = RowSync::new(d, &fill, "_migrate_sync_test_0001".to_owned(), &key, &columns);
        for statement in sync.install() {
            db.execute(&statement);
        }
        // The application inserts every value, then changes each to the next one.
        let values = code_values(d);
        insert_codes(db, 1, &values);
        let check = |values: &[Option<Vec<u8>>]| {
            let expect = |model: &dyn Fn(&[u8]) -> String| -> Vec<Option<String>> {
                values.iter().map(|v| v.as_deref().map(model)).collect()
            };
            assert_eq!(read_codes(db, "code_length", &Reads::Text), expect(&|v| length(v).to_string()));
            assert_eq!(read_codes(db, "head", &Reads::Bytes), expect(&|v| hex(&substring(v, 2, 3))));
            assert_eq!(read_codes(db, "second", &Reads::Bytes), expect(&|v| hex(&split_part(v, b" ", 2))));
        };
        check(&values);
        let mut rotated = values.clone();
        rotated.rotate_left(1);
        for (i, value) in rotated.iter().enumerate() {
            db.execute(&format!(
                "UPDATE codes SET code = {} WHERE id = {}",
                text_literal(d, value.as_deref()),
                i + 1
            ));
        }
        check(&rotated);
    }
}
