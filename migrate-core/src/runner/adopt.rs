//! Adopting the history Diesel recorded: the migrations `__diesel_schema_migrations` lists are
//! recorded as applied in the history table, not run again. Diesel's table is only read, so a
//! project can still go back to `diesel migration run`.
//!
//! Alembic's equivalent is `alembic stamp`; Flyway's is `baseline`.

use super::Runner;
use super::execute::recorded;
use crate::connection::AnyConnection;
use crate::descriptor::MigrationDescriptor;
use crate::error::{Error, Result};
use crate::history::{EntryState, HistoryEntry};
use crate::status::MigrationStatus;
use crate::vocabulary::{Direction, MigrationId};
use migrate_sql::runtime::diesel::{DIESEL_TABLE, DIESEL_VERSIONS, diesel_table_count};
use std::time::Duration;

/// What adopting Diesel's history found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Adoption {
    /// Migrations Diesel had applied, now recorded as applied.
    pub adopted: Vec<MigrationId>,
    /// Migrations Diesel had applied that the history already recorded (adopted before).
    pub already_recorded: Vec<MigrationId>,
    /// Migrations of the directory Diesel had not applied: pending, for `up` to apply.
    pub pending: Vec<MigrationId>,
    /// Of those, the ones older than a migration Diesel applied (merged from another branch):
    /// `up` applies them only with `--out-of-order`.
    pub below_newest_applied: Vec<MigrationId>,
}

