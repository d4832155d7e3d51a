//! Every kind of bad input, as a table: each gets a one-line cause, a hint, its own exit status,
//! and leaves the database as it was.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use migrate_core::Dialect;
use migrate_tests::{TestDb, test_each_dialect};
use std::process::{Command, Output};

fn fixture(set: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_migrate-fixtures"));
    cmd.env("MIGRATE_FIXTURE", set).env_remove("DATABASE_URL");
    cmd
}

fn run(db: &TestDb, set: &str, args: &[&str]) -> Output {
    fixture(set)
        .arg("--database-url")
        .arg(db.url())
        .args(args)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// What a failed command must leave unchanged: the tables and the history.
fn state(db: &TestDb) -> Vec<String> {
    let tables = match db.dialect() {
        Dialect::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS v FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
        }
        Dialect::Mysql => {
            "SELECT CAST(table_name AS CHAR) AS v FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1"
        }
        Dialect::Sqlite => "SELECT name AS v FROM sqlite_master WHERE type = 'table' ORDER BY 1",
    };
    let mut state: Vec<String> = db.texts(tables).into_iter().flatten().collect();
    if state.iter().any(|t| t == "_migrate_history")
        && db.columns("_migrate_history").contains(&"state".to_owned())
    {
        let text = if db.dialect() == Dialect::Mysql {
            "CHAR"
        } else {
            "TEXT"
        };
        state.extend(
            db.texts(&format!(
                "SELECT CAST(id AS {text}) || ':' || state || ':' || checksum AS v FROM _migrate_history ORDER BY id"
            )
            .replace("CAST(id AS CHAR) || ':' || state || ':' || checksum", "CONCAT(id, ':', state, ':', checksum)"))
            .into_iter()
            .flatten(),
        );
    }
    state
}

/// One bad input: the command, and what it must answer.
struct Case {
    what: &'static str,
    set: &'static str,
    args: &'static [&'static str],
    code: i32,
    message: &'static str,
    hint: &'static str,
}

/// Runs `case` against `db` and checks the answer and that nothing changed.
fn check(db: &TestDb, case: &Case) {
    let before = state(db);
    let output = run(db, case.set, case.args);
    let err = stderr(&output);
    assert_eq!(
        output.status.code(),
        Some(case.code),
        "{}: {err}",
        case.what
    );
    assert!(
        err.contains(case.message),
        "{}: expected `{}` in:\n{err}",
        case.what,
        case.message
    );
    assert!(
        err.contains(&format!("hint: {}", case.hint)) || err.contains(case.hint),
        "{}: expected hint `{}` in:\n{err}",
        case.what,
        case.hint
    );
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{}: one error line:\n{err}",
        case.what
    );
    assert_eq!(state(db), before, "{}: the database changed", case.what);
}

test_each_dialect! {
    fn bad_targets_and_histories(db: &TestDb) {
        let up = run(db, "basic", &["up", "--to", "2"]);
        assert!(up.status.success(), "{}", stderr(&up));
        for case in [
            Case { what: "unknown target id", set: "basic", args: &["up", "--to", "99"], code: 7,
                   message: "there is no migration with id 99", hint: "known ids run from 1 to 3" },
            Case { what: "up --to below the current one", set: "basic", args: &["up", "--to", "1"], code: 7,
                   message: "`up --to 1` would go backwards: migration 2 is already applied", hint: "migrate down --to 1" },
            Case { what: "down past the first migration", set: "basic", args: &["down", "--steps", "5"], code: 7,
                   message: "cannot revert 5 migrations: only 2 applied", hint: "`migrate down --to 0` reverts all" },
            Case { what: "down to a migration that is not applied", set: "basic", args: &["down", "--to", "3"], code: 7,
                   message: "migration 3 is not applied", hint: "migrate up --to 3" },
            Case { what: "resolve an unknown id", set: "basic", args: &["resolve", "42", "--mark-applied"], code: 7,
                   message: "there is no migration with id 42", hint: "migrate status" },
            // Marking a pending migration applied would skip it for good without running it.
            Case { what: "mark a pending migration applied", set: "basic", args: &["resolve", "3", "--mark-applied"], code: 7,
                   message: "migration 3 `create_b` is pending: it has not run, so there is nothing to resolve", hint: "to apply it, run `migrate up --to 3`" },
            Case { what: "retry a pending migration", set: "basic", args: &["resolve", "3", "--retry"], code: 7,
                   message: "migration 3 `create_b` is pending; only failed or interrupted migrations can be retried", hint: "migrate status" },
            Case { what: "mark a pending migration reverted", set: "basic", args: &["resolve", "3", "--mark-reverted"], code: 7,
                   message: "it is not in the history, so there is nothing to mark reverted", hint: "migrate status" },
            Case { what: "duplicate ids", set: "duplicate", args: &["up"], code: 11,
                   message: "migration id 7 is used twice", hint: "give one of them another id: 8 is the next free one (change `id = 7` at" },
        ] {
            check(db, &case);
        }
    }
}

test_each_dialect! {
    fn a_history_table_of_another_tool_or_version(db: &TestDb) {
        for (what, ddl) in [
            ("another tool's table", "CREATE TABLE _migrate_history (version VARCHAR(50) PRIMARY KEY, run_on TIMESTAMP)"),
            ("an older version's table", "CREATE TABLE _migrate_history (id BIGINT PRIMARY KEY, name VARCHAR(255), checksum VARCHAR(64), applied_at TIMESTAMP)"),
        ] {
            db.execute(ddl);
            check(db, &Case {
                what, set: "basic", args: &["up"], code: 10,
                message: "table `_migrate_history` exists but is not a history table this version can use",
                hint: "point --history-table at another table name",
            });
            check(db, &Case {
                what, set: "basic", args: &["status"], code: 10,
                message: "it lacks the column(s)", hint: "--history-table",
            });
            db.execute("DROP TABLE _migrate_history");
        }
    }
}

