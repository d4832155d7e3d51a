//! The faults a red team found, each replayed as a process against the databases it concerns:
//! passwords in every kind of message, output that cannot be written, runs cut short in one
//! direction and resumed in the other, a MySQL DDL statement the server finished after its
//! client died, a connection lost mid-run, and history table names a database would truncate.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use migrate_core::Dialect;
use migrate_tests::{TestDb, test_each_dialect};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn fixture(set: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_migrate-fixtures"));
    cmd.env("MIGRATE_FIXTURE", set).env_remove("DATABASE_URL");
    cmd
}

fn on(db: &TestDb, set: &str) -> Command {
    let mut cmd = fixture(set);
    cmd.arg("--database-url").arg(db.url());
    cmd
}

fn run(db: &TestDb, set: &str, args: &[&str]) -> Output {
    on(db, set).args(args).output().unwrap()
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

fn fill_big(db: &TestDb, rows: i64) {
    let digits = "(SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                  UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
    db.execute(&format!(
        "INSERT INTO big (id, v) SELECT id, id FROM (SELECT 1 + a.n + 10 * b.n + 100 * c.n + 1000 * d.n + 10000 * e.n + 100000 * f.n AS id \
         FROM {digits} a CROSS JOIN {digits} b CROSS JOIN {digits} c CROSS JOIN {digits} d CROSS JOIN {digits} e CROSS JOIN {digits} f) ids \
         WHERE id <= {rows}"
    ));
}

/// Puts migration 2's history row back to `running` in `direction` with no step finished, as a
/// runner killed at its first statement leaves it.
fn mark_running(db: &TestDb, direction: &str) {
    db.execute(&format!(
        "UPDATE _migrate_history SET state = 'running', operation = '{direction}', steps_done = 0 WHERE id = 2"
    ));
}

fn filled(db: &TestDb) -> i64 {
    db.count("SELECT COUNT(*) AS n FROM big WHERE extra = 'filled'")
}

#[test]
fn no_message_shows_a_password_whatever_the_url_shape() {
    let urls = [
        "postgres://postgres:Pa#ss9word@127.0.0.1/db",
        "postgres://postgres:Pa/ss9word@127.0.0.1/db",
        "postgres://postgres:Pa?ss9word@127.0.0.1/db",
        "postgres:postgres:Pass9word@127.0.0.1/x",
        "mysql:root:Pass9word@127.0.0.1/x",
        "mysql://root:Pa#ss9word@127.0.0.1:3306/test",
    ];
    for url in urls {
        // With debug logs, so that log lines are checked too.
        let output = fixture("basic")
            .args(["-vv", "--database-url", url, "status"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(3), "{url}: {}", text(&output));
        assert!(
            !text(&output).contains("ss9word"),
            "{url} leaked:\n{}",
            text(&output)
        );
        assert!(
            text(&output).contains("invalid database URL"),
            "{}",
            text(&output)
        );
        // Passed where no argument is expected, the argument parser echoes it.
        let output = fixture("basic").args(["status", url]).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{url}: {}", text(&output));
        assert!(
            !text(&output).contains("ss9word"),
            "{url} leaked:\n{}",
            text(&output)
        );
        assert!(
            text(&output).contains("unexpected argument"),
            "{}",
            text(&output)
        );
    }
}

#[test]
fn a_malformed_dotenv_stops_the_command_without_echoing_it() {
    let dir = std::env::temp_dir().join(format!("migrate-faults-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(".env"),
        "RUST_LOG=warn\nDATABASE_URL=\"mysql://root:Pass9word@127.0.0.1/prod\n",
    )
    .unwrap();
    let output = fixture("basic")
        .current_dir(&dir)
        .arg("status")
        .output()
        .unwrap();
    let all = text(&output);
    assert_eq!(output.status.code(), Some(3), "{all}");
    assert!(
        all.contains("line 2 is malformed (it sets `DATABASE_URL`"),
        "{all}"
    );
    assert!(!all.contains("ss9word"), "{all}");
    std::fs::remove_dir_all(&dir).unwrap();
}

test_each_dialect! {
    fn output_that_cannot_be_written_never_stops_a_migration(db: &TestDb) {
        // stdout on a full device.
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let output = on(db, "unrecorded").arg("up").stdout(full).output().unwrap();
        assert!(output.status.success(), "{}", text(&output));
        assert!(String::from_utf8_lossy(&output.stderr).contains("could not be written to stdout"));
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM _migrate_history WHERE state = 'applied'"), 2);
        // stdout a pipe whose reader is gone (`migrate down | head -0`).
        let mut child = on(db, "unrecorded")
            .args(["down", "--to", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", text(&output));
        assert!(!db.has_table("big"), "reverted completely");
        // stderr on a full device: the failure keeps its own exit status (no panic, 101).
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
        let output = on(db, "unrecorded").args(["up", "--to", "7"]).stderr(full).output().unwrap();
        assert_eq!(output.status.code(), Some(7));
    }
}

test_each_dialect! {
    fn a_run_cut_short_names_the_command_that_finishes_it(db: &TestDb) {
        succeeds(db, "unrecorded", &["up", "--to", "1"]);
        fill_big(db, 50);
        succeeds(db, "unrecorded", &["up"]);

        // `up` of migration 2 killed at its first statement, then `down`: the hint must work.
        mark_running(db, "up");
        db.execute("ALTER TABLE big DROP COLUMN extra");
        let output = run(db, "unrecorded", &["down", "--to", "1"]);
        assert_eq!(output.status.code(), Some(6), "{}", text(&output));
        assert!(text(&output).contains("2 `add_extra` was interrupted while being applied"), "{}", text(&output));
        assert!(text(&output).contains("finish applying it with `migrate resolve 2 --retry`"), "{}", text(&output));
        let status = run(db, "unrecorded", &["status"]);
        assert!(text(&status).contains("interrupted"), "nobody runs it: {}", text(&status));
        succeeds(db, "unrecorded", &["resolve", "2", "--retry"]);
        assert_eq!(filled(db), 50);
        succeeds(db, "unrecorded", &["down", "--to", "1"]);
        assert!(!db.columns("big").contains(&"extra".to_owned()));

        // `down` of migration 2 killed at its first statement, then `up`.
        succeeds(db, "unrecorded", &["up"]);
        mark_running(db, "down");
        let output = run(db, "unrecorded", &["up"]);
        assert_eq!(output.status.code(), Some(6), "{}", text(&output));
        assert!(text(&output).contains("was interrupted while being reverted"), "{}", text(&output));
        assert!(text(&output).contains("finish reverting it with `migrate resolve 2 --retry`"), "{}", text(&output));
        succeeds(db, "unrecorded", &["resolve", "2", "--retry"]);
        assert!(!db.columns("big").contains(&"extra".to_owned()));
        succeeds(db, "unrecorded", &["up"]);
        assert_eq!(filled(db), 50);
    }
}

test_each_dialect! {
    fn history_table_names_the_database_would_change_are_refused(db: &TestDb) {
        let name = match db.dialect() {
            Dialect::Postgres => "h".repeat(64),
            Dialect::Mysql => "h".repeat(65),
            Dialect::Sqlite => String::new(),
        };
        for command in [&["up"][..], &["status"], &["down", "--to", "0"]] {
            let output = on(db, "basic").arg("--history-table").arg(&name).args(command).output().unwrap();
            assert_eq!(output.status.code(), Some(3), "{command:?}: {}", text(&output));
            assert!(text(&output).contains("cannot use"), "{}", text(&output));
            assert!(text(&output).contains("--history-table"), "{}", text(&output));
        }
        if db.dialect() != Dialect::Sqlite {
            assert!(!db.has_table("a"), "nothing ran");
            // The longest name the database keeps as written works.
            let longest = if db.dialect() == Dialect::Postgres { "h".repeat(63) } else { "h".repeat(64) };
            let output = on(db, "basic").arg("--history-table").arg(&longest).arg("up").output().unwrap();
            assert!(output.status.success(), "{}", text(&output));
            let status = on(db, "basic").arg("--history-table").arg(&longest).arg("status").output().unwrap();
            assert_eq!(String::from_utf8_lossy(&status.stdout).matches("applied").count(), 3);
        }
    }
}

#[test]
fn status_and_dry_runs_never_create_a_sqlite_file() {
    let dir = std::env::temp_dir().join(format!("migrate-faults-sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mistyped.db");
    let url = format!("sqlite://{}", path.display());
    let output = fixture("basic")
        .args(["--database-url", &url, "status"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4), "{}", text(&output));
    assert!(
        text(&output).contains("there is no database file"),
        "{}",
        text(&output)
    );
    let output = fixture("basic")
        .args(["--database-url", &url, "up", "--dry-run"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("CREATE TABLE a"),
        "{}",
        text(&output)
    );
    assert!(!path.exists(), "no file was created");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// MySQL commits DDL by itself: a step whose statement took effect but was not recorded (the
/// runner died in between) is recognised from the catalog on the next run.
#[test]
fn mysql_a_ddl_step_that_took_effect_unrecorded_is_recognised() {
    let db = TestDb::new(Dialect::Mysql);
    succeeds(&db, "unrecorded", &["up", "--to", "1"]);
    fill_big(&db, 50);
    succeeds(&db, "unrecorded", &["up"]);
    mark_running(&db, "up");
    db.execute("UPDATE big SET extra = NULL");
    let out = succeeds(&db, "unrecorded", &["up"]);
    assert!(
        out.contains(
            "step 1 had already taken effect (column `big`.`extra` exists as varchar(20))"
        ),
        "{out}"
    );
    assert_eq!(filled(&db), 50);

    // The column exists, but not as the step defines it: say what was found and what to do.
    mark_running(&db, "up");
    db.execute("ALTER TABLE big DROP COLUMN extra");
    db.execute("ALTER TABLE big ADD COLUMN extra INT");
    let output = run(&db, "unrecorded", &["up"]);
    assert_eq!(output.status.code(), Some(5), "{}", text(&output));
    let err = text(&output);
    assert!(err.contains("column `big`.`extra` exists as int"), "{err}");
    assert!(
        err.contains("but the step defines it as VARCHAR (20)"),
        "{err}"
    );
    assert!(err.contains("migrate resolve 2 --retry"), "{err}");
    // Following the hint works.
    db.execute("ALTER TABLE big DROP COLUMN extra");
    succeeds(&db, "unrecorded", &["resolve", "2", "--retry"]);
    assert_eq!(filled(&db), 50);
}

/// The fault itself: the runner is killed (SIGKILL) while MySQL copies the table for an `ALTER
/// TABLE ... ALGORITHM=COPY`; whatever the server then does with the statement, the next `up`
/// finishes the migration.
#[test]
fn mysql_killed_during_a_copying_alter_then_up_finishes() {
    const ROWS: i64 = 300_000;
    let db = TestDb::new(Dialect::Mysql);
    succeeds(&db, "unrecorded", &["up", "--to", "1"]);
    fill_big(&db, ROWS);
    let schema = db.url().rsplit('/').next().unwrap().to_owned();
    let copying = format!(
        "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = '{schema}' AND INFO LIKE 'ALTER TABLE big%'"
    );
    let mut child = on(&db, "unrecorded")
        .arg("up")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while db.count(&copying) == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the ALTER never started"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "finished before the kill: make the table bigger"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(100));
    child.kill().unwrap();
    assert!(!child.wait().unwrap().success());
    // The server goes on with the statement after its client died; wait until it is done.
    let started = Instant::now();
    while db.count(&copying) > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the ALTER never ended"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let finished_by_server = db.columns("big").contains(&"extra".to_owned());
    assert_eq!(
        db.count("SELECT COUNT(*) AS n FROM _migrate_history WHERE id = 2 AND steps_done = 0"),
        1,
        "the step was not recorded"
    );
    let out = succeeds(&db, "unrecorded", &["up"]);
    eprintln!("the server finished the ALTER after its client was killed: {finished_by_server}");
    if finished_by_server {
        assert!(out.contains("step 1 had already taken effect"), "{out}");
    }
    assert_eq!(filled(&db), ROWS);
}

/// 100,000 rows in the crash set's `events`.
fn fill_events(db: &TestDb) {
    let digits = "(SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                  UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
    db.execute(&format!(
        "INSERT INTO events (id, hits, tally) SELECT 1 + a.n + 10 * b.n + 100 * c.n + 1000 * d.n + 10000 * e.n, 0, 0 \
         FROM {digits} a CROSS JOIN {digits} b CROSS JOIN {digits} c CROSS JOIN {digits} d CROSS JOIN {digits} e"
    ));
}

/// Starts `up --to 2` of the crash set and returns once its batched step committed a batch.
fn start_batched_run(db: &TestDb) -> std::process::Child {
    let child = on(db, "crash")
        .args(["up", "--to", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while db
        .count("SELECT COUNT(*) AS n FROM _migrate_history WHERE id = 2 AND resume_at IS NOT NULL")
        == 0
    {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no batch committed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    child
}

test_each_dialect! {
    fn status_tells_a_running_migration_from_an_interrupted_one(db: &TestDb) {
        succeeds(db, "crash", &["up", "--to", "1"]);
        fill_events(db);
        let mut child = start_batched_run(db);
        let output = run(db, "crash", &["status"]);
        assert!(output.status.success(), "{}", text(&output));
        assert!(text(&output).contains("running"), "{}", text(&output));
        assert!(!text(&output).contains("interrupted"), "{}", text(&output));
        child.kill().unwrap();
        child.wait().unwrap();
        let output = run(db, "crash", &["status"]);
        assert!(text(&output).contains("interrupted"), "{}", text(&output));
        succeeds(db, "crash", &["up", "--to", "2"]);
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM events WHERE hits = 1"), 100_000);
    }
}

/// The connection dies under a running migration (as in a server restart): the error says so,
/// with the connection's exit status and the hint that the same command resumes, and it does.
fn connection_lost_mid_run(db: &TestDb) {
    succeeds(db, "crash", &["up", "--to", "1"]);
    fill_events(db);
    let child = start_batched_run(db);
    // End the runner's session from the server side.
    let schema = db.url().rsplit('/').next().unwrap().to_owned();
    match db.dialect() {
        Dialect::Postgres => {
            db.count(&format!(
                "SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity \
                 WHERE datname = '{schema}' AND application_name LIKE 'migrate (pid {}%'",
                child.id()
            ));
        }
        _ => {
            let ids = db.texts(&format!(
                "SELECT CAST(ID AS CHAR) AS v FROM information_schema.PROCESSLIST WHERE DB = '{schema}' AND ID <> CONNECTION_ID()"
            ));
            for id in ids.into_iter().flatten() {
                let _ = std::panic::catch_unwind(|| db.execute(&format!("KILL CONNECTION {id}")));
            }
        }
    }
    let output = child.wait_with_output().unwrap();
    let err = text(&output);
    assert_eq!(output.status.code(), Some(4), "{err}");
    assert!(
        err.contains("the connection to the server was lost"),
        "{err}"
    );
    assert!(err.contains("resumes it where it stopped"), "{err}");
    assert!(!err.contains("recording the failure"), "{err}");
    let status = text(&run(db, "crash", &["status"]));
    assert!(status.contains("interrupted"), "{status}");
    succeeds(db, "crash", &["up", "--to", "2"]);
    assert_eq!(
        db.count("SELECT COUNT(*) AS n FROM events WHERE hits = 1"),
        100_000,
        "every row exactly once"
    );
}

#[test]
fn postgres_connection_lost_mid_run() {
    connection_lost_mid_run(&TestDb::new(Dialect::Postgres));
}

#[test]
fn mysql_connection_lost_mid_run() {
    connection_lost_mid_run(&TestDb::new(Dialect::Mysql));
}

test_each_dialect! {
    fn an_unfinished_migration_edited_since_is_not_resumed_by_position(db: &TestDb) {
        succeeds(db, "unrecorded", &["up", "--to", "1"]);
        fill_big(db, 20);
        succeeds(db, "unrecorded", &["up"]);
        let checksum = db.texts("SELECT checksum AS v FROM _migrate_history WHERE id = 2");
        let checksum = checksum[0].clone().unwrap();
        // The attempt was made by other code: its checksum is not the code's.
        mark_running(db, "up");
        db.execute("UPDATE _migrate_history SET steps_done = 1, checksum = 'feedc0de' WHERE id = 2");
        for args in [&["up"][..], &["resolve", "2", "--retry"]] {
            let output = run(db, "unrecorded", args);
            assert_eq!(output.status.code(), Some(6), "{args:?}: {}", text(&output));
            let err = text(&output);
            assert!(err.contains("was edited since its unfinished attempt (checksum feedc0de recorded"), "{err}");
            assert!(err.contains("migrate resolve 2 --mark-reverted"), "{err}");
        }
        // With the attempt's code back, the retry resumes after its finished step.
        db.execute(&format!("UPDATE _migrate_history SET checksum = '{checksum}' WHERE id = 2"));
        db.execute("UPDATE big SET extra = NULL");
        succeeds(db, "unrecorded", &["resolve", "2", "--retry"]);
        assert_eq!(filled(db), 20);
    }
}

#[test]
fn status_without_a_database_or_without_rights_fails_instead_of_saying_ok() {
    for url in [
        "postgres://postgres@127.0.0.1:5432",
        "mysql://root@127.0.0.1:3306/",
    ] {
        for command in ["status", "check"] {
            let output = fixture("basic")
                .args(["--database-url", url, command])
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(3),
                "{url} {command}: {}",
                text(&output)
            );
            assert!(
                text(&output).contains("it names no database"),
                "{}",
                text(&output)
            );
        }
    }
    // A role that may connect but not read the history table.
    let db = TestDb::new(Dialect::Postgres);
    succeeds(&db, "basic", &["up"]);
    let role = format!("mt_reader_{}", std::process::id());
    db.execute(&format!(
        "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN"
    ));
    let as_reader = db.url().replacen("postgres@", &format!("{role}@"), 1);
    for command in ["status", "check"] {
        let output = fixture("basic")
            .args(["--database-url", &as_reader, command])
            .output()
            .unwrap();
        let all = text(&output);
        // A statement the database refused for lack of a privilege: status 5, not a
        // connection failure.
        assert_eq!(output.status.code(), Some(5), "{command}: {all}");
        assert!(all.contains("permission denied"), "{all}");
        assert!(all.contains("lacks a privilege"), "{all}");
    }
    db.execute(&format!("DROP ROLE {role}"));
}

/// Every piece of the secrets the leak test uses: none may appear in any output.
const SECRET_PIECES: [&str; 3] = ["S3cr", "cretPw", "Pw9x"];

fn assert_no_secret(what: &str, output: &Output) {
    let all = text(output);
    for piece in SECRET_PIECES {
        assert!(!all.contains(piece), "{what} leaked `{piece}`:\n{all}");
    }
}

/// The red team's URL shapes, each on the error paths a careless operator meets: unreachable
/// host, wrong password or user, missing database, unparsable URL; with debug logs on, and the
/// URL also given to another argument. The secret appears nowhere in stdout or stderr.
#[test]
fn no_error_path_shows_a_password_in_any_shape() {
    let dir = std::env::temp_dir().join(format!("migrate-faults-leak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = dir.join("x.db");
    let mut urls = Vec::new();
    for (scheme, user, port) in [("postgres", "postgres", 5432), ("mysql", "root", 3306)] {
        for (host, db) in [
            (format!("127.0.0.1:{port}"), "no_such_db_28"), // missing database
            ("127.0.0.1:1".to_owned(), "db"),               // unreachable
            ("no-such-host.invalid".to_owned(), "db"),      // unknown host
            ("127.0.0.1:notaport".to_owned(), "db"),        // parse error
        ] {
            urls.push(format!("{scheme}://{user}:Sup3r@S3cretPw@{host}/{db}"));
            urls.push(format!("{scheme}://{user}:S3cret Pw9x@{host}/{db}"));
            urls.push(format!("{scheme}://{user}@{host}/{db}?password=S3cretPw"));
            urls.push(format!(
                "{scheme}://{user}@{host}/{db}?sslmode=disable&password=S3cretPw"
            ));
            // A user the server does not know (PostgreSQL trusts local users, so a wrong
            // password is an unknown user here; MySQL's root refuses any password).
            urls.push(format!("{scheme}://nobody_28:S3cretPw@{host}/{db}"));
        }
    }
    urls.push("host=127.0.0.1 user=postgres password=S3cretPw dbname=postgres".to_owned());
    urls.push("host=127.0.0.1 user=postgres password='S3cret Pw9x' dbname=postgres".to_owned());
    urls.push(format!("sqlite://u:S3cretPw@/{}", sqlite.display()));
    urls.push(format!("sqlite://u:S3cretPw@{}", sqlite.display()));
    urls.push("mysql:root:S3cret Pw9x@127.0.0.1/x".to_owned());
    for url in &urls {
        for command in [&["status"][..], &["up"], &["down", "--to", "0"]] {
            let output = fixture("basic")
                .args(["-vv", "--database-url", url])
                .args(command)
                .output()
                .unwrap();
            assert_no_secret(&format!("{url} {command:?}"), &output);
            assert!(
                matches!(output.status.code(), Some(3 | 4)),
                "{url} {command:?}: {}",
                text(&output)
            );
        }
        // From the environment, and given by mistake to another argument.
        let output = fixture("basic")
            .env("DATABASE_URL", url)
            .args(["-vv", "status"])
            .output()
            .unwrap();
        assert_no_secret(&format!("DATABASE_URL={url}"), &output);
        let db = format!("sqlite://{}", dir.join("ok.db").display());
        for args in [
            &["--history-table", url.as_str(), "status"][..],
            &["--history-table", url.as_str(), "up"],
            &["new", url.as_str()],
            &["resolve", url.as_str(), "--retry"],
            &["up", "--to", url.as_str()],
            &["status", url.as_str()],
        ] {
            let output = fixture("basic")
                .args(["-vv", "--database-url", &db])
                .args(args)
                .current_dir(&dir)
                .output()
                .unwrap();
            // (SQLite takes any history table name: those runs succeed, their logs and lines
            // checked all the same.)
            assert_no_secret(&format!("{args:?}"), &output);
        }
    }
    assert!(
        !sqlite.exists(),
        "no file was created for a URL with credentials"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
