//! Faults of the environment, replayed as processes: a full disk, a busy SQLite writer, a
//! database file deleted or a directory that cannot be written under the run, a privilege the
//! database refuses. Each ends with the exit status README's table gives its class, and a hint
//! that works when followed.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use migrate_core::Dialect;
use migrate_tests::TestDb;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn on(db: &TestDb, set: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_migrate-fixtures"));
    cmd.env("MIGRATE_FIXTURE", set)
        .env_remove("DATABASE_URL")
        .env_remove("FIXTURE_MAX_PAGES")
        .arg("--database-url")
        .arg(db.url());
    cmd
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn succeeds(db: &TestDb, set: &str, args: &[&str]) -> String {
    let output = on(db, set).args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", text(&output));
    text(&output)
}

/// The SQLite file of `db`.
fn sqlite_file(db: &TestDb) -> std::path::PathBuf {
    db.url().trim_start_matches("sqlite://").into()
}

/// `rows` notes of 400 bytes each.
fn fill_notes(db: &TestDb, rows: i64) {
    db.execute(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) \
         INSERT INTO notes (id, body) SELECT i, printf('%.400c', 'x') FROM n"
    ));
}

/// The disk fills up during an online fill, then during a revert: each run stops with status 4
/// and the hint to free space and run the same command again, the migration stays
/// `interrupted` (not `failed`), and the same command, once there is space, finishes it.
#[test]
fn sqlite_disk_full_then_the_same_command_resumes() {
    let db = TestDb::new(Dialect::Sqlite);
    succeeds(&db, "disk_full", &["up", "--to", "1"]);
    fill_notes(&db, 4000);
    let pages = db.count("SELECT page_count AS n FROM pragma_page_count()");
    // Room for a few batches of the copy, not for all of it.
    let full = (pages + 40).to_string();
    for args in [&["up"][..], &["down", "--to", "1"]] {
        let output = on(&db, "disk_full")
            .env("FIXTURE_MAX_PAGES", &full)
            .args(args)
            .output()
            .unwrap();
        let all = text(&output);
        assert_eq!(output.status.code(), Some(4), "{args:?}: {all}");
        assert!(all.contains("database or disk is full"), "{all}");
        assert!(
            all.contains(
                "free space, then run the same command again; it resumes where it stopped"
            ),
            "{all}"
        );
        let status = succeeds(&db, "disk_full", &["status"]);
        assert!(status.contains("interrupted"), "{status}");
        assert!(!status.contains("  failed  "), "{status}");
        // Space freed: the same command finishes the migration.
        succeeds(&db, "disk_full", args);
    }
    assert!(!db.columns("notes").contains(&"copy".to_owned()));
    assert_eq!(
        db.count("SELECT COUNT(*) AS n FROM notes_archive WHERE copy = printf('%.400c', 'x')"),
        4000,
        "the revert kept every copy"
    );
    succeeds(&db, "disk_full", &["up"]);
    assert_eq!(
        db.count("SELECT COUNT(*) AS n FROM notes WHERE copy = body"),
        4000
    );
}

/// Holds SQLite's write lock from another connection for `hold`, from a thread.
fn hold_write_lock(db: &TestDb, hold: Duration) -> std::thread::JoinHandle<()> {
    let mut conn = db.connect();
    conn.batch_execute("BEGIN IMMEDIATE; INSERT INTO a (id, v) VALUES (1000, 'writer')")
        .unwrap();
    std::thread::spawn(move || {
        std::thread::sleep(hold);
        conn.batch_execute("ROLLBACK").unwrap();
    })
}

/// Another writer holds the database longer than SQLite's busy timeout (10 s): `up` waits with
/// the retries other lock waits get and goes through once it is done; with no attempt left it
/// stops with status 8, the lock class, saying what held it.
#[test]
fn sqlite_a_busy_writer_is_waited_out_or_reported_as_a_lock_wait() {
    let db = TestDb::new(Dialect::Sqlite);
    succeeds(&db, "basic", &["up", "--to", "1"]);
    let writer = hold_write_lock(&db, Duration::from_secs(13));
    let started = Instant::now();
    let out = succeeds(&db, "basic", &["up", "--to", "2"]);
    assert!(started.elapsed() >= Duration::from_secs(10), "it waited");
    assert!(out.contains("trying again"), "{out}");
    writer.join().unwrap();
    assert_eq!(db.count("SELECT COUNT(*) AS n FROM a WHERE v = 'first'"), 1);

    let writer = hold_write_lock(&db, Duration::from_secs(12));
    let output = on(&db, "basic")
        .args(["--ddl-attempts", "1", "up"])
        .output()
        .unwrap();
    let all = text(&output);
    assert_eq!(output.status.code(), Some(8), "{all}");
    assert!(all.contains("database is locked"), "{all}");
    assert!(
        all.contains("could not get a lock within 10000 ms"),
        "{all}"
    );
    writer.join().unwrap();
    succeeds(&db, "basic", &["up"]);
}

