//! Switching from Diesel: a Diesel migrations directory embedded next to Rust migrations, and the
//! history `diesel_migrations` recorded adopted instead of re-run, on every database. Diesel
//! itself (`diesel_migrations`) applies the directory, all of it or a part.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use diesel::Connection;
use diesel::migration::MigrationSource;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use migrate_core::{
    Adoption, Dialect, DownTarget, ErrorKind, MigrationId, MigrationState, Registry, Runner,
};
use migrate_tests::fixtures::diesel_dir;
use migrate_tests::{TestDb, test_each_dialect};

const DIESEL: EmbeddedMigrations = embed_migrations!("fixtures/diesel/portable");

const USERS: &str = "20240131120000";
const POSTS: &str = "20240215093000";
const EMAIL: &str = "20240301120000";
const SEED: &str = "20240310080000";
const RUST: u64 = 20240401000000;

fn id(version: &str) -> MigrationId {
    MigrationId(version.parse().unwrap())
}

/// Applies the directory's migrations with these versions, in this order, with Diesel.
fn diesel_apply(db: &TestDb, versions: &[&str]) {
    macro_rules! apply {
        ($conn:ty, $target:expr) => {{
            let mut conn = <$conn>::establish($target).unwrap();
            // Reading the applied versions creates Diesel's table, as `diesel migration run` does.
            conn.applied_migrations().unwrap();
            let all =
                MigrationSource::<<$conn as Connection>::Backend>::migrations(&DIESEL).unwrap();
            for version in versions {
                let migration = all
                    .iter()
                    .find(|m| m.name().version().to_string() == *version)
                    .unwrap();
                conn.run_migration(&**migration).unwrap();
            }
        }};
    }
    match db.dialect() {
        Dialect::Postgres => apply!(diesel::PgConnection, db.url()),
        Dialect::Mysql => apply!(diesel::MysqlConnection, db.url()),
        Dialect::Sqlite => apply!(
            diesel::SqliteConnection,
            db.database_url().sqlite_path().unwrap()
        ),
    }
}

fn diesel_versions(db: &TestDb) -> Vec<String> {
    db.texts("SELECT version AS v FROM __diesel_schema_migrations ORDER BY version")
        .into_iter()
        .flatten()
        .collect()
}

fn registry() -> Registry {
    diesel_dir::SET.registry().unwrap()
}

fn states(db: &TestDb, registry: &Registry) -> Vec<(u64, MigrationState)> {
    let mut conn = db.connect();
    Runner::new(&mut conn, registry)
        .status()
        .unwrap()
        .into_iter()
        .map(|s| (s.id.0, s.state))
        .collect()
}

use MigrationState::{Applied, Pending};

#[test]
fn the_directory_is_ordered_by_version_before_rust_timestamp_ids() {
    let registry = registry();
    let ids: Vec<u64> = registry.iter().map(|m| m.id().0).collect();
    assert_eq!(
        ids,
        [id(USERS).0, id(POSTS).0, id(EMAIL).0, id(SEED).0, RUST]
    );
    let users = registry.get(id(USERS)).unwrap();
    assert_eq!(users.name(), "create_users");
    assert_eq!(users.diesel_version(), Some(USERS));
    assert!(users.is_reversible() && users.is_transactional());
    let email = registry.get(id(EMAIL)).unwrap();
    assert!(
        !email.is_transactional(),
        "metadata.toml's run_in_transaction = false is honoured"
    );
    assert_eq!(
        users.checksum(),
        migrate_sql_checksum(include_str!(
            "../fixtures/diesel/portable/2024-01-31-120000_create_users/up.sql"
        )),
        "the checksum is that of up.sql's bytes"
    );
}

