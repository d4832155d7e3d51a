//! The runner on every database: apply, revert, targets, redo, status states, failures.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use migrate_core::HistoryTable;
use migrate_core::{Dialect, Error, ErrorKind, MigrationId, MigrationState, Registry, Runner};
use migrate_core::{DownTarget, Resolution, RunOptions};
use migrate_tests::fixtures::{basic, duplicate, failing};
use migrate_tests::{TestDb, test_each_dialect};

fn registry(set: &'static migrate_core::MigrationSet) -> Registry {
    set.registry().expect("fixture sets have unique ids")
}

fn states(db: &TestDb, registry: &Registry) -> Vec<(u64, MigrationState)> {
    let mut conn = db.connect();
    Runner::new(&mut conn, registry)
        .status()
        .expect("status")
        .into_iter()
        .map(|s| (s.id.0, s.state))
        .collect()
}

fn up(db: &TestDb, registry: &Registry, to: Option<u64>) -> migrate_core::Result<Vec<MigrationId>> {
    let mut conn = db.connect();
    Runner::new(&mut conn, registry).up(to.map(MigrationId))
}

fn down(
    db: &TestDb,
    registry: &Registry,
    target: DownTarget,
) -> migrate_core::Result<Vec<MigrationId>> {
    let mut conn = db.connect();
    Runner::new(&mut conn, registry).down(target)
}

use MigrationState::{Applied, Changed, Failed, Missing, Pending};

test_each_dialect! {
    fn applies_and_reverts_in_order(db: &TestDb) {
        let registry = registry(&basic::SET);
        assert_eq!(states(db, &registry), [(1, Pending), (2, Pending), (3, Pending)]);
        let applied = up(db, &registry, None).unwrap();
        assert_eq!(applied, [MigrationId(1), MigrationId(2), MigrationId(3)]);
        assert_eq!(db.texts("SELECT v FROM a"), [Some("first".to_owned())]);
        assert!(db.has_table("b"));
        assert_eq!(up(db, &registry, None).unwrap(), [], "a second up applies nothing");
        // Migration 3 is irreversible: down stops before doing anything.
        let err = down(db, &registry, DownTarget::Steps(1)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Target);
        assert!(err.to_string().contains("irreversible"), "{err}");
        assert!(db.has_table("b"), "nothing was reverted");
    }
}

test_each_dialect! {
    fn up_and_down_to_a_target(db: &TestDb) {
        let registry = registry(&basic::SET);
        assert_eq!(up(db, &registry, Some(1)).unwrap(), [MigrationId(1)]);
        assert_eq!(states(db, &registry), [(1, Applied), (2, Pending), (3, Pending)]);
        assert_eq!(up(db, &registry, Some(2)).unwrap(), [MigrationId(2)]);
        assert_eq!(down(db, &registry, DownTarget::To(MigrationId(1))).unwrap(), [MigrationId(2)]);
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM a"), 0);
        assert_eq!(down(db, &registry, DownTarget::To(MigrationId(0))).unwrap(), [MigrationId(1)]);
        assert!(!db.has_table("a"));
        assert_eq!(states(db, &registry), [(1, Pending), (2, Pending), (3, Pending)]);
    }
}

test_each_dialect! {
    fn rejects_bad_targets_without_changing_anything(db: &TestDb) {
        let registry = registry(&basic::SET);
        let err = down(db, &registry, DownTarget::Steps(1)).unwrap_err();
        assert!(err.to_string().contains("nothing to revert"), "{err}");
        let err = up(db, &registry, Some(42)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Target);
        assert!(err.to_string().contains("no migration with id 42"), "{err}");
        up(db, &registry, Some(2)).unwrap();
        let err = up(db, &registry, Some(1)).unwrap_err();
        assert!(err.to_string().contains("would go backwards"), "{err}");
        let err = down(db, &registry, DownTarget::Steps(3)).unwrap_err();
        assert!(err.to_string().contains("only 2 applied"), "{err}");
        let err = down(db, &registry, DownTarget::To(MigrationId(3))).unwrap_err();
        assert!(err.to_string().contains("is not applied"), "{err}");
        assert_eq!(states(db, &registry), [(1, Applied), (2, Applied), (3, Pending)]);
    }
}

test_each_dialect! {
    fn redo_reverts_and_reapplies_the_newest(db: &TestDb) {
        let registry = registry(&basic::SET);
        up(db, &registry, Some(2)).unwrap();
        db.execute("UPDATE a SET v = 'edited' WHERE id = 1");
        let mut conn = db.connect();
        let id = Runner::new(&mut conn, &registry).redo().unwrap();
        assert_eq!(id, MigrationId(2));
        assert_eq!(db.texts("SELECT v FROM a"), [Some("first".to_owned())]);
    }
}