/// Where the migration lock file cannot be created beside the database (a read-only mount, or a
/// directory this user may not write; here a directory in its place, which root cannot write
/// either), the command stops with status 4, the class of a database it cannot use.
#[test]
fn sqlite_a_lock_file_that_cannot_be_written_is_status_4() {
    let db = TestDb::new(Dialect::Sqlite);
    succeeds(&db, "basic", &["up", "--to", "1"]);
    let lock = format!("{}.migrate-lock", sqlite_file(&db).display());
    let _ = std::fs::remove_file(&lock);
    std::fs::create_dir(&lock).unwrap();
    for args in [&["up"][..], &["down", "--to", "0"]] {
        let output = on(&db, "basic").args(args).output().unwrap();
        let all = text(&output);
        assert_eq!(output.status.code(), Some(4), "{args:?}: {all}");
        assert!(all.contains("cannot open the lock file"), "{all}");
        assert!(all.contains("must be writable"), "{all}");
    }
    std::fs::remove_dir(&lock).unwrap();
    succeeds(&db, "basic", &["up"]);
}

/// The database file is deleted while a batched fill runs: SQLite refuses further writes
/// ("readonly database"); the run stops with status 4 and a hint that names the deleted file as
/// a cause, and no new empty database is left in its place.
#[test]
fn sqlite_a_database_file_deleted_mid_run_is_status_4() {
    let db = TestDb::new(Dialect::Sqlite);
    succeeds(&db, "crash", &["up", "--to", "1"]);
    db.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
         INSERT INTO events (id, hits, tally) SELECT i, 0, 0 FROM n",
    );
    let child = on(&db, "crash")
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
    let file = sqlite_file(&db);
    std::fs::remove_file(&file).unwrap();
    let output = child.wait_with_output().unwrap();
    let all = text(&output);
    assert_eq!(output.status.code(), Some(4), "{all}");
    assert!(all.contains("readonly database"), "{all}");
    assert!(
        all.contains("deleted or moved while the command ran"),
        "{all}"
    );
    assert!(!file.exists(), "no empty database was created in its place");
}

/// PostgreSQL refuses a statement for lack of a privilege ("permission denied for schema
/// public"): a failed statement, status 5, never 4 (a connection failure), whether the command's
/// own history table or a migration's statement needed it; the hint says to grant it, and
/// granting it makes the same command work.
#[test]
fn postgres_a_refused_privilege_is_status_5() {
    let db = TestDb::new(Dialect::Postgres);
    let role = format!("mt_creator_{}", std::process::id());
    db.execute(&format!(
        "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN"
    ));
    let as_role = db.url().replacen("postgres@", &format!("{role}@"), 1);
    let run_as_role = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_migrate-fixtures"))
            .env("MIGRATE_FIXTURE", "basic")
            .env_remove("DATABASE_URL")
            .arg("--database-url")
            .arg(&as_role)
            .args(args)
            .output()
            .unwrap()
    };
    // The history table cannot be created.
    let output = run_as_role(&["up"]);
    let all = text(&output);
    assert_eq!(output.status.code(), Some(5), "{all}");
    assert!(all.contains("permission denied for schema public"), "{all}");
    assert!(all.contains("lacks a privilege"), "{all}");
    // The history table exists and is the role's to write, but the migration's CREATE TABLE is
    // refused: nothing changed, status 5.
    succeeds(&db, "basic", &["up", "--to", "1"]);
    succeeds(&db, "basic", &["down", "--to", "0"]);
    db.execute(&format!("ALTER TABLE _migrate_history OWNER TO {role}"));
    let output = run_as_role(&["up"]);
    let all = text(&output);
    assert_eq!(output.status.code(), Some(5), "{all}");
    assert!(all.contains("permission denied for schema public"), "{all}");
    assert!(all.contains("nothing was changed"), "{all}");
    assert!(all.contains("lacks a privilege"), "{all}");
    // Following the hint works.
    db.execute(&format!("GRANT CREATE ON SCHEMA public TO {role}"));
    let output = run_as_role(&["up"]);
    assert!(output.status.success(), "{}", text(&output));
    db.execute(&format!(
        "DROP TABLE b; DROP TABLE a; DROP TABLE _migrate_history; REVOKE ALL ON SCHEMA public FROM {role}; DROP ROLE {role}"
    ));
}

/// The first SIGTERM ends a rest between batches, however long it was set to be: the run stops
/// cleanly (status 130) within moments, and the same command resumes it.
#[test]
fn sqlite_the_first_signal_ends_a_long_batch_pause() {
    let db = TestDb::new(Dialect::Sqlite);
    succeeds(&db, "disk_full", &["up", "--to", "1"]);
    fill_notes(&db, 20_000);
    let child = on(&db, "disk_full")
        .args(["--batch-pause", "60000", "up"])
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
            started.elapsed() < Duration::from_secs(30),
            "no batch committed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    let signalled = Instant::now();
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let output = child.wait_with_output().unwrap();
    let all = text(&output);
    assert_eq!(output.status.code(), Some(130), "{all}");
    assert!(
        signalled.elapsed() < Duration::from_secs(20),
        "the pause ended at the first signal"
    );
    assert!(
        !all.contains("stopping now"),
        "one signal was enough: {all}"
    );
    assert!(
        all.contains("stopped cleanly after the batch ending at key"),
        "{all}"
    );
    succeeds(&db, "disk_full", &["up"]);
    assert_eq!(
        db.count("SELECT COUNT(*) AS n FROM notes WHERE copy = body"),
        20_000
    );
}
