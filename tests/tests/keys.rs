//! Batched helpers on every key shape a real schema has: integers of any sign and size, text in
//! the database's own collation, UUIDs, composite keys, a unique index instead of a primary
//! key; and the mistakes, refused before anything changes: a `key =` that repeats, a table
//! with no key. A property test draws random key shapes and rows.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use migrate_core::{Dialect, Registry, Runner};
use migrate_tests::fixtures::keys;
use migrate_tests::{TestDb, test_each_dialect};
use proptest::prelude::*;
use std::process::{Command, Output};

fn run(db: &TestDb, set: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_migrate-fixtures"))
        .env("MIGRATE_FIXTURE", set)
        .env_remove("DATABASE_URL")
        .arg("--database-url")
        .arg(db.url())
        .args(args)
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn succeeds(db: &TestDb, set: &str, args: &[&str]) -> String {
    let output = run(db, set, args);
    assert!(output.status.success(), "{args:?}: {}", text(&output));
    text(&output)
}

/// Rows of `table` whose `out_v` is not `v * factor + plus` (NULL staying NULL).
fn wrong(db: &TestDb, table: &str, factor: i64, plus: i64) -> i64 {
    db.count(&format!(
        "SELECT COUNT(*) AS n FROM {table} WHERE NOT ((v IS NULL AND out_v IS NULL) OR out_v = v * {factor} + {plus})"
    ))
}

test_each_dialect! {
    fn every_key_shape_is_walked_completely(db: &TestDb) {
        succeeds(db, "keys::shapes", &["up", "--to", "1"]);
        db.execute(
            "INSERT INTO k_int (id, v) VALUES (-9223372036854775808, 1), (-5, 2), (0, NULL), (1, 4), (2, 5), (3, 6), (7, 7), (8, 8), (1000000000000, 9), (9223372036854775807, 10)",
        );
        db.execute(
            "INSERT INTO k_text (code, v) VALUES ('a', 1), ('B', 2), ('c', 3), ('Z', 4), ('é', 5), ('ab', 6), ('a b', 7), ('it''s', 8), ('', 9), ('10', 10), ('9', NULL)",
        );
        db.execute(
            "INSERT INTO k_uuid (id, v) VALUES ('00000000-0000-0000-0000-000000000000', 1), ('ffffffff-ffff-ffff-ffff-ffffffffffff', 2), \
             ('123e4567-e89b-12d3-a456-426614174000', 3), ('9b2c1f6e-1d2a-4f5b-8c3d-2e1f0a9b8c7d', 4), ('0a0b0c0d-0000-4000-8000-000000000001', 5), \
             ('7f000001-0000-4000-8000-000000000002', NULL), ('deadbeef-0000-4000-8000-000000000003', 7)",
        );
        db.execute(
            "INSERT INTO k_pair (issue_id, tag, v) VALUES (1, 'bug', 1), (1, 'ui', 2), (1, 'api', 3), (2, 'bug', 4), (-3, 'x', 5), (2, 'ü', NULL), (10, 'a', 7), (2, 'api', 8)",
        );
        db.execute("INSERT INTO k_unique (a, v) VALUES (5, 1), (6, 2), (7, 3), (8, 4), (9, NULL), (-1, 6), (15, 7)");
        let out = succeeds(db, "keys::shapes", &["up", "--to", "2"]);
        for table in ["k_int", "k_text", "k_uuid", "k_pair", "k_unique"] {
            assert_eq!(wrong(db, table, 2, 0), 0, "{table}: every row done once:\n{out}");
        }
        assert!(out.contains("backfill k_int.out_v: 10 rows in 4 batches"), "{out}");
        assert!(out.contains("backfill k_text.out_v: 11 rows in 4 batches"), "{out}");
        assert!(out.contains("transform k_pair.out_v: 8 rows in 3 batches"), "{out}");
        succeeds(db, "keys::shapes", &["up", "--to", "3"]);
        assert_eq!(wrong(db, "k_pair", 2, 1), 0);
    }
}

/// `status` as the command prints it.
fn status(db: &TestDb, set: &str) -> String {
    text(&run(db, set, &["status"]))
}

test_each_dialect! {
    fn a_key_that_repeats_is_refused_before_any_change(db: &TestDb) {
        succeeds(db, "keys::not_unique", &["up", "--to", "1"]);
        db.execute("INSERT INTO tags (issue_id, tag, weight) VALUES (1, 'a', 1), (1, 'b', 2), (2, 'a', 3)");
        let output = run(db, "keys::not_unique", &["up"]);
        let err = text(&output);
        assert_eq!(output.status.code(), Some(5), "{err}");
        assert!(err.contains("`key = issue_id` is not a unique key of `tags`"), "{err}");
        assert!(err.contains("(issue_id, tag) (the primary key)"), "{err}");
        assert!(err.contains("nothing was changed"), "{err}");
        assert!(!db.columns("tags").contains(&"note".to_owned()), "the first step did not run");
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM tags WHERE weight IN (1, 2, 3)"), 3);
        assert!(status(db, "keys::not_unique").contains("pending"));
    }
}

test_each_dialect! {
    fn a_table_without_a_key_is_refused_before_any_change(db: &TestDb) {
        succeeds(db, "keys::no_key", &["up", "--to", "1"]);
        db.execute("INSERT INTO log (line, v) VALUES (1, 0), (1, 0)");
        let output = run(db, "keys::no_key", &["up"]);
        let err = text(&output);
        assert_eq!(output.status.code(), Some(5), "{err}");
        assert!(err.contains("`log` has no key to walk it by in batches: it has no primary key and no unique index"), "{err}");
        assert!(err.contains("add a primary key"), "{err}");
        assert!(!db.columns("log").contains(&"note".to_owned()), "the first step did not run");
    }
}

/// A key column's SQL type, per dialect, and how to write the `i`-th value of that type.
#[derive(Debug, Clone, Copy)]
enum KeyType {
    Int,
    Text,
}

impl KeyType {
    fn sql(self) -> &'static str {
        match self {
            KeyType::Int => "BIGINT",
            KeyType::Text => "VARCHAR(40)",
        }
    }
}

