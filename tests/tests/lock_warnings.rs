//! `check` and `up` warn before a migration run in one transaction holds a large table, with
//! the row estimate the catalog gives and the fix; not for a small table, nor for a migration
//! that runs online (`transaction = false`). On every database, with a small
//! `--large-table-rows` so that a thousand rows make a large table.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use migrate_core::Dialect;
use migrate_tests::{TestDb, test_each_dialect};
use std::process::{Command, Output};

const ROWS: i64 = 1000;

fn run(db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_migrate-fixtures"))
        .env("MIGRATE_FIXTURE", "lock_warnings")
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .arg("--database-url")
        .arg(db.url())
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Creates `accounts` with [`ROWS`] rows (names of two words).
fn seed(db: &TestDb) {
    let output = run(db, &["up", "--to", "1"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let sql = match db.dialect() {
        Dialect::Postgres => format!(
            "INSERT INTO accounts (id, full_name, visits) SELECT g, 'Ada Lovelace', 0 FROM generate_series(1, {ROWS}) g"
        ),
        Dialect::Mysql => {
            let digits = "(SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                          UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
            format!(
                "INSERT INTO accounts (id, full_name, visits) SELECT 1 + a.n + 10 * b.n + 100 * c.n, 'Ada Lovelace', 0 \
                 FROM {digits} a CROSS JOIN {digits} b CROSS JOIN {digits} c"
            )
        }
        Dialect::Sqlite => format!(
            "WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {ROWS}) \
             INSERT INTO accounts (id, full_name, visits) SELECT n, 'Ada Lovelace', 0 FROM seq"
        ),
    };
    db.execute(&sql);
}

/// Refreshes the catalog's statistics and returns the estimate it then holds for `accounts`
/// (SQLite keeps none: the exact count, which the warning counts too).
fn catalog_estimate(db: &TestDb) -> i64 {
    match db.dialect() {
        Dialect::Postgres => {
            db.execute("ANALYZE accounts");
            db.count("SELECT CAST(reltuples AS BIGINT) AS n FROM pg_class WHERE oid = to_regclass('accounts')")
        }
        Dialect::Mysql => {
            db.execute("ANALYZE TABLE accounts");
            db.count("SELECT CAST(TABLE_ROWS AS SIGNED) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts'")
        }
        Dialect::Sqlite => db.count("SELECT COUNT(*) AS n FROM accounts"),
    }
}

/// `1,000`.
fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// How the warning shows the size: from the catalog, or counted on SQLite.
fn shown_rows(db: &TestDb, estimate: i64) -> String {
    match db.dialect() {
        Dialect::Sqlite => format!("({} rows, counted)", thousands(estimate)),
        _ => format!("(~{} rows)", thousands(estimate)),
    }
}

/// What the warning says locks the table, per database: the statement, then how.
fn what_locks(dialect: Dialect) -> [&'static str; 2] {
    match dialect {
        Dialect::Postgres => [
            "`ALTER TABLE accounts` (one of",
            "takes an exclusive lock on `accounts`",
        ],
        Dialect::Mysql => ["`ALTER TABLE accounts` (one of", "rebuilds `accounts`"],
        // The recording pass stops at the rebuild (planned from the table as it is, without the
        // columns the migration adds first): the UPDATE is the statement it saw.
        Dialect::Sqlite => [
            "`UPDATE accounts`",
            "reads or rewrites every row of `accounts`",
        ],
    }
}

fn says_what_locks(dialect: Dialect, warning: &str) -> bool {
    what_locks(dialect)
        .iter()
        .all(|part| warning.contains(part))
}

test_each_dialect! {
    fn check_warns_about_a_transactional_migration_on_a_large_table(db: &TestDb) {
        seed(db);
        let estimate = catalog_estimate(db);
        assert!(estimate > 500, "the catalog's estimate is {estimate}");

        let output = run(db, &["check", "--large-table-rows", "500"]);
        let out = stdout(&output);
        assert_eq!(output.status.code(), Some(0), "warnings do not fail the check:\n{out}{}", stderr(&output));
        let warnings: Vec<&str> = out.lines().filter(|l| l.starts_with("warning:")).collect();
        assert_eq!(warnings.len(), 1, "one warning, for migration 2 only:\n{out}");
        let warning = warnings[0];
        assert!(warning.contains("migration 2 split_in_one_transaction"), "{warning}");
        assert!(says_what_locks(db.dialect(), warning), "{warning}");
        assert!(warning.contains(&shown_rows(db, estimate)), "the catalog's estimate {estimate}: {warning}");
        assert!(warning.contains("declare it `transaction = false`"), "{warning}");
        assert!(out.contains("1 lock warning"), "{out}");

        let output = run(db, &["check", "--json", "--large-table-rows", "500"]);
        let report: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
        assert_eq!(report["ok"], true, "{report}");
        let warnings = report["warnings"].as_array().unwrap();
        assert_eq!(warnings.len(), 1, "{report}");
        assert_eq!(warnings[0]["id"], 2);
        assert_eq!(warnings[0]["table"], "accounts");
        assert_eq!(warnings[0]["rows"], estimate);
        let from = if db.dialect() == Dialect::Sqlite { "count" } else { "catalog" };
        assert_eq!(warnings[0]["rows_from"], from);
    }
}

test_each_dialect! {
    fn no_warning_below_the_threshold(db: &TestDb) {
        seed(db);
        let estimate = catalog_estimate(db);
        let above = (estimate + 1).to_string();
        let output = run(db, &["check", "--large-table-rows", &above]);
        assert_eq!(output.status.code(), Some(0));
        assert!(!stdout(&output).contains("warning:"), "{}", stdout(&output));
        let output = run(db, &["check", "--json", "--large-table-rows", &above]);
        let report: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
        assert_eq!(report["warnings"], serde_json::json!([]), "{report}");
        // The default threshold is far above a thousand rows.
        let output = run(db, &["check"]);
        assert!(!stdout(&output).contains("warning:"), "{}", stdout(&output));
    }
}

test_each_dialect! {
    fn up_warns_before_the_transactional_migration_only(db: &TestDb) {
        seed(db);
        let estimate = catalog_estimate(db);
        let output = run(db, &["up", "--large-table-rows", "500"]);
        assert!(output.status.success(), "{}", stderr(&output));
        let err = stderr(&output);
        let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
        // Migration 3 (`transaction = false`) holds the same table, online: no warning.
        assert_eq!(warnings.len(), 1, "{err}");
        assert!(warnings[0].contains("migration 2 split_in_one_transaction"), "{err}");
        assert!(says_what_locks(db.dialect(), warnings[0]), "{err}");
        assert!(warnings[0].contains(&shown_rows(db, estimate)), "{err}");
        assert!(stdout(&output).contains("applied 2 migrations"), "{}", stdout(&output));
        // The warning warns; the migrations ran.
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM accounts WHERE visits = 1"), ROWS);
    }
}

/// PostgreSQL has no estimate for a table never analyzed (`reltuples` is -1): the warning
/// counts the rows instead (up to ten times the threshold), and says so.
#[test]
fn postgres_counts_a_table_never_analyzed() {
    let db = TestDb::new(Dialect::Postgres);
    seed(&db);
    assert_eq!(
        db.count("SELECT CAST(reltuples AS BIGINT) AS n FROM pg_class WHERE oid = to_regclass('accounts')"),
        -1,
        "a fresh table has no estimate"
    );
    let output = run(&db, &["check", "--large-table-rows", "500"]);
    let out = stdout(&output);
    assert!(out.contains("(1,000 rows, counted)"), "{out}");
    let output = run(&db, &["check", "--large-table-rows", "50"]);
    assert!(
        stdout(&output).contains("(more than 500 rows, counted)"),
        "{}",
        stdout(&output)
    );
    let output = run(&db, &["check", "--large-table-rows", "5000"]);
    assert!(!stdout(&output).contains("warning:"), "{}", stdout(&output));
}

/// `up --dry-run` prints the same warnings on stderr; stdout stays the SQL.
#[test]
fn dry_run_warns_on_stderr() {
    let db = TestDb::new(Dialect::Postgres);
    seed(&db);
    catalog_estimate(&db);
    let output = run(&db, &["up", "--dry-run", "--large-table-rows", "500"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("warning: migration 2 split_in_one_transaction"),
        "{}",
        stderr(&output)
    );
    assert!(!stdout(&output).contains("warning:"), "{}", stdout(&output));
}
