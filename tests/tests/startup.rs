//! The startup API: `apply_migrations` on the connection types an application holds.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use diesel::Connection;
use diesel::r2d2::{ConnectionManager, Pool};
use migrate_core::{AppliedMigration, ApplyMigrations, Dialect, ErrorKind, MigrationId};
use migrate_tests::fixtures::basic;
use migrate_tests::{TestDb, test_each_dialect};

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
