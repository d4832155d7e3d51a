//! The example's `migrate` binary, run as a process against every database.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use assert_cmd::Command;
use migrate_tests::{TestDb, test_each_dialect};
use serde_json::Value;

fn migrate(db: &TestDb) -> Command {
    let mut cmd = Command::cargo_bin("migrate").expect("the example builds a `migrate` binary");
    cmd.arg("--database-url")
        .arg(db.url())
        .env_remove("DATABASE_URL");
    cmd
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn status_json(db: &TestDb) -> Vec<Value> {
    let output = migrate(db).args(["status", "--json"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    match serde_json::from_slice(&output.stdout).expect("status --json prints JSON") {
        Value::Array(rows) => rows,
        other => panic!("expected an array, got {other}"),
    }
}

test_each_dialect! {
    fn up_status_down_round_trip(db: &TestDb) {
        let output = migrate(db).arg("up").output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let text = stdout(&output);
        for line in ["applied 1 create_users", "applied 4 index_orders_customer", "applied 10 migrations"] {
            assert!(text.contains(line), "missing `{line}` in:\n{text}");
        }
        assert!(!text.contains('\x1b'), "no colours when stdout is not a terminal");
        for table in ["users", "customers", "orders"] {
            assert!(db.has_table(table), "{table} exists");
        }
        let rows = status_json(db);
        assert_eq!(rows.len(), 10);
        for (row, id) in rows.iter().zip(1..) {
            assert_eq!(row["id"], id);
            assert_eq!(row["state"], "applied");
            assert!(row["applied_at"].as_str().is_some_and(|t| t.ends_with('Z')), "{row}");
            assert!(row["name"].is_string());
        }

        let output = migrate(db).args(["down", "--to", "0"]).output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(stdout(&output).contains("reverted 10 migrations"));
        assert!(!db.has_table("users"));
        assert!(status_json(db).iter().all(|row| row["state"] == "pending" && row["applied_at"].is_null()));
    }
}

test_each_dialect! {
    fn history_and_check_report_the_database(db: &TestDb) {
        migrate(db).args(["up", "--to", "2"]).assert().success();
        let output = migrate(db).args(["check", "--json"]).output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let check: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(check["ok"], true);
        assert_eq!(check["pending"], serde_json::json!([3, 4, 5, 6, 7, 8, 9, 10]));
        // A deploy gate can demand that nothing is pending.
        migrate(db).args(["check", "--require-up-to-date"]).assert().code(6);
        let output = migrate(db).arg("history").output().unwrap();
        let text = stdout(&output);
        assert!(text.contains("create_customers") && !text.contains("create_orders"), "{text}");
        // An edited migration makes status and check fail, and blocks up.
        db.execute("UPDATE _migrate_history SET checksum = 'x' WHERE id = 2");
        migrate(db).arg("status").assert().code(6);
        migrate(db).arg("check").assert().code(6);
        let output = migrate(db).arg("up").output().unwrap();
        assert_eq!(output.status.code(), Some(6));
        let err = stderr(&output);
        assert!(err.contains("2 `create_customers` was edited after it was applied"), "{err}");
        assert!(err.contains("migrate resolve 2 --accept-checksum"), "{err}");
        assert!(!db.has_table("orders"), "nothing ran");
        migrate(db).args(["resolve", "2", "--accept-checksum"]).assert().success();
        migrate(db).arg("up").assert().success();
    }
}

test_each_dialect! {
    fn dry_run_prints_sql_and_changes_nothing(db: &TestDb) {
        let output = migrate(db).args(["up", "--dry-run"]).output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let text = stdout(&output);
        assert!(text.contains("-- 1 create_users (up)"), "{text}");
        assert!(text.contains("CREATE INDEX orders_customer_id_idx ON orders (customer_id);"), "{text}");
        assert!(!db.has_table("users"));
        migrate(db).args(["up", "--to", "4"]).assert().success();
        let output = migrate(db).args(["down", "--steps", "2", "--dry-run"]).output().unwrap();
        let text = stdout(&output);
        assert!(text.contains("-- 4 index_orders_customer (down)") && text.contains("-- 3 create_orders (down)"), "{text}");
        assert!(!text.contains("-- 2 "), "{text}");
        assert!(db.has_table("orders"));
    }
}

test_each_dialect! {
    fn redo_and_resolve_through_the_command(db: &TestDb) {
        migrate(db).arg("up").assert().success();
        let output = migrate(db).arg("redo").output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(stdout(&output).contains("redid migration 10"));
        migrate(db).args(["resolve", "10", "--mark-reverted"]).assert().success();
        assert_eq!(status_json(db)[9]["state"], "pending");
        migrate(db).args(["resolve", "10", "--retry"]).assert().code(7);
    }
}

#[test]
fn offline_dry_run_prints_each_dialect() {
    for (dialect, marker) in [
        ("postgres", "id SERIAL PRIMARY KEY"),
        ("mysql", "ENGINE=InnoDB"),
        ("sqlite", "id INTEGER PRIMARY KEY"),
    ] {
        let output = Command::cargo_bin("migrate")
            .unwrap()
            .args(["up", "--dry-run", "--dialect", dialect])
            .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            stdout(&output).contains(marker),
            "{dialect}: {}",
            stdout(&output)
        );
    }
}

#[test]
fn bad_urls_and_unreachable_servers_exit_with_distinct_statuses() {
    let run = |url: &str| {
        Command::cargo_bin("migrate")
            .unwrap()
            .args(["--database-url", url, "status"])
            .output()
            .unwrap()
    };
    let output = run("oracle://scott:tiger@db/orcl");
    assert_eq!(output.status.code(), Some(3));
    let err = stderr(&output);
    assert!(
        err.contains("unknown scheme `oracle`") && err.contains("hint:"),
        "{err}"
    );
    assert!(!err.contains("tiger"), "the password is redacted: {err}");

    let output = run("postgres://app:s3cret@127.0.0.1:1/shop");
    assert_eq!(output.status.code(), Some(4));
    let err = stderr(&output);
    assert!(
        err.contains("cannot connect to postgres") && err.contains("server is running"),
        "{err}"
    );
    assert!(!err.contains("s3cret") && err.contains("app:***@"), "{err}");

    let output = run("mysql://root:wrong-password@127.0.0.1:3306/test");
    assert_eq!(output.status.code(), Some(4));
    let err = stderr(&output);
    assert!(err.contains("check the user name and password"), "{err}");
    assert!(!err.contains("wrong-password"), "{err}");

    let output = run("postgres://postgres@127.0.0.1:5432/no_such_database_here");
    assert_eq!(output.status.code(), Some(4));
    assert!(
        stderr(&output).contains("create the database first"),
        "{}",
        stderr(&output)
    );

    let output = run("sqlite:///no/such/dir/shop.db");
    assert_eq!(output.status.code(), Some(4));
    assert!(stderr(&output).contains("directory `/no/such/dir` does not exist"));
}

#[test]
fn url_comes_from_dotenv_then_the_default() {
    let dir = tempdir();
    std::fs::write(dir.join(".env"), "DATABASE_URL=sqlite://from-dotenv.db\n").unwrap();
    let run_in = |dir: &std::path::Path| {
        Command::cargo_bin("migrate")
            .unwrap()
            .current_dir(dir)
            .env_remove("DATABASE_URL")
            .args(["up", "--to", "1"])
            .assert()
            .success();
    };
    run_in(&dir);
    assert!(dir.join("from-dotenv.db").exists());
    std::fs::remove_file(dir.join(".env")).unwrap();
    run_in(&dir);
    assert!(dir.join("shop.db").exists(), "the binary's default URL");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A `.env` that names a database but cannot be parsed, or an empty `DATABASE_URL`, must not
/// fall back to the binary's default database.
#[test]
fn a_configured_but_unusable_url_never_falls_back_to_the_default() {
    let dir = tempdir();
    std::fs::write(
        dir.join(".env"),
        "DATABASE_URL=\"mysql://root:Pass9word@127.0.0.1/prod\n",
    )
    .unwrap();
    let output = Command::cargo_bin("migrate")
        .unwrap()
        .current_dir(&dir)
        .env_remove("DATABASE_URL")
        .arg("up")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("`DATABASE_URL`"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("ss9word"), "{}", stderr(&output));
    std::fs::remove_file(dir.join(".env")).unwrap();
    let output = Command::cargo_bin("migrate")
        .unwrap()
        .current_dir(&dir)
        .env("DATABASE_URL", "")
        .arg("up")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains("the database URL is set but empty"));
    assert!(
        !dir.join("shop.db").exists(),
        "the default database was not used"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_lists_the_commands() {
    let output = Command::cargo_bin("migrate")
        .unwrap()
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = stdout(&output);
    for command in [
        "up", "down", "redo", "status", "history", "check", "new", "resolve",
    ] {
        assert!(
            text.contains(&format!("  {command}")),
            "{command} in:\n{text}"
        );
    }
    Command::cargo_bin("migrate")
        .unwrap()
        .arg("frobnicate")
        .assert()
        .code(2);
}

#[test]
fn new_scaffolds_the_next_migration() {
    let dir = tempdir();
    let module = dir.join("mod.rs");
    std::fs::write(&module, "mod m0010_backfill_order_status;\n").unwrap();
    let output = Command::cargo_bin("migrate")
        .unwrap()
        .args(["new", "add_status", "--module-file"])
        .arg(&module)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let created = std::fs::read_to_string(dir.join("m0011_add_status.rs")).unwrap();
    assert!(
        created.contains("#[migration(id = 11, down = revert_add_status)]"),
        "{created}"
    );
    assert!(created.contains("fn add_status(m: &mut Migration) -> Result<()>"));
    assert!(
        std::fs::read_to_string(&module)
            .unwrap()
            .ends_with("mod m0011_add_status;\n")
    );
    let output = Command::cargo_bin("migrate")
        .unwrap()
        .args(["new", "Add Status", "--module-file"])
        .arg(&module)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(7));
    assert!(stderr(&output).contains("snake_case"));
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "shop-cli-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
