//! Property tests on the real databases: split then merge returns any text byte for byte (any
//! bytes a text column holds: NUL and bytes that are not UTF-8 on SQLite, NUL on MySQL), and
//! any valid identifier and any text value survive quoting without changing the statement.
//!
//! Each property runs on one database per dialect, reused across cases: many cases on SQLite,
//! fewer on the servers, where each case costs a few round trips of DDL.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod helpers_support;

use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};
use helpers_support::*;
use migrate_core::{AnyConnection, Dialect, MigrationState};
use migrate_sql::{quote_ident, quote_str, validate_ident};
use migrate_tests::TestDb;
use migrate_tests::fixtures::helpers_split::property;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// A runner of `cases` cases that writes no regression files.
fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        max_shrink_iters: 256,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Any character but NUL, which no text column of PostgreSQL or SQLite can hold.
fn character() -> impl Strategy<Value = String> {
    any::<char>()
        .prop_filter("NUL", |c| *c != '\0')
        .prop_map(String::from)
}

/// Any text without NUL, often holding the separator `", "`, its pieces, quotes and backslashes.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => character(),
            2 => Just(", ".to_owned()),
            1 => Just(",".to_owned()),
            1 => Just(" ".to_owned()),
            1 => prop::sample::select(vec!["'", "\"", "\\", "`", "%", "日本", "🎉"]).prop_map(str::to_owned),
        ],
        0..16,
    )
    .prop_map(|pieces| pieces.concat())
}

/// Runs `sql` with `values` bound as text parameters.
fn execute_bound(
    conn: &mut AnyConnection,
    sql: &str,
    values: &[&str],
) -> diesel::QueryResult<usize> {
    macro_rules! bound {
        ($c:expr) => {{
            let mut query = diesel::sql_query(sql).into_boxed();
            for value in values {
                query = query.bind::<Text, _>(*value);
            }
            query.execute($c)
        }};
    }
    match conn {
        AnyConnection::Postgres(c) => bound!(c),
        AnyConnection::Mysql(c) => bound!(c),
        AnyConnection::Sqlite(c) => bound!(c),
        _ => unreachable!("the tests build every backend"),
    }
}

