//! The helpers' column types on every database: each maps to the database's own type, takes
//! its values, and is dropped again by the derived `down`.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use migrate_core::Dialect;
use migrate_tests::{TestDb, test_each_dialect};
use std::process::{Command, Output};

/// The `migrate` command over fixture set `set`.
fn run_set(db: &TestDb, set: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_migrate-fixtures"))
        .env("MIGRATE_FIXTURE", set)
        .env_remove("DATABASE_URL")
        .arg("--database-url")
        .arg(db.url())
        .args(args)
        .output()
        .unwrap()
}

fn succeeds(db: &TestDb, args: &[&str]) {
    let output = run_set(db, "types", args);
    assert!(
        output.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The catalog's type of `items.column`, lower-cased.
fn type_of(db: &TestDb, column: &str) -> String {
    let sql = match db.dialect() {
        Dialect::Postgres => format!(
            "SELECT format_type(atttypid, atttypmod) AS v FROM pg_attribute WHERE attrelid = 'items'::regclass AND attname = '{column}'"
        ),
        Dialect::Mysql => format!(
            "SELECT CAST(COLUMN_TYPE AS CHAR) AS v FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'items' AND COLUMN_NAME = '{column}'"
        ),
        Dialect::Sqlite => {
            format!("SELECT type AS v FROM pragma_table_info('items') WHERE name = '{column}'")
        }
    };
    db.texts(&sql)[0].clone().unwrap().to_lowercase()
}

test_each_dialect! {
    fn every_type_maps_to_the_databases_own(db: &TestDb) {
        succeeds(db, &["up", "--to", "1"]);
        db.execute("INSERT INTO items (id, price) VALUES (1, 4.10), (2, 0.01)");
        succeeds(db, &["up"]);
        let expected: [(&str, [&str; 3]); 7] = [
            ("seen_at", ["timestamp with time zone", "datetime(6)", "text"]),
            ("opens", ["time without time zone", "time", "text"]),
            ("attributes", ["jsonb", "longtext", "text"]),
            ("raw_attributes", ["json", "longtext", "text"]),
            ("public_id", ["uuid", "char(36)", "text"]),
            ("thumbnail", ["bytea", "longblob", "blob"]),
            ("total", ["numeric(12,2)", "decimal(12,2)", "decimal(12, 2)"]),
        ];
        let index = match db.dialect() {
            Dialect::Postgres => 0,
            Dialect::Mysql => 1,
            Dialect::Sqlite => 2,
        };
        for (column, types) in expected {
            assert_eq!(type_of(db, column), types[index], "{column}");
        }
        // Values of each type go in and come out.
        let (uuid, json, instant) = match db.dialect() {
            Dialect::Postgres => ("'123e4567-e89b-12d3-a456-426614174000'", "'{\"a\": 1}'", "'2024-01-31 12:00:00+00'"),
            _ => ("'123e4567-e89b-12d3-a456-426614174000'", "'{\"a\": 1}'", "'2024-01-31 12:00:00'"),
        };
        db.execute(&format!(
            "UPDATE items SET public_id = {uuid}, attributes = {json}, raw_attributes = {json}, seen_at = {instant}, opens = '09:30:00' WHERE id = 1"
        ));
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM items WHERE public_id IS NOT NULL AND attributes IS NOT NULL"), 1);
        // NUMERIC arithmetic keeps its scale, also on SQLite (which stores it as a float).
        let totals = db.texts(match db.dialect() {
            Dialect::Mysql => "SELECT CAST(total AS CHAR) AS v FROM items ORDER BY id",
            _ => "SELECT CAST(total AS TEXT) AS v FROM items ORDER BY id",
        });
        let expected_totals = match db.dialect() {
            Dialect::Sqlite => ["12.3", "0.03"],
            _ => ["12.30", "0.03"],
        };
        assert_eq!(totals, expected_totals.map(|t| Some(t.to_owned())));
        succeeds(db, &["down"]);
        assert_eq!(db.columns("items"), ["id", "price"]);
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

test_each_dialect! {
    fn a_transform_that_cannot_read_a_column_is_refused_before_any_change(db: &TestDb) {
        assert!(run_set(db, "types::mismatched", &["up", "--to", "1"]).status.success());
        db.execute("INSERT INTO prices (id, amount, qty) VALUES (1, 2.50, 3), (2, 0.99, NULL)");
        let output = run_set(db, "types::mismatched", &["up", "--to", "2"]);
        let err = text(&output);
        assert_eq!(output.status.code(), Some(5), "{err}");
        assert!(err.contains("reads `prices.qty` as `i32`, but it is NULL in 1 rows"), "{err}");
        assert!(err.contains("declare the parameter as `Option<i32>`"), "{err}");
        assert!(!db.columns("prices").contains(&"note".to_owned()), "nothing changed");
        db.execute("UPDATE prices SET qty = 0 WHERE qty IS NULL");
        assert!(run_set(db, "types::mismatched", &["up", "--to", "2"]).status.success());
        let output = run_set(db, "types::mismatched", &["up", "--to", "3"]);
        if db.dialect() == Dialect::Postgres {
            let err = text(&output);
            assert_eq!(output.status.code(), Some(5), "{err}");
            assert!(err.contains("reads `prices.amount` (numeric(10,2)) as `f64`, which PostgreSQL cannot hand over"), "{err}");
            assert!(!db.columns("prices").contains(&"cents".to_owned()), "nothing changed");
        } else {
            assert!(output.status.success(), "{}", text(&output));
            assert_eq!(db.count("SELECT COUNT(*) AS n FROM prices WHERE cents IN (250, 99)"), 2);
        }
    }
}

test_each_dialect! {
    fn transforms_read_and_write_chrono_uuid_json_and_decimals(db: &TestDb) {
        let output = run_set(db, "types::transformed", &["up", "--to", "1"]);
        assert!(output.status.success(), "{}", text(&output));
        db.execute(
            "INSERT INTO orders (id, placed_at, ref_id, meta, price) VALUES \
             (1, '2024-01-31 23:59:58', '123e4567-e89b-12d3-a456-426614174000', '{\"tag\": \"gift\"}', 10.25), \
             (2, '2023-12-01 00:00:00', '00000000-0000-0000-0000-000000000001', NULL, 0.01), \
             (3, '2000-02-29 12:00:00', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '{\"n\": 1}', 99999999.99)",
        );
        let output = run_set(db, "types::transformed", &["up"]);
        assert!(output.status.success(), "{}", text(&output));
        let cast = if db.dialect() == Dialect::Mysql { "CHAR" } else { "TEXT" };
        let column = |name: &str| db.texts(&format!("SELECT CAST({name} AS {cast}) AS v FROM orders ORDER BY id"));
        assert_eq!(
            column("placed_on"),
            [Some("2024-01-31".to_owned()), Some("2023-12-01".to_owned()), Some("2000-02-29".to_owned())]
        );
        assert_eq!(
            column("tag"),
            [
                Some("123e4567e89b12d3a456426614174000:gift".to_owned()),
                Some("00000000000000000000000000000001:none".to_owned()),
                Some("ffffffffffffffffffffffffffffffff:none".to_owned()),
            ]
        );
        let doubled = column("doubled");
        let expected = match db.dialect() {
            Dialect::Sqlite => ["20.5", "0.02", "199999999.98"],
            _ => ["20.50", "0.02", "199999999.98"],
        };
        assert_eq!(doubled, expected.map(|d| Some(d.to_owned())));
        let meta: Vec<Option<serde_json::Value>> = column("meta_out")
            .into_iter()
            .map(|v| v.map(|v| serde_json::from_str(&v).unwrap()))
            .collect();
        assert_eq!(meta[0], Some(serde_json::json!({"tag": "gift", "seen": true})));
        assert_eq!(meta[1], None);
        assert_eq!(meta[2], Some(serde_json::json!({"n": 1, "seen": true})));
    }
}