fn migrate_sql_checksum(text: &str) -> String {
    // FNV-1a over 64 bits (migrate_sql::Checksum), spelled out so the test cannot share a bug.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

test_each_dialect! {
    fn adopts_a_partly_applied_directory_and_applies_the_rest(db: &TestDb) {
        // Diesel applied the first two of four migrations.
        diesel_apply(db, &[USERS, POSTS]);
        let registry = registry();
        let mut conn = db.connect();
        let adoption = Runner::new(&mut conn, &registry).adopt_diesel_history().unwrap();
        assert_eq!(
            adoption,
            Adoption {
                adopted: vec![id(USERS), id(POSTS)],
                already_recorded: vec![],
                pending: vec![id(EMAIL), id(SEED)],
                below_newest_applied: vec![],
            }
        );
        assert_eq!(
            states(db, &registry),
            [(id(USERS).0, Applied), (id(POSTS).0, Applied), (id(EMAIL).0, Pending), (id(SEED).0, Pending), (RUST, Pending)]
        );
        // Adopting again records nothing new.
        let again = Runner::new(&mut conn, &registry).adopt_diesel_history().unwrap();
        assert_eq!(again.adopted, []);
        assert_eq!(again.already_recorded, [id(USERS), id(POSTS)]);
        // `up` runs only what Diesel had not: creating `users` again would fail.
        let applied = Runner::new(&mut conn, &registry).up(None).unwrap();
        assert_eq!(applied, [id(EMAIL), id(SEED), MigrationId(RUST)]);
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM users"), 2);
        assert!(db.columns("users").contains(&"email".to_owned()));
        // Diesel's table is left as Diesel wrote it.
        assert_eq!(diesel_versions(db), [USERS, POSTS]);
    }
}

test_each_dialect! {
    fn the_first_up_adopts_by_itself(db: &TestDb) {
        diesel_apply(db, &[USERS, POSTS, EMAIL, SEED]);
        let registry = registry();
        let mut conn = db.connect();
        let applied = Runner::new(&mut conn, &registry).up(None).unwrap();
        assert_eq!(applied, [MigrationId(RUST)], "nothing Diesel applied runs again");
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM users"), 2, "the seed ran once");
        assert!(states(db, &registry).iter().all(|&(_, s)| s == Applied));
        assert_eq!(diesel_versions(db).len(), 4);
    }
}

test_each_dialect! {
    fn a_reverted_migration_is_applied_again_not_re_adopted(db: &TestDb) {
        diesel_apply(db, &[USERS, POSTS, EMAIL, SEED]);
        let registry = registry();
        let mut conn = db.connect();
        Runner::new(&mut conn, &registry).up(None).unwrap();
        // Revert the Rust migration and the seed (down.sql), then up again.
        let reverted = Runner::new(&mut conn, &registry).down(DownTarget::Steps(2)).unwrap();
        assert_eq!(reverted, [MigrationId(RUST), id(SEED)]);
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM users"), 0);
        let applied = Runner::new(&mut conn, &registry).up(None).unwrap();
        assert_eq!(applied, [id(SEED), MigrationId(RUST)]);
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM users"), 2);
        // redo runs down.sql then up.sql of the newest SQL migration once the Rust one is gone.
        Runner::new(&mut conn, &registry).down(DownTarget::Steps(1)).unwrap();
        assert_eq!(Runner::new(&mut conn, &registry).redo().unwrap(), id(SEED));
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM users"), 2);
    }
}

test_each_dialect! {
    fn a_version_missing_from_the_directory_is_refused(db: &TestDb) {
        diesel_apply(db, &[USERS]);
        db.execute("INSERT INTO __diesel_schema_migrations (version) VALUES ('20991231000000')");
        let registry = registry();
        let mut conn = db.connect();
        let error = Runner::new(&mut conn, &registry).adopt_diesel_history().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NeedsAttention);
        assert!(error.to_string().contains("20991231000000"), "{error}");
        // `up` refuses the same way, before running anything.
        let error = Runner::new(&mut conn, &registry).up(None).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NeedsAttention);
        assert!(states(db, &registry).iter().all(|&(_, s)| s == Pending), "nothing was recorded");
    }
}