/// Seeds `samples` with `values`, splits and merges them through the migrations, and checks
/// the parts against the promise and the merged values against the originals.
fn split_round_trip(db: &TestDb, values: &[Option<String>]) -> Result<(), TestCaseError> {
    if state(db, &property::SET, 2) == MigrationState::Applied {
        down_to(db, &property::SET, 1).map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
    let mut conn = db.connect();
    conn.execute("DELETE FROM samples")
        .expect("empty the table");
    let p = |n| db.dialect().placeholder(n);
    for (i, value) in values.iter().enumerate() {
        match value {
            Some(text) => execute_bound(
                &mut conn,
                &format!("INSERT INTO samples (id, v) VALUES ({}, {})", i + 1, p(1)),
                &[text],
            ),
            None => conn.execute(&format!(
                "INSERT INTO samples (id, v) VALUES ({}, NULL)",
                i + 1
            )),
        }
        .expect("insert a sample");
    }

    up_to(db, &property::SET, 2).map_err(|e| TestCaseError::fail(format!("split: {e}")))?;
    for (i, part) in ["a", "b", "c"].into_iter().enumerate() {
        let expected: Vec<Option<String>> = values
            .iter()
            .map(|v| split_reference(v.as_deref(), ", ", 3)[i].clone())
            .collect();
        prop_assert_eq!(column(db, "samples", part), expected, "part `{}`", part);
    }
    down_to(db, &property::SET, 1).map_err(|e| TestCaseError::fail(format!("merge: {e}")))?;
    prop_assert_eq!(column(db, "samples", "v"), values.to_vec());
    Ok(())
}

fn check_split_round_trips(dialect: Dialect, cases: u32) {
    let db = TestDb::new(dialect);
    up_to(&db, &property::SET, 1).unwrap();
    let values = prop::collection::vec(prop::option::weighted(0.9, text()), 1..6);
    runner(cases)
        .run(&values, |values| split_round_trip(&db, &values))
        .unwrap_or_else(|failure| panic!("split then merge on {dialect}: {failure}"));
}

#[test]
fn split_then_merge_restores_any_text_on_sqlite() {
    check_split_round_trips(Dialect::Sqlite, 256);
}

#[test]
fn split_then_merge_restores_any_text_on_postgres() {
    check_split_round_trips(Dialect::Postgres, 32);
}

#[test]
fn split_then_merge_restores_any_text_on_mysql() {
    check_split_round_trips(Dialect::Mysql, 24);
}

/// Any bytes a text column of the database can hold, often holding the separator `", "`, its
/// pieces and NUL: on SQLite any bytes at all (NUL, bytes that are not UTF-8), on MySQL any
/// UTF-8 text (NUL included), on PostgreSQL any UTF-8 text without NUL.
fn stored_bytes(dialect: Dialect) -> BoxedStrategy<Vec<u8>> {
    let piece = match dialect {
        Dialect::Sqlite => prop::collection::vec(any::<u8>(), 1..4).boxed(),
        Dialect::Mysql => any::<char>()
            .prop_map(|c| String::from(c).into_bytes())
            .boxed(),
        Dialect::Postgres => character().prop_map(String::into_bytes).boxed(),
    };
    // PostgreSQL's text cannot hold NUL.
    let nul: &[u8] = if dialect == Dialect::Postgres {
        b","
    } else {
        b"\0"
    };
    prop::collection::vec(
        prop_oneof![
            4 => piece,
            2 => Just(b", ".to_vec()),
            1 => Just(b",".to_vec()),
            1 => Just(b" ".to_vec()),
            2 => Just(nul.to_vec()),
        ],
        0..16,
    )
    .prop_map(|pieces| pieces.concat())
    .boxed()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// `bytes` as a text literal of the database, whatever they hold.
fn text_literal(dialect: Dialect, bytes: &[u8]) -> String {
    let hex = hex(bytes);
    match dialect {
        Dialect::Sqlite => format!("CAST(X'{hex}' AS TEXT)"),
        Dialect::Mysql => format!("CONVERT(X'{hex}' USING utf8mb4)"),
        Dialect::Postgres => format!("convert_from(decode('{hex}', 'hex'), 'UTF8')"),
    }
}

/// The bytes of `samples.column` by id, read as hexadecimal so that no client conversion
/// touches them; on SQLite a value that is not TEXT (or NULL) fails the test.
fn stored(db: &TestDb, column: &str) -> Vec<Option<Vec<u8>>> {
    let hex = match db.dialect() {
        Dialect::Sqlite => format!(
            "CASE typeof({column}) WHEN 'null' THEN NULL WHEN 'text' THEN hex(CAST({column} AS BLOB)) ELSE 'not text' END"
        ),
        Dialect::Mysql => format!("HEX({column})"),
        Dialect::Postgres => format!("upper(encode(convert_to({column}, 'UTF8'), 'hex'))"),
    };
    db.texts(&format!("SELECT {hex} AS v FROM samples ORDER BY id"))
        .into_iter()
        .map(|v| {
            v.map(|h| {
                (0..h.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&h[i..i + 2], 16).expect("hex of the bytes"))
                    .collect()
            })
        })
        .collect()
}

/// [`split_reference`] on bytes.
fn split_bytes(value: Option<&[u8]>, separator: &[u8], parts: usize) -> Vec<Option<Vec<u8>>> {
    let mut rest = value.map(<[u8]>::to_vec);
    let mut out = Vec::with_capacity(parts);
    for _ in 1..parts {
        let Some(bytes) = rest.take() else {
            out.push(None);
            continue;
        };
        match bytes.windows(separator.len()).position(|w| w == separator) {
            Some(at) => {
                out.push(Some(bytes[..at].to_vec()));
                rest = Some(bytes[at + separator.len()..].to_vec());
            }
            None => out.push(Some(bytes)),
        }
    }
    out.push(rest);
    out
}

/// As [`split_round_trip`], on the bytes of the values.
fn split_round_trip_bytes(db: &TestDb, values: &[Option<Vec<u8>>]) -> Result<(), TestCaseError> {
    if state(db, &property::SET, 2) == MigrationState::Applied {
        down_to(db, &property::SET, 1).map_err(|e| TestCaseError::fail(e.to_string()))?;
    }
    db.execute("DELETE FROM samples");
    for (i, value) in values.iter().enumerate() {
        let literal = value
            .as_deref()
            .map_or("NULL".to_owned(), |v| text_literal(db.dialect(), v));
        db.execute(&format!(
            "INSERT INTO samples (id, v) VALUES ({}, {literal})",
            i + 1
        ));
    }
    prop_assert_eq!(stored(db, "v"), values.to_vec(), "stored as written");
    up_to(db, &property::SET, 2).map_err(|e| TestCaseError::fail(format!("split: {e}")))?;
    for (i, part) in ["a", "b", "c"].into_iter().enumerate() {
        let expected: Vec<Option<Vec<u8>>> = values
            .iter()
            .map(|v| split_bytes(v.as_deref(), b", ", 3)[i].clone())
            .collect();
        prop_assert_eq!(stored(db, part), expected, "part `{}`", part);
    }
    down_to(db, &property::SET, 1).map_err(|e| TestCaseError::fail(format!("merge: {e}")))?;
    prop_assert_eq!(stored(db, "v"), values.to_vec());
    Ok(())
}

fn check_split_round_trips_bytes(dialect: Dialect, cases: u32) {
    let db = TestDb::new(dialect);
    up_to(&db, &property::SET, 1).unwrap();
    let values = prop::collection::vec(prop::option::weighted(0.9, stored_bytes(dialect)), 1..6);
    runner(cases)
        .run(&values, |values| split_round_trip_bytes(&db, &values))
        .unwrap_or_else(|failure| panic!("split then merge of bytes on {dialect}: {failure}"));
}

#[test]
fn split_then_merge_restores_any_bytes_on_sqlite() {
    check_split_round_trips_bytes(Dialect::Sqlite, 256);
}

#[test]
fn split_then_merge_restores_any_bytes_on_postgres() {
    check_split_round_trips_bytes(Dialect::Postgres, 32);
}

#[test]
fn split_then_merge_restores_any_bytes_on_mysql() {
    check_split_round_trips_bytes(Dialect::Mysql, 24);
}

/// Any name `validate_ident` accepts, often made of quotes, SQL punctuation and names that
/// databases reserve.
fn identifier() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => character(),
        2 => prop::sample::select(vec![
            "\"", "`", "'", "\\", ";", "--", "/*", ".", " ", "DROP TABLE x", "sqlite_", "pg_", "ß", "日本",
        ])
        .prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 1..12)
        .prop_map(|pieces| pieces.concat())
        .prop_filter("a valid identifier", |name| validate_ident(name).is_ok())
}

