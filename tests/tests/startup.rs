//! The startup API: `apply_migrations` on the connection types an application holds.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use diesel::Connection;
use diesel::r2d2::{ConnectionManager, Pool};
use migrate_core::{
    AppliedMigration, ApplyMigrations, Dialect, ErrorKind, MigrationId, RunOptions, Runner,
};
use migrate_tests::fixtures::{basic, lock_warnings};
use migrate_tests::{TestDb, test_each_dialect};
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::util::SubscriberInitExt;

/// What Diesel's own `establish` takes: the URL, or the file of a SQLite URL.
fn diesel_target(db: &TestDb) -> String {
    match db.dialect() {
        Dialect::Sqlite => db.database_url().sqlite_path().unwrap().to_owned(),
        _ => db.url().to_owned(),
    }
}

fn ids(applied: &[AppliedMigration]) -> Vec<u64> {
    applied.iter().map(|m| m.id.0).collect()
}

/// Applies `basic::SET` on a plain Diesel connection of the database's type, twice.
fn apply_twice<C: Connection + ApplyMigrations>(db: &TestDb) -> (Vec<u64>, Vec<u64>) {
    let mut conn = C::establish(&diesel_target(db)).unwrap();
    let first = conn.apply_migrations(&basic::SET).unwrap();
    let second = conn.apply_migrations(&basic::SET).unwrap();
    (ids(&first), ids(&second))
}

test_each_dialect! {
    fn applies_on_the_applications_connection(db: &TestDb) {
        let (first, second) = match db.dialect() {
            Dialect::Postgres => apply_twice::<diesel::PgConnection>(db),
            Dialect::Mysql => apply_twice::<diesel::MysqlConnection>(db),
            Dialect::Sqlite => apply_twice::<diesel::SqliteConnection>(db),
        };
        assert_eq!(first, [1, 2, 3], "every migration is applied and returned");
        assert!(second.is_empty(), "a second call applies nothing");
        assert_eq!(db.texts("SELECT v FROM a"), [Some("first".to_owned())]);
        assert!(db.has_table("b"));
    }
}

/// Applies `basic::SET` through a connection taken from an r2d2 pool, then uses the same pooled
/// connection for a query: it is the application's connection, handed back in working order.
fn apply_pooled<C>(db: &TestDb) -> Vec<AppliedMigration>
where
    C: diesel::r2d2::R2D2Connection + ApplyMigrations + 'static,
{
    let pool = Pool::builder()
        .max_size(1)
        .build(ConnectionManager::<C>::new(diesel_target(db)))
        .unwrap();
    let mut pooled = pool.get().unwrap();
    let applied = pooled.apply_migrations(&basic::SET).unwrap();
    pooled
        .batch_execute("INSERT INTO a (id, v) VALUES (2, 'after')")
        .unwrap();
    applied
}

test_each_dialect! {
    fn applies_on_a_pooled_connection(db: &TestDb) {
        let applied = match db.dialect() {
            Dialect::Postgres => apply_pooled::<diesel::PgConnection>(db),
            Dialect::Mysql => apply_pooled::<diesel::MysqlConnection>(db),
            Dialect::Sqlite => apply_pooled::<diesel::SqliteConnection>(db),
        };
        assert_eq!(
            applied.first(),
            Some(&AppliedMigration { id: MigrationId(1), name: "create_a" })
        );
        assert_eq!(applied.len(), 3);
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM a"), 2);
    }
}

#[test]
fn postgres_session_settings_are_reset_afterwards() {
    let db = TestDb::new(Dialect::Postgres);
    let mut conn = diesel::PgConnection::establish(db.url()).unwrap();
    conn.apply_migrations(&basic::SET).unwrap();
    let names = {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Name {
            #[diesel(sql_type = diesel::sql_types::Text)]
            v: String,
        }
        let rows: Vec<Name> = diesel::sql_query(
            "SELECT current_setting('application_name') || '|' || current_setting('lock_timeout') AS v",
        )
        .load(&mut conn)
        .unwrap();
        rows.into_iter().map(|r| r.v).collect::<Vec<_>>()
    };
    assert_eq!(
        names,
        ["|0".to_owned()],
        "the application's connection keeps its own name and lock timeout"
    );
}

#[test]
fn mysql_lock_waits_are_reset_afterwards() {
    let db = TestDb::new(Dialect::Mysql);
    let mut conn = diesel::MysqlConnection::establish(db.url()).unwrap();
    conn.apply_migrations(&basic::SET).unwrap();
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Same {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let same: Same = diesel::sql_query(
        "SELECT CAST(@@SESSION.lock_wait_timeout = @@GLOBAL.lock_wait_timeout \
         AND @@SESSION.innodb_lock_wait_timeout = @@GLOBAL.innodb_lock_wait_timeout AS SIGNED) AS n",
    )
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(
        same.n, 1,
        "the application's lock waits are the server's again"
    );
}

test_each_dialect! {
    fn refuses_like_the_command(db: &TestDb) {
        let mut conn = db.connect();
        conn.apply_migrations(&basic::SET).unwrap();
        // An applied migration whose code differs from what ran: `up` refuses, and so does startup.
        db.execute("UPDATE _migrate_history SET checksum = 'edited' WHERE id = 2");
        let error = conn.apply_migrations(&basic::SET).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NeedsAttention, "{error}");
    }
}