test_each_dialect! {
    fn no_diesel_table_means_nothing_to_adopt(db: &TestDb) {
        let registry = registry();
        let mut conn = db.connect();
        let error = Runner::new(&mut conn, &registry).adopt_diesel_history().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Target);
        assert!(error.to_string().contains("__diesel_schema_migrations"), "{error}");
        // On a database Diesel never migrated, `up` applies the SQL migrations itself.
        let applied = Runner::new(&mut conn, &registry).up(None).unwrap();
        assert_eq!(applied.len(), 5);
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM users"), 2);
        assert!(!db.has_table("__diesel_schema_migrations"));
    }
}

test_each_dialect! {
    fn dry_run_of_the_first_up_leaves_out_what_diesel_applied(db: &TestDb) {
        diesel_apply(db, &[USERS, POSTS, EMAIL]);
        let registry = registry();
        let mut conn = db.connect();
        let scripts = Runner::new(&mut conn, &registry).dry_run_up(None).unwrap();
        let ids: Vec<MigrationId> = scripts.iter().map(|s| s.migration.id()).collect();
        assert_eq!(ids, [id(SEED), MigrationId(RUST)]);
        let seed = scripts[0].statements.join("\n");
        assert!(seed.contains("INSERT INTO users (id, name) VALUES (2, 'grace')"), "{seed}");
        assert!(!db.has_table("_migrate_history"), "a dry run writes nothing");
    }
}

