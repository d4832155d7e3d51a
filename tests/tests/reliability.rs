//! Runs as separate processes against every database: many runners at once, a runner killed or
//! stopped half-way through a batched helper, and the migration that fails half-way on MySQL.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use migrate_core::Dialect;
use migrate_tests::{TestDb, test_each_dialect};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const ROWS: i64 = 100_000;

fn fixture(db: &TestDb, set: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_migrate-fixtures"));
    cmd.env("MIGRATE_FIXTURE", set)
        .env_remove("DATABASE_URL")
        .arg("--database-url")
        .arg(db.url());
    cmd
}

fn run(db: &TestDb, set: &str, args: &[&str]) -> Output {
    fixture(db, set).args(args).output().unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

test_each_dialect! {
    fn eight_runners_apply_each_migration_once(db: &TestDb) {
        let runners: Vec<Child> = (0..8)
            .map(|_| {
                fixture(db, "concurrent")
                    .args(["up", "--lock-timeout", "120"])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut applied_by = Vec::new();
        for runner in runners {
            let output = runner.wait_with_output().unwrap();
            assert!(output.status.success(), "every runner exits 0:\n{}", text(&output));
            let out = text(&output);
            applied_by.push(out.matches("applied ").count());
        }
        for migration in 1..=5 {
            let runs = db.count(&format!("SELECT COUNT(*) AS n FROM applied_log WHERE migration = {migration}"));
            assert_eq!(runs, 1, "migration {migration} ran {runs} times");
        }
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM _migrate_history WHERE state = 'applied'"), 5);
        // The first runner applied everything; the others found nothing left to do.
        assert_eq!(applied_by.iter().filter(|n| **n > 1).count(), 1, "{applied_by:?}");
    }
}

test_each_dialect! {
    fn a_runner_gives_up_on_the_lock_and_says_who_holds_it(db: &TestDb) {
        let holder = fixture(db, "concurrent").arg("up").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        // Wait until the first runner holds the lock (it has started applying).
        wait_for(db, "SELECT COUNT(*) AS n FROM applied_log", 1);
        let output = run(db, "concurrent", &["up", "--lock-timeout", "0"]);
        assert_eq!(output.status.code(), Some(8), "{}", text(&output));
        let err = text(&output);
        assert!(err.contains("for the migration lock, held by"), "{err}");
        let who = match db.dialect() {
            Dialect::Postgres => "migrate (pid",
            Dialect::Mysql => "connection ",
            Dialect::Sqlite => "migrate (pid",
        };
        assert!(err.contains(who), "{err}");
        let output = holder.wait_with_output().unwrap();
        assert!(output.status.success());
    }
}

/// Polls `sql` (a count named `n`) until it reaches `at_least`.
fn wait_for(db: &TestDb, sql: &str, at_least: i64) {
    let started = Instant::now();
    loop {
        let ready =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| db.count(sql))).unwrap_or(0);
        if ready >= at_least {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "timed out waiting for {sql}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn seed_events(db: &TestDb) {
    let output = run(db, "crash", &["up", "--to", "1"]);
    assert!(output.status.success(), "{}", text(&output));
    let sql = match db.dialect() {
        Dialect::Postgres => format!(
            "INSERT INTO events (id, hits, tally) SELECT g, 0, 0 FROM generate_series(1, {ROWS}) g"
        ),
        // MariaDB caps recursive CTEs at 1000 rows by default: multiply digit tables instead.
        Dialect::Mysql => {
            let digits = "(SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                          UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
            format!(
                "INSERT INTO events (id, hits, tally) SELECT 1 + a.n + 10 * b.n + 100 * c.n + 1000 * d.n + 10000 * e.n, 0, 0 \
                 FROM {digits} a CROSS JOIN {digits} b CROSS JOIN {digits} c CROSS JOIN {digits} d CROSS JOIN {digits} e"
            )
        }
        Dialect::Sqlite => format!(
            "WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {ROWS}) \
             INSERT INTO events (id, hits, tally) SELECT n, 0, 0 FROM seq"
        ),
    };
    db.execute(&sql);
}

/// A pseudo-random number of milliseconds in `0..below`, different per run.
fn jitter(below: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    u64::from(nanos) % below
}

/// Starts `up`, waits until migration `id`'s batched step has committed some batches, then a
/// little more, and kills the process with SIGKILL.
fn kill_during(db: &TestDb, id: u32) {
    let child = fixture(db, "crash")
        .arg("up")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(
        db,
        &format!(
            "SELECT COUNT(*) AS n FROM _migrate_history WHERE id = {id} AND resume_at IS NOT NULL"
        ),
        1,
    );
    std::thread::sleep(Duration::from_millis(jitter(200)));
    let mut child = child;
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "killed before it finished (make the table bigger if this fails)"
    );
}

test_each_dialect! {
    fn a_killed_backfill_resumes_and_touches_every_row_once(db: &TestDb) {
        seed_events(db);
        kill_during(db, 2);
        let done = db.count("SELECT COUNT(*) AS n FROM events WHERE hits = 1");
        assert!(done > 0 && done < ROWS, "killed half-way: {done} rows done");
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM events WHERE hits > 1"), 0);
        let status = text(&run(db, "crash", &["status"]));
        assert!(status.contains("interrupted"), "{status}");

        let output = run(db, "crash", &["up"]);
        assert!(output.status.success(), "{}", text(&output));
        assert!(text(&output).contains("resuming after key"), "{}", text(&output));
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM events WHERE hits = 1"), ROWS, "every row exactly once");
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM events WHERE tally = 1"), ROWS);
    }
}

test_each_dialect! {
    fn a_killed_row_transform_resumes_and_touches_every_row_once(db: &TestDb) {
        seed_events(db);
        kill_during(db, 3);
        let done = db.count("SELECT COUNT(*) AS n FROM events WHERE tally = 1");
        assert!(done > 0 && done < ROWS, "killed half-way: {done} rows done");
        let output = run(db, "crash", &["up"]);
        assert!(output.status.success(), "{}", text(&output));
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM events WHERE tally = 1"), ROWS, "every row exactly once");
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM events WHERE hits = 1"), ROWS);
    }
}

test_each_dialect! {
    fn sigterm_stops_after_the_current_batch_and_says_how_to_resume(db: &TestDb) {
        seed_events(db);
        let child = fixture(db, "crash").arg("up").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        wait_for(db, "SELECT COUNT(*) AS n FROM _migrate_history WHERE id = 2 AND resume_at IS NOT NULL", 1);
        let sent = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        assert!(sent.success());
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(130), "{}", text(&output));
        let message = text(&output);
        assert!(message.contains("stopped cleanly after the batch ending at key"), "{message}");
        assert!(message.contains("run the same command again"), "{message}");
        let done = db.count("SELECT COUNT(*) AS n FROM events WHERE hits = 1");
        assert!(done < ROWS, "stopped early");
        let recorded = db.texts("SELECT resume_at AS v FROM _migrate_history WHERE id = 2");
        let key = recorded[0].as_deref().and_then(migrate_sql::helpers::key::decode).unwrap();
        assert_eq!(
            db.count("SELECT COUNT(*) AS n FROM events WHERE hits = 1"),
            db.count(&format!("SELECT COUNT(*) AS n FROM events WHERE id <= {}", key[0])),
            "exactly the rows up to the recorded key are done"
        );
        let output = run(db, "crash", &["up"]);
        assert!(output.status.success(), "{}", text(&output));
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM events WHERE hits = 1"), ROWS);
    }
}

#[test]
fn a_mysql_migration_failing_at_its_third_statement_is_retried_after_the_fix() {
    let db = TestDb::new(Dialect::Mysql);
    let output = run(&db, "failing", &["up"]);
    assert_eq!(output.status.code(), Some(5), "{}", text(&output));
    assert!(
        text(&output).contains("migrate resolve 2 --retry"),
        "{}",
        text(&output)
    );
    let output = run(&db, "failing", &["status"]);
    assert_eq!(output.status.code(), Some(6), "status asks for attention");
    let status = text(&output);
    assert!(
        status.contains("failed") && status.contains("applying stopped after step 2"),
        "{status}"
    );
    assert_eq!(
        run(&db, "failing", &["up"]).status.code(),
        Some(6),
        "up refuses to pass it"
    );
    db.execute("CREATE TABLE fix (id INTEGER PRIMARY KEY)");
    db.execute("INSERT INTO fix (id) VALUES (1)");
    let output = run(&db, "failing", &["resolve", "2", "--retry"]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("step 1 was finished by an earlier attempt; skipped"),
        "{}",
        text(&output)
    );
    assert_eq!(
        db.count("SELECT COUNT(*) AS n FROM u"),
        2,
        "the first two statements ran once"
    );
    assert!(run(&db, "failing", &["status"]).status.success());
}

/// SQLite: a migration that reads before it writes waits for another writer (its transaction
/// begins IMMEDIATE, within the busy timeout) instead of failing with "database is locked".
#[test]
fn sqlite_a_migration_waits_for_another_writer() {
    use diesel::Connection;
    use diesel::connection::SimpleConnection;
    let db = TestDb::new(Dialect::Sqlite);
    let output = run(&db, "helpers_columns::computed", &["up", "--to", "1"]);
    assert!(output.status.success(), "{}", text(&output));
    db.execute("INSERT INTO people (id, name, age, points) VALUES (1, 'Ann', 30, 5); CREATE TABLE other (v INTEGER)");
    let path = db.url().trim_start_matches("sqlite://").to_owned();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let writer = std::thread::spawn(move || {
        let mut conn = diesel::SqliteConnection::establish(&path).unwrap();
        conn.batch_execute("BEGIN IMMEDIATE; INSERT INTO other (v) VALUES (1)")
            .unwrap();
        ready_tx.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        conn.batch_execute("COMMIT").unwrap();
    });
    ready_rx.recv().unwrap();
    let started = Instant::now();
    let output = run(&db, "helpers_columns::computed", &["up"]);
    writer.join().unwrap();
    assert!(
        output.status.success(),
        "waited instead of failing: {}",
        text(&output)
    );
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "it did wait for the writer"
    );
    assert_eq!(db.count("SELECT COUNT(*) AS n FROM other"), 1);
}

