//! `--dry-run`: running migrations in recording mode, with or without a database.

use super::execute::{call, function_for};
use super::plan::plan_up;
use crate::connection::AnyConnection;
use crate::descriptor::MigrationDescriptor;
use crate::error::Result;
use crate::migration::Migration;
use crate::observer::{LogObserver, Observer, ReportTo};
use crate::registry::Registry;
use crate::status;
use crate::vocabulary::{Direction, MigrationId};
use migrate_sql::Dialect;

/// The statements one migration would run, as `--dry-run` shows them.
#[derive(Debug)]
pub struct DryRunScript {
    /// The migration.
    pub migration: &'static MigrationDescriptor,
    /// Applying or reverting.
    pub direction: Direction,
    /// Its statements, in order.
    pub statements: Vec<String>,
    /// Why the script is incomplete, if it is.
    pub incomplete: Option<String>,
}

/// Runs a migration in recording mode and returns what it would execute.
pub(super) fn dry_run(
    conn: Option<&mut AnyConnection>,
    dialect: Dialect,
    migration: &'static MigrationDescriptor,
    direction: Direction,
    observer: &mut dyn Observer,
) -> DryRunScript {
    let (statements, incomplete) = match function_for(migration, direction) {
        Err(e) => (Vec::new(), Some(e.to_string())),
        Ok(function) => {
            let mut report = ReportTo {
                observer,
                migration,
            };
            let ids = (migration.id(), migration.name());
            let mode = (direction, !migration.is_transactional());
            let mut m = Migration::dry_run(conn, dialect, ids, mode, &mut report);
            let outcome = call(function, &mut m);
            (m.into_recorded(), outcome.err().map(|e| e.to_string()))
        }
    };
    DryRunScript {
        migration,
        direction,
        statements,
        incomplete,
    }
}

/// The tables whose rows the online fills of `migration` keep in step with triggers while it
/// runs in `direction` (what a recording pass of it, without a database, reaches).
pub(super) fn synced_tables(
    dialect: Dialect,
    migration: &'static MigrationDescriptor,
    direction: Direction,
) -> Vec<String> {
    let Ok(function) = function_for(migration, direction) else {
        return Vec::new();
    };
    let mut observer = LogObserver::default();
    let mut report = ReportTo {
        observer: &mut observer,
        migration,
    };
    let ids = (migration.id(), migration.name());
    let mode = (direction, !migration.is_transactional());
    let mut m = Migration::dry_run(None, dialect, ids, mode, &mut report);
    // A pass stopped by a step that needs the database has noted the tables before it.
    let _ = call(function, &mut m);
    m.synced_tables()
}

/// The statements `up` would run on a fresh `dialect` database, without any connection
/// (`migrate up --dry-run --dialect D`).
pub fn dry_run_offline(
    registry: &Registry,
    dialect: Dialect,
    direction: Direction,
    to: Option<MigrationId>,
) -> Result<Vec<DryRunScript>> {
    let mut observer = LogObserver::default();
    let migrations: Vec<&'static MigrationDescriptor> = match direction {
        Direction::Up => {
            let statuses = status::compute(registry, &[]);
            plan_up(registry, &statuses, to)?
                .into_iter()
                .map(|(m, _)| m)
                .collect()
        }
        // Without a database every migration counts as applied.
        Direction::Down => {
            let floor = to.unwrap_or(MigrationId(0));
            registry.iter().rev().filter(|m| m.id() > floor).collect()
        }
    };
    Ok(migrations
        .into_iter()
        .map(|m| dry_run(None, dialect, m, direction, &mut observer))
        .collect())
}