/// Runs the `migrate` command over the Diesel fixture set.
fn command(db: &TestDb, args: &[&str]) -> (i32, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_migrate-fixtures"))
        .env("MIGRATE_FIXTURE", "diesel_dir")
        .env_remove("DATABASE_URL")
        .arg("--database-url")
        .arg(db.url())
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

test_each_dialect! {
    fn the_commands_adopt_and_say_so(db: &TestDb) {
        diesel_apply(db, &[USERS, POSTS]);
        let (code, text) = command(db, &["adopt-diesel"]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("adopted 2 migrations that Diesel had applied"), "{text}");
        assert!(text.contains(&format!("pending {EMAIL} add_users_email")), "{text}");
        let (code, text) = command(db, &["adopt-diesel"]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("2 migrations were already recorded"), "{text}");
        let (code, text) = command(db, &["up"]);
        assert_eq!(code, 0, "{text}");
        assert!(!text.contains("adopted"), "adoption happened once: {text}");
        assert!(text.contains("applied 3 migrations"), "{text}");
    }
}

test_each_dialect! {
    fn the_first_up_command_adopts_and_says_so(db: &TestDb) {
        diesel_apply(db, &[USERS, POSTS, EMAIL, SEED]);
        let (code, text) = command(db, &["status"]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("Diesel applied 4 of these"), "status tells before up: {text}");
        let (code, text) = command(db, &["up"]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("adopted 4 migrations that Diesel had applied"), "{text}");
        assert!(text.contains("applied 1 migration"), "{text}");
        let (code, text) = command(db, &["status"]);
        assert_eq!(code, 0, "{text}");
        assert!(!text.contains("pending"), "{text}");
    }
}

const POSTGRES_DIESEL: EmbeddedMigrations = embed_migrations!("fixtures/diesel/postgres");

#[test]
fn a_postgres_project_with_diesels_initial_setup() {
    use migrate_tests::fixtures::diesel_postgres;
    let db = TestDb::new(Dialect::Postgres);
    let mut pg = diesel::PgConnection::establish(db.url()).unwrap();
    pg.run_pending_migrations(POSTGRES_DIESEL).unwrap();
    let registry = diesel_postgres::SET.registry().unwrap();
    let ids: Vec<u64> = registry.iter().map(|m| m.id().0).collect();
    assert_eq!(
        ids,
        [1, 20240501100000, 20240601000000],
        "the all-zero version has id 1"
    );
    let mut conn = db.connect();
    let adoption = Runner::new(&mut conn, &registry)
        .adopt_diesel_history()
        .unwrap();
    assert_eq!(
        adoption.adopted,
        [
            MigrationId(1),
            MigrationId(20240501100000),
            MigrationId(20240601000000)
        ]
    );
    assert_eq!(Runner::new(&mut conn, &registry).up(None).unwrap(), []);
    // down.sql of each, newest first: the index (CONCURRENTLY: outside a transaction, as its
    // metadata.toml asks, or PostgreSQL refuses it), the table, then Diesel's functions.
    let reverted = Runner::new(&mut conn, &registry)
        .down(DownTarget::To(MigrationId(0)))
        .unwrap();
    assert_eq!(
        reverted,
        [
            MigrationId(20240601000000),
            MigrationId(20240501100000),
            MigrationId(1)
        ]
    );
    assert!(!db.has_table("notes"));
    // And up again, now run by this runner: the trigger function and the index exist again.
    Runner::new(&mut conn, &registry).up(None).unwrap();
    db.execute("INSERT INTO notes (body) VALUES ('x'); UPDATE notes SET body = 'y'");
    assert_eq!(
        db.count("SELECT COUNT(*) AS n FROM pg_indexes WHERE indexname = 'notes_body_idx'"),
        1
    );
    assert_eq!(diesel_versions(&db).len(), 3, "Diesel's table is untouched");
}

#[test]
fn sql_written_for_postgres_is_refused_elsewhere() {
    use migrate_tests::fixtures::diesel_postgres;
    let db = TestDb::new(Dialect::Sqlite);
    let registry = diesel_postgres::SET.registry().unwrap();
    let mut conn = db.connect();
    let error = Runner::new(&mut conn, &registry).up(None).unwrap_err();
    assert!(
        error.to_string().contains("is written for PostgreSQL only"),
        "{error}"
    );
    assert!(Runner::new(&mut conn, &registry).completed().is_empty());
}

test_each_dialect! {
    fn a_migration_merged_below_the_newest_is_applied_only_when_asked(db: &TestDb) {
        // Diesel applied the seed but not the older email migration (merged from a branch later).
        diesel_apply(db, &[USERS, POSTS, SEED]);
        let registry = registry();
        let mut conn = db.connect();
        let adoption = Runner::new(&mut conn, &registry).adopt_diesel_history().unwrap();
        assert_eq!(adoption.below_newest_applied, [id(EMAIL)]);
        let status = Runner::new(&mut conn, &registry).status().unwrap();
        let email = status.iter().find(|s| s.id == id(EMAIL)).unwrap();
        assert_eq!(email.state, Pending);
        assert!(email.detail().unwrap().contains("--out-of-order"), "{:?}", email.detail());
        let error = Runner::new(&mut conn, &registry).up(None).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NeedsAttention);
        assert!(error.to_string().contains(&format!("{EMAIL} `add_users_email`")), "{error}");
        assert!(!db.columns("users").contains(&"email".to_owned()), "nothing ran");
        let applied = Runner::new(&mut conn, &registry).out_of_order(true).up(None).unwrap();
        assert_eq!(applied, [id(EMAIL), MigrationId(RUST)]);
        let (code, text) = command(db, &["status"]);
        assert_eq!(code, 0, "{text}");
        assert!(!text.contains("out-of-order"), "{text}");
    }
}

test_each_dialect! {
    fn the_up_command_names_out_of_order_migrations(db: &TestDb) {
        diesel_apply(db, &[USERS, POSTS, SEED]);
        let (code, text) = command(db, &["up"]);
        assert_eq!(code, 6, "{text}");
        assert!(text.contains("older than migration"), "{text}");
        assert!(text.contains("--out-of-order"), "{text}");
        let (code, text) = command(db, &["up", "--out-of-order"]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("applied 2 migrations"), "{text}");
    }
}