fn key_type() -> impl Strategy<Value = KeyType> {
    prop_oneof![Just(KeyType::Int), Just(KeyType::Text)]
}

/// A key value of `ty`: extreme and negative integers, text with quotes, spaces, case and
/// non-ASCII letters (distinct under every collation, since each row gets its own prefix).
fn value(ty: KeyType, row: usize, seed: i64) -> String {
    match ty {
        KeyType::Int => {
            let picks = [i64::MIN, -1_000_000, -1, 0, 1, 42, i64::MAX];
            let v = if row < picks.len() && seed % 2 == 0 {
                picks[row]
            } else {
                seed.wrapping_mul(row as i64 + 1) / 3
            };
            v.to_string()
        }
        KeyType::Text => {
            let parts = ["a", "B", "ß", "it's", " x", "Zz", "é", "0"];
            format!(
                "'{row:03}{}'",
                parts[(seed.unsigned_abs() as usize + row) % parts.len()].replace('\'', "''")
            )
        }
    }
}

/// Creates `kp` with a key of `types`, fills it with `rows` rows (NULL `v` on some) and walks
/// it; every row must end with `out_v = v + 1`, exactly once.
fn walk_random_key(db: &TestDb, registry: &Registry, types: &[KeyType], rows: usize, seed: i64) {
    db.execute("DROP TABLE IF EXISTS kp");
    db.execute("DROP TABLE IF EXISTS _migrate_history");
    let columns: Vec<String> = types
        .iter()
        .enumerate()
        .map(|(i, t)| format!("k{i} {} NOT NULL", t.sql()))
        .collect();
    let key: Vec<String> = (0..types.len()).map(|i| format!("k{i}")).collect();
    db.execute(&format!(
        "CREATE TABLE kp ({}, v INTEGER, out_v INTEGER, PRIMARY KEY ({}))",
        columns.join(", "),
        key.join(", ")
    ));
    let mut values = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in 0..rows {
        let tuple: Vec<String> = types
            .iter()
            .enumerate()
            .map(|(i, t)| value(*t, row, seed.wrapping_add(i as i64)))
            .collect();
        if !seen.insert(tuple.clone()) {
            continue;
        }
        let v = if row % 4 == 3 {
            "NULL".to_owned()
        } else {
            row.to_string()
        };
        values.push(format!("({}, {v})", tuple.join(", ")));
    }
    if !values.is_empty() {
        db.execute(&format!(
            "INSERT INTO kp ({}, v) VALUES {}",
            key.join(", "),
            values.join(", ")
        ));
    }
    let mut conn = db.connect();
    Runner::new(&mut conn, registry).up(None).unwrap();
    let total = db.count("SELECT COUNT(*) AS n FROM kp");
    assert_eq!(total, values.len() as i64);
    assert_eq!(wrong(db, "kp", 1, 1), 0, "{types:?}: every row set once");
}