/// Rows in `accounts` before the migrations that change it run.
const ROWS: u64 = 1000;

/// Applies the first `lock_warnings` migration (the table) and fills it with [`ROWS`] rows of
/// two-word names, with fresh catalog statistics (what the large-table warning reads).
fn seed_accounts(db: &TestDb) {
    let registry = lock_warnings::SET.registry().unwrap();
    let mut conn = db.connect();
    Runner::new(&mut conn, &registry)
        .up(Some(MigrationId(1)))
        .unwrap();
    let digits = "(SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 \
                  UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
    db.execute(&format!(
        "INSERT INTO accounts (id, full_name, visits) SELECT 1 + a.n + 10 * b.n + 100 * c.n, 'Ada Lovelace', 0 \
         FROM {digits} a CROSS JOIN {digits} b CROSS JOIN {digits} c"
    ));
    match db.dialect() {
        Dialect::Postgres => db.execute("ANALYZE accounts"),
        Dialect::Mysql => db.execute("ANALYZE TABLE accounts"),
        Dialect::Sqlite => {}
    }
}

/// What a `tracing` subscriber wrote, one formatted event a line.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// The lines logged at `level` (`INFO`, `DEBUG`, ...).
    fn at(&self, level: &str) -> Vec<String> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .filter(|line| line.split_whitespace().next() == Some(level))
            .map(str::to_owned)
            .collect()
    }
}

/// Applies `lock_warnings::SET` on the application's connection with `options`, logging the
/// framework's events at `level` and above into the returned capture.
fn apply_logged(db: &TestDb, options: &RunOptions, level: &str) -> (Vec<u64>, Captured) {
    let captured = Captured::default();
    let writer = captured.clone();
    let _logging = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(format!("migrate_core={level}")))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .without_time()
        .set_default();
    let target = diesel_target(db);
    let applied = match db.dialect() {
        Dialect::Postgres => diesel::PgConnection::establish(&target)
            .unwrap()
            .apply_migrations_with(&lock_warnings::SET, options),
        Dialect::Mysql => diesel::MysqlConnection::establish(&target)
            .unwrap()
            .apply_migrations_with(&lock_warnings::SET, options),
        Dialect::Sqlite => diesel::SqliteConnection::establish(&target)
            .unwrap()
            .apply_migrations_with(&lock_warnings::SET, options),
    };
    (ids(&applied.unwrap()), captured)
}

/// The `INFO` lines: one per migration, saying what was applied, in how long, and the rows of
/// its batched steps where it has any; never a batch, never an `Option`'s debug form.
fn assert_one_info_line_per_migration(captured: &Captured) {
    let info = captured.at("INFO");
    assert_eq!(info.len(), 2, "one line per migration: {info:#?}");
    assert!(
        info[0].contains("applied 2 split_in_one_transaction in ") && !info[0].contains("rows"),
        "{info:#?}"
    );
    assert!(
        info[1].contains("applied 3 count_visits_online in ")
            && info[1].contains(&format!(", {ROWS} rows"))
            && info[1].contains(&format!("rows={ROWS}")),
        "{info:#?}"
    );
    assert!(
        info.iter()
            .all(|line| line.contains("elapsed_ms=") && !line.contains("Some(")),
        "{info:#?}"
    );
}

test_each_dialect! {
    fn startup_options_reach_the_run_and_batches_log_at_debug(db: &TestDb) {
        seed_accounts(db);
        let options = RunOptions {
            large_table_rows: 500,
            batch_pause: Some(Duration::from_millis(7)),
            ..RunOptions::default()
        };
        let (applied, captured) = apply_logged(db, &options, "debug");
        assert_eq!(applied, [2, 3]);
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM accounts WHERE visits = 1"), ROWS as i64);

        let warnings = captured.at("WARN");
        assert_eq!(warnings.len(), 1, "the large-table threshold is the option's: {warnings:#?}");
        assert!(warnings[0].contains("migration=2") && warnings[0].contains("accounts"), "{warnings:#?}");
        assert_one_info_line_per_migration(&captured);

        let debug = captured.at("DEBUG");
        let batches: Vec<&String> = debug.iter().filter(|line| line.contains(" batches=")).collect();
        assert!(
            batches.len() >= (ROWS / 200) as usize,
            "every batch of 200 rows at debug: {debug:#?}"
        );
        assert!(
            batches.iter().all(|line| line.contains(&format!("total={ROWS}")) && !line.contains("Some(")),
            "{batches:#?}"
        );
        assert!(
            debug.iter().any(|line| line.contains("resting 7 ms after each")),
            "the batch pause is the option's: {debug:#?}"
        );
    }
}

test_each_dialect! {
    fn default_startup_logs_one_info_line_per_migration(db: &TestDb) {
        seed_accounts(db);
        let (applied, captured) = apply_logged(db, &RunOptions::default(), "info");
        assert_eq!(applied, [2, 3]);
        assert!(
            captured.at("WARN").is_empty(),
            "1000 rows are below the default threshold: {:#?}",
            captured.at("WARN")
        );
        assert_one_info_line_per_migration(&captured);
        assert!(captured.at("DEBUG").is_empty());
    }
}