/// Texts of one column read from `sql`.
fn strings(conn: &mut AnyConnection, sql: &str) -> Vec<Option<String>> {
    #[derive(QueryableByName)]
    struct Value {
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        v: Option<String>,
    }
    let rows: Vec<Value> = match conn {
        AnyConnection::Postgres(c) => diesel::sql_query(sql).load(c),
        AnyConnection::Mysql(c) => diesel::sql_query(sql).load(c),
        AnyConnection::Sqlite(c) => diesel::sql_query(sql).load(c),
        _ => unreachable!("the tests build every backend"),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.into_iter().map(|r| r.v).collect()
}

/// The table names of the database, as its catalog spells them.
fn table_names(conn: &mut AnyConnection) -> Vec<String> {
    let sql = match conn.dialect() {
        Dialect::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS v FROM information_schema.tables WHERE table_schema = current_schema()"
        }
        Dialect::Mysql => {
            "SELECT CAST(table_name AS CHAR) AS v FROM information_schema.tables WHERE table_schema = DATABASE()"
        }
        Dialect::Sqlite => "SELECT name AS v FROM sqlite_master WHERE type = 'table'",
    };
    strings(conn, sql).into_iter().flatten().collect()
}

/// Creates table `table` with the one column `column`, stores `value` as a literal, reads it
/// back, and drops the table: each name must be created as given, and nothing else.
fn quoted_round_trip(
    db: &TestDb,
    table: &str,
    column: &str,
    value: &str,
) -> Result<(), TestCaseError> {
    let dialect = db.dialect();
    let (t, c) = (quote_ident(dialect, table), quote_ident(dialect, column));
    let literal = quote_str(dialect, value).expect("no NUL in the value");
    let mut conn = db.connect();
    let run = |conn: &mut AnyConnection, sql: &str| {
        conn.batch_execute(sql)
            .map_err(|e| TestCaseError::fail(format!("{sql}: {e}")))
    };
    run(&mut conn, &format!("CREATE TABLE {t} ({c} TEXT)"))?;
    let outcome = (|| {
        prop_assert_eq!(
            table_names(&mut conn),
            vec![table.to_owned()],
            "the table is created under its name"
        );
        run(
            &mut conn,
            &format!("INSERT INTO {t} ({c}) VALUES ({literal})"),
        )?;
        prop_assert_eq!(
            strings(&mut conn, &format!("SELECT {c} AS v FROM {t}")),
            vec![Some(value.to_owned())]
        );
        let by_value = format!("SELECT {c} AS v FROM {t} WHERE {c} = {literal}");
        prop_assert_eq!(
            strings(&mut conn, &by_value).len(),
            1,
            "the literal compares equal to the stored value"
        );
        Ok(())
    })();
    run(&mut conn, &format!("DROP TABLE {t}"))?;
    outcome
}

fn check_quoting(dialect: Dialect, cases: u32) {
    let db = TestDb::new(dialect);
    let input = (identifier(), identifier(), text());
    runner(cases)
        .run(&input, |(table, column, value)| {
            quoted_round_trip(&db, &table, &column, &value)
        })
        .unwrap_or_else(|failure| panic!("quoting on {dialect}: {failure}"));
}

#[test]
fn any_valid_name_and_any_text_round_trip_through_quoting_on_sqlite() {
    check_quoting(Dialect::Sqlite, 512);
}

#[test]
fn any_valid_name_and_any_text_round_trip_through_quoting_on_postgres() {
    check_quoting(Dialect::Postgres, 64);
}

#[test]
fn any_valid_name_and_any_text_round_trip_through_quoting_on_mysql() {
    check_quoting(Dialect::Mysql, 64);
}