fn property(dialect: Dialect, cases: u32) {
    let db = TestDb::new(dialect);
    let registry = keys::property::SET.registry().unwrap();
    let config = ProptestConfig {
        cases,
        ..ProptestConfig::default()
    };
    proptest!(config, |(types in prop::collection::vec(key_type(), 1..=3), rows in 0usize..12, seed in any::<i64>())| {
        walk_random_key(&db, &registry, &types, rows, seed);
    });
}

#[test]
fn random_key_shapes_on_sqlite() {
    property(Dialect::Sqlite, 48);
}

#[test]
fn random_key_shapes_on_postgres() {
    property(Dialect::Postgres, 16);
}

#[test]
fn random_key_shapes_on_mysql() {
    property(Dialect::Mysql, 12);
}

/// The bundled SQLite is built with `SQLITE_DQS=0`: a double-quoted name that names no column
/// is an error, never a string literal (which once made a batch condition compare text).
#[test]
fn sqlite_double_quoted_names_are_never_strings() {
    let db = TestDb::new(Dialect::Sqlite);
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
    let mut conn = db.connect();
    let error = conn
        .batch_execute("SELECT \"no_such_column\" FROM t")
        .expect_err("an unknown double-quoted name is an error");
    assert!(error.to_string().contains("no such column"), "{error}");
}

/// A migration's `SET search_path` does not leak into the next migration of the run.
#[test]
fn postgres_each_migration_starts_with_the_commands_search_path() {
    let db = TestDb::new(Dialect::Postgres);
    db.execute("CREATE SCHEMA app");
    succeeds(&db, "session", &["up"]);
    let schema_of = |table: &str| {
        db.texts(&format!(
            "SELECT CAST(table_schema AS TEXT) AS v FROM information_schema.tables WHERE table_name = '{table}'"
        ))
    };
    assert_eq!(schema_of("in_app"), [Some("app".to_owned())]);
    assert_eq!(schema_of("after_it"), [Some("public".to_owned())]);
}

/// Helpers name a table of another schema as `schema.table` (`schema.table.column`).
#[test]
fn postgres_helpers_work_on_a_table_of_another_schema() {
    let db = TestDb::new(Dialect::Postgres);
    db.execute(
        "CREATE SCHEMA app; \
         CREATE TABLE app.issues (id SERIAL PRIMARY KEY, title TEXT NOT NULL, points INTEGER); \
         INSERT INTO app.issues (title) VALUES ('Crash On Start'), ('Slow'), ('Typo'), ('Unicode Title'), ('Last'); \
         CREATE TABLE public.issues (id SERIAL PRIMARY KEY, title TEXT NOT NULL, points INTEGER); \
         INSERT INTO public.issues (title, points) VALUES ('untouched', 7)",
    );
    let out = succeeds(&db, "schemas", &["up"]);
    assert_eq!(
        db.count("SELECT COUNT(*) AS n FROM app.issues WHERE slug = lower(title) AND points = 2"),
        5,
        "{out}"
    );
    assert!(out.contains("`app.issues` rows: 5"), "{out}");
    assert!(out.contains("verified every issue has two points"), "{out}");
    assert_eq!(
        db.count(
            "SELECT COUNT(*) AS n FROM public.issues WHERE points = 7 AND title = 'untouched'"
        ),
        1
    );
    assert!(
        !db.columns("issues").contains(&"slug".to_owned()),
        "public.issues unchanged"
    );
}