test_each_dialect! {
    fn edited_and_unknown_migrations_block_up(db: &TestDb) {
        let registry = registry(&basic::SET);
        up(db, &registry, Some(1)).unwrap();
        db.execute("UPDATE _migrate_history SET checksum = 'edited' WHERE id = 1");
        db.execute(
            "INSERT INTO _migrate_history (id, name, checksum, state, operation, applied_at, steps_done) \
             VALUES (99, 'from_another_branch', 'x', 'applied', 'up', '2026-01-01 00:00:00', 0)",
        );
        assert_eq!(states(db, &registry), [(1, Changed), (2, Pending), (3, Pending), (99, Missing)]);
        let err = up(db, &registry, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NeedsAttention);
        let message = err.to_string();
        assert!(message.contains("1 `create_a` was edited"), "{message}");
        assert!(message.contains("99 `from_another_branch` is applied but not in this binary"), "{message}");
        assert!(err.hint().unwrap().contains("--accept-checksum"));
        assert!(!db.has_table("b"), "nothing ran");

        let mut conn = db.connect();
        let options = RunOptions { allow_changed: true, allow_missing: true, ..RunOptions::default() };
        Runner::new(&mut conn, &registry).options(options).up(None).unwrap();
        let mut runner = Runner::new(&mut conn, &registry);
        runner.resolve(MigrationId(1), Resolution::AcceptChecksum).unwrap();
        runner.resolve(MigrationId(99), Resolution::MarkReverted).unwrap();
        assert_eq!(states(db, &registry), [(1, Applied), (2, Applied), (3, Applied)]);
    }
}

test_each_dialect! {
    fn a_failing_migration_is_reported_with_its_statement(db: &TestDb) {
        let registry = registry(&failing::SET);
        let mut conn = db.connect();
        let mut runner = Runner::new(&mut conn, &registry);
        let err = runner.up(None).unwrap_err();
        assert_eq!(runner.completed(), [MigrationId(1)], "what applied before the failure");
        drop(runner);
        drop(conn);
        let message = err.to_string();
        assert!(message.starts_with("migration 2 `fill_u` failed"), "{message}");
        assert!(message.contains("statement 3 failed"), "{message}");
        assert!(message.contains("FROM fix"), "the failing SQL is shown: {message}");
        assert_eq!(err.kind(), ErrorKind::Migration);
        match db.dialect() {
            // Transactional DDL: migration 2 left nothing behind, migration 1 stays applied.
            Dialect::Postgres | Dialect::Sqlite => {
                assert!(matches!(err, Error::MigrationFailed { rolled_back: true, .. }));
                assert!(!db.has_table("u"), "rolled back");
                assert_eq!(states(db, &registry), [(1, Applied), (2, Pending)]);
            }
            // MySQL commits DDL: the half-applied migration is visible and blocks further runs.
            Dialect::Mysql => {
                assert!(matches!(err, Error::MigrationFailed { rolled_back: false, .. }));
                assert_eq!(states(db, &registry), [(1, Applied), (2, Failed)]);
                let mut conn = db.connect();
                let status = Runner::new(&mut conn, &registry).status().unwrap();
                let detail = status[1].detail().unwrap();
                assert!(detail.contains("stopped after step 2"), "{detail}");
                let err = up(db, &registry, None).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::NeedsAttention);
                // After fixing the cause, a retry finishes the remaining step only.
                db.execute("CREATE TABLE fix (id INTEGER PRIMARY KEY)");
                db.execute("INSERT INTO fix (id) VALUES (1)");
                Runner::new(&mut conn, &registry).resolve(MigrationId(2), Resolution::Retry).unwrap();
                assert_eq!(states(db, &registry), [(1, Applied), (2, Applied)]);
                assert_eq!(db.count("SELECT COUNT(*) AS n FROM u"), 2);
            }
        }
    }
}

test_each_dialect! {
    fn a_custom_history_table_is_separate(db: &TestDb) {
        let registry = registry(&basic::SET);
        let mut conn = db.connect();
        Runner::new(&mut conn, &registry)
            .history_table(HistoryTable::new("other_history"))
            .up(Some(MigrationId(1)))
            .unwrap();
        assert!(db.has_table("other_history"));
        assert!(!db.has_table("_migrate_history"));
    }
}

test_each_dialect! {
    fn refuses_a_history_table_of_another_tool(db: &TestDb) {
        db.execute("CREATE TABLE _migrate_history (version VARCHAR(50) PRIMARY KEY, run_on TIMESTAMP)");
        let registry = registry(&basic::SET);
        let err = up(db, &registry, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::History);
        assert!(err.to_string().contains("lacks the column(s) id, name"), "{err}");
        assert!(!db.has_table("a"));
    }
}

#[test]
fn duplicate_ids_name_both_locations() {
    let err = duplicate::SET.registry().unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("migration id 7 is used twice"),
        "{message}"
    );
    assert!(
        message.contains("`one` at tests/src/fixtures/duplicate.rs:"),
        "{message}"
    );
    assert!(
        message.contains("`two` at tests/src/fixtures/duplicate.rs:"),
        "{message}"
    );
    assert_eq!(err.kind(), ErrorKind::Registry);
}

#[test]
fn sets_only_see_their_own_module() {
    let basic = registry(&basic::SET);
    assert_eq!(basic.len(), 3);
    assert!(basic.iter().all(|m| m.module_path().contains("::basic")));
    let first = basic.get(MigrationId(1)).unwrap();
    assert_eq!(first.name(), "create_a");
    assert_eq!(first.description(), "Create table `a`.");
    assert!(first.location().file.ends_with("basic.rs"));
}