/// Holds a read of `people` open in a transaction for `hold`, from a session named
/// `blocking-app`, the way a slow application request would; returns once it holds it.
fn block_people(db: &TestDb, hold: Duration) -> std::thread::JoinHandle<()> {
    let url = db.url().to_owned();
    let dialect = db.dialect();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let blocker = std::thread::spawn(move || {
        let mut conn = migrate_core::AnyConnection::establish(&url.parse().unwrap()).unwrap();
        if dialect == Dialect::Postgres {
            conn.batch_execute("SET application_name = 'blocking-app'")
                .unwrap();
        }
        conn.batch_execute("BEGIN; SELECT COUNT(*) FROM people")
            .unwrap();
        ready_tx.send(()).unwrap();
        std::thread::sleep(hold);
        conn.batch_execute("COMMIT").unwrap();
    });
    ready_rx.recv().unwrap();
    blocker
}

/// A migration's ALTER TABLE waits for a table lock at most the lock timeout at a time, so the
/// application's queries queued behind it wait no longer; it is retried until the application's
/// transaction ends.
fn ddl_waits_briefly_and_retries(db: &TestDb) {
    let timeout_ms: u64 = if db.dialect() == Dialect::Mysql {
        1000
    } else {
        300
    };
    let output = run(db, "helpers_columns::computed", &["up", "--to", "1"]);
    assert!(output.status.success(), "{}", text(&output));
    db.execute("INSERT INTO people (id, name, age, points) VALUES (1, 'Ann', 30, 5)");

    let blocker = block_people(db, Duration::from_millis(3 * timeout_ms + 600));
    let migrate = fixture(db, "helpers_columns::computed")
        .args([
            "up",
            "--ddl-lock-timeout",
            &timeout_ms.to_string(),
            "--ddl-attempts",
            "10",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The ALTER now waits for the blocker; an application read of the table queues behind it.
    std::thread::sleep(Duration::from_millis(timeout_ms / 2));
    let started = Instant::now();
    assert_eq!(db.count("SELECT COUNT(*) AS n FROM people"), 1);
    let read_waited = started.elapsed();
    blocker.join().unwrap();
    let output = migrate.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("trying again"), "{}", text(&output));
    assert!(
        read_waited < Duration::from_millis(timeout_ms + 700),
        "an application read waited {read_waited:?} behind the migration (lock timeout {timeout_ms} ms)"
    );

    // Held for longer than every attempt: stopped, naming the session, nothing changed.
    let output = run(db, "helpers_columns::computed", &["down", "--to", "1"]);
    assert!(output.status.success(), "{}", text(&output));
    let blocker = block_people(db, Duration::from_millis(6 * timeout_ms + 2000));
    let output = fixture(db, "helpers_columns::computed")
        .args([
            "up",
            "--ddl-lock-timeout",
            &timeout_ms.to_string(),
            "--ddl-attempts",
            "2",
        ])
        .output()
        .unwrap();
    blocker.join().unwrap();
    let all = text(&output);
    assert_eq!(output.status.code(), Some(8), "{all}");
    assert!(all.contains("could not get a lock within"), "{all}");
    let named = if db.dialect() == Dialect::Postgres {
        "blocking-app"
    } else {
        "connection "
    };
    assert!(
        all.contains("sessions with an open transaction") && all.contains(named),
        "{all}"
    );
    assert!(all.contains("--ddl-lock-timeout"), "{all}");
    assert!(
        !db.columns("people").contains(&"born_year".to_owned()),
        "nothing changed"
    );
}

#[test]
fn postgres_ddl_waits_briefly_and_retries() {
    ddl_waits_briefly_and_retries(&TestDb::new(Dialect::Postgres));
}

#[test]
fn mysql_ddl_waits_briefly_and_retries() {
    ddl_waits_briefly_and_retries(&TestDb::new(Dialect::Mysql));
}