test_each_dialect! {
    fn not_null_over_rows_that_hold_null(db: &TestDb) {
        let up = run(db, "not_null", &["up", "--to", "1"]);
        assert!(up.status.success(), "{}", stderr(&up));
        check(db, &Case {
            what: "NOT NULL over NULLs", set: "not_null", args: &["up"], code: 9,
            message: "cannot make `t.v` NOT NULL: it is NULL in 2 rows (ids 2, 4)",
            hint: "fill those rows first",
        });
        // Still nullable: the constraint was not half-added.
        db.execute("INSERT INTO t (id, v) VALUES (5, NULL)");
    }
}

/// URLs that cannot work, each with its status and the password never shown.
#[test]
fn bad_urls() {
    let cases: &[(&str, &str, i32, &str, &str)] = &[
        (
            "malformed URL",
            "postgres://app:s3cret@db:notaport/shop",
            3,
            "invalid database URL `postgres://app:***@db:notaport/shop`",
            "use postgres://",
        ),
        (
            "unknown scheme",
            "oracle://app:s3cret@db/shop",
            3,
            "unknown scheme `oracle`",
            "use postgres://",
        ),
        (
            "no scheme",
            "shop.db",
            3,
            "it has no scheme",
            "sqlite://path/to/file.db",
        ),
        (
            "unreachable PostgreSQL",
            "postgres://app:s3cret@127.0.0.1:1/shop",
            4,
            "cannot connect to postgres at postgres://app:***@127.0.0.1:1/shop",
            "check that the postgres server is running",
        ),
        (
            "unreachable MySQL",
            "mysql://app:s3cret@127.0.0.1:1/shop",
            4,
            "cannot connect to mysql",
            "check that the mysql server is running",
        ),
        (
            "wrong password",
            "mysql://root:s3cret@127.0.0.1:3306/test",
            4,
            "Access denied",
            "check the user name and password",
        ),
        (
            "unknown role",
            "postgres://no_such_role:s3cret@127.0.0.1:5432/postgres",
            4,
            "no_such_role",
            "check the user name and password",
        ),
        (
            "missing PostgreSQL database",
            "postgres://postgres:s3cret@127.0.0.1:5432/no_such_db",
            4,
            "no_such_db",
            "create the database first",
        ),
        (
            "missing MySQL database",
            "mysql://root@127.0.0.1:3306/no_such_db",
            4,
            "Unknown database",
            "create the database first",
        ),
        (
            "missing SQLite directory",
            "sqlite:///no/such/dir/x.db",
            4,
            "directory `/no/such/dir` does not exist",
            "SQLite creates the database file, but not its directory",
        ),
    ];
    for (what, url, code, message, hint) in cases {
        let output = fixture("basic")
            // Debug logs on, so that the logs are checked for the password too.
            .args(["-vv", "--database-url", url, "status"])
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(*code), "{what}: {err}");
        assert!(
            err.contains(message),
            "{what}: expected `{message}` in:\n{err}"
        );
        assert!(
            err.contains(hint),
            "{what}: expected hint `{hint}` in:\n{err}"
        );
        assert!(
            !err.contains("s3cret"),
            "{what}: the password leaked:\n{err}"
        );
    }
    let output = fixture("basic").arg("status").output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("no database URL given: pass --database-url, set DATABASE_URL")
    );
    let output = fixture("basic")
        .args(["up", "--to", "one"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "bad usage is clap's status 2"
    );
}

test_each_dialect! {
    fn settings_out_of_their_bounds_are_usage_errors(db: &TestDb) {
        for (args, message) in [
            (&["--batch-pause", "4294967296000", "up"][..], "invalid value '4294967296000' for '--batch-pause <MS>': 4294967296000 is not in 0..=60000"),
            (&["--batch-pause", "60001", "up"], "60001 is not in 0..=60000"),
            (&["--batch-pause", "-1", "up"], "unexpected argument '-1' found"),
            (&["--batch-time", "0", "up"], "0 is not in 1..=60000"),
            (&["--batch-time", "3600000", "up"], "3600000 is not in 1..=60000"),
            (&["--max-commit-time", "99999999", "up"], "99999999 is not in 0..=60000"),
            (&["--ddl-lock-timeout", "0", "up"], "0 is not in 1..=600000"),
            (&["--ddl-lock-timeout", "86400000", "up"], "86400000 is not in 1..=600000"),
            (&["--ddl-attempts", "0", "up"], "0 is not in 1..=100"),
            (&["--ddl-attempts", "1000000", "up"], "1000000 is not in 1..=100"),
            (&["--lock-timeout", "99999999999", "up"], "99999999999 is not in 0..=86400"),
        ] {
            check(db, &Case {
                what: "a setting out of its bounds", set: "basic", args, code: 2,
                message, hint: "For more information, try '--help'.",
            });
        }
        // The bounds themselves are accepted.
        let output = run(db, "basic", &["--batch-pause", "60000", "--batch-time", "60000", "--ddl-attempts", "100", "--ddl-lock-timeout", "600000", "--lock-timeout", "86400", "up", "--to", "1"]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
}