impl Runner<'_> {
    /// Records every migration that Diesel's `__diesel_schema_migrations` lists as applied,
    /// without running it, after checking that each of them is in the registry (embedded with
    /// [`embed_diesel_migrations!`](crate::embed_diesel_migrations)). Migrations of the
    /// directory that Diesel did not apply stay pending. Diesel's table is not changed. Running
    /// it again records nothing new (`already_recorded`).
    ///
    /// `migrate adopt-diesel` runs it; the first `migrate up` and
    /// [`apply_migrations`](crate::ApplyMigrations) run it by themselves (see
    /// [`adopt_diesel_history_on_first_run`](Self::adopt_diesel_history_on_first_run)).
    ///
    /// Fails, recording nothing, when this database has no Diesel table, when the registry has
    /// no Diesel migration, or when Diesel applied a version the registry does not have.
    pub fn adopt_diesel_history(&mut self) -> Result<Adoption> {
        self.locked(|runner| {
            let plan = runner.plan_adoption()?.ok_or_else(|| Error::InvalidTarget {
                message: format!(
                    "this database has no `{DIESEL_TABLE}` table: Diesel has not migrated it, so there is no history to adopt"
                ),
                hint: "check the database URL; on a database Diesel never migrated, `migrate up` applies every migration".into(),
            })?;
            runner.record_adoption(&plan)?;
            Ok(plan.adoption)
        })
    }

    /// What [`up`](Self::up) does first: adopts Diesel's history when the registry has Diesel
    /// migrations, the database has Diesel's table, and the history table does not exist yet
    /// (the first run after the switch). Returns what it did, or `None` when there was nothing
    /// to adopt. Later runs never adopt by themselves: a migration reverted with `migrate down`
    /// must be applied again, not adopted from Diesel's stale row.
    pub fn adopt_diesel_history_on_first_run(&mut self) -> Result<Option<Adoption>> {
        self.locked(|runner| runner.adopt_on_first_run_locked())
    }

    /// [`adopt_diesel_history_on_first_run`](Self::adopt_diesel_history_on_first_run), for a
    /// runner that holds the lock.
    pub(super) fn adopt_on_first_run_locked(&mut self) -> Result<Option<Adoption>> {
        if self.history.exists(self.conn)? {
            return Ok(None);
        }
        let Some(plan) = self.plan_adoption()? else {
            return Ok(None);
        };
        self.record_adoption(&plan)?;
        tracing::info!(
            adopted = plan.adoption.adopted.len(),
            "recorded the migrations Diesel had applied (`{DIESEL_TABLE}`) as applied"
        );
        Ok(Some(plan.adoption))
    }

    /// What the first `up` would adopt, without writing anything: `None` unless this is the
    /// first run over a database Diesel migrated. `migrate status` shows it.
    pub fn diesel_history_to_adopt(&mut self) -> Result<Option<Adoption>> {
        Ok(self.statuses_after_first_adoption()?.1)
    }

    /// The statuses as they will be once the first run adopted Diesel's history, for a dry run
    /// of that first run (which must not write); the adoption it would make, if any.
    pub(super) fn statuses_after_first_adoption(
        &mut self,
    ) -> Result<(Vec<MigrationStatus>, Option<Adoption>)> {
        let first_run = !self.history.exists(self.conn)?;
        let mut entries = self.history.entries(self.conn)?;
        let adoption = match self.plan_adoption()? {
            Some(plan) if first_run => {
                for m in &plan.to_record {
                    entries.push(adopted_entry(m));
                }
                Some(plan.adoption)
            }
            _ => None,
        };
        Ok((crate::status::compute(self.registry, &entries), adoption))
    }

    /// Compares Diesel's table with the registry and the history; `None` when there is no
    /// Diesel table or no Diesel migration in the registry.
    fn plan_adoption(&mut self) -> Result<Option<AdoptionPlan>> {
        let diesel: Vec<&'static MigrationDescriptor> = self
            .registry
            .iter()
            .filter(|m| m.diesel_version().is_some())
            .collect();
        if diesel.is_empty() || !diesel_table_exists(self.conn)? {
            return Ok(None);
        }
        let versions = self
            .conn
            .query_text(DIESEL_VERSIONS)
            .map_err(|e| Error::database(format!("reading `{DIESEL_TABLE}`"), e))?;
        let unknown: Vec<&String> = versions
            .iter()
            .filter(|v| {
                !diesel
                    .iter()
                    .any(|m| m.diesel_version() == Some(v.as_str()))
            })
            .collect();
        if !unknown.is_empty() {
            let list: Vec<&str> = unknown.iter().map(|v| v.as_str()).collect();
            return Err(Error::NeedsAttention {
                summary: format!(
                    "Diesel applied {} migration(s) that this binary does not have: version(s) {}",
                    list.len(),
                    list.join(", ")
                ),
                hint: format!(
                    "build from the migrations directory that has them (a directory named `<version>_<name>` for each), or, if they were deleted on purpose, delete their rows from `{DIESEL_TABLE}` first; nothing was recorded"
                ),
            });
        }
        let entries = self.history.entries(self.conn)?;
        let recorded = |m: &MigrationDescriptor| entries.iter().any(|e| e.id == m.id());
        let newest_applied = diesel
            .iter()
            .filter(|m| is_applied_by_diesel(m, &versions))
            .map(|m| m.id())
            .max();
        let mut plan = AdoptionPlan::default();
        for m in diesel {
            match (is_applied_by_diesel(m, &versions), recorded(m)) {
                (true, true) => plan.adoption.already_recorded.push(m.id()),
                (true, false) => {
                    plan.adoption.adopted.push(m.id());
                    plan.to_record.push(m);
                }
                (false, _) => {
                    plan.adoption.pending.push(m.id());
                    if newest_applied.is_some_and(|newest| m.id() < newest) {
                        plan.adoption.below_newest_applied.push(m.id());
                    }
                }
            }
        }
        Ok(Some(plan))
    }

    /// Records the plan's migrations as applied, all or none.
    fn record_adoption(&mut self, plan: &AdoptionPlan) -> Result<()> {
        self.history.ensure(self.conn)?;
        let history = self.history.clone();
        self.conn.in_transaction(|conn| {
            for m in &plan.to_record {
                history.record_applied(conn, recorded(m), Duration::ZERO)?;
            }
            Ok(())
        })
    }
}

/// What adoption will record.
#[derive(Default)]
struct AdoptionPlan {
    adoption: Adoption,
    to_record: Vec<&'static MigrationDescriptor>,
}

fn is_applied_by_diesel(m: &MigrationDescriptor, versions: &[String]) -> bool {
    m.diesel_version()
        .is_some_and(|v| versions.iter().any(|applied| applied == v))
}

fn diesel_table_exists(conn: &mut AnyConnection) -> Result<bool> {
    let count = conn
        .query_i64(diesel_table_count(conn.dialect()))
        .map_err(|e| Error::database(format!("looking for `{DIESEL_TABLE}`"), e))?;
    Ok(count.first().is_some_and(|&n| n > 0))
}

/// The history row adoption writes, for a dry run that must not write it.
fn adopted_entry(m: &MigrationDescriptor) -> HistoryEntry {
    HistoryEntry {
        id: m.id(),
        name: m.name().to_owned(),
        checksum: m.checksum().to_owned(),
        state: EntryState::Applied,
        operation: Direction::Up,
        applied_at: String::new(),
        execution_ms: Some(0),
        steps_done: 0,
        resume_key: None,
        error: None,
    }
}
