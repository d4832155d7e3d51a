//! Many databases, one migration set: tenants (a schema, database or file each) and shards.
//!
//! [`Fleet`] applies the set to each database exactly as a single run would (its own connection,
//! migration lock, history and journal, so a failed or interrupted database is left as a single
//! run would leave it, and resumes the same way), at most [`jobs`](Fleet::jobs) at once, the
//! [`canary`](Fleet::canary) databases first. A failure stops new starts unless
//! [`keep_going`](Fleet::keep_going) is set; it never stops or touches another database.
//! [`FleetTarget`] finds the databases: URLs, PostgreSQL schemas, MySQL databases or SQLite
//! files matching a pattern.

mod pattern;
mod schedule;
mod target;

pub use target::FleetTarget;

use crate::connection::AnyConnection;
use crate::descriptor::MigrationDescriptor;
use crate::error::{Error, Result};
use crate::history::HistoryTable;
use crate::lock_warning::LockWarning;
use crate::observer::Observer;
use crate::registry::{MigrationSet, Registry};
use crate::report::Progress;
use crate::runner::{RunOptions, Runner};
use crate::startup::AppliedMigration;
use crate::status::MigrationStatus;
use crate::vocabulary::{Direction, MigrationId};
use std::time::{Duration, Instant};

/// Applies a migration set to many databases, each as `migrate up` would, several at once.
///
/// An application that gives each customer a schema can migrate them all when it starts:
///
/// ```no_run
/// use migrate_core::{DatabaseUrl, Fleet, FleetTarget};
///
/// mod migrations {
///     migrate_core::migration_set! {
///         /// The application's migrations.
///         pub static MIGRATIONS;
///     }
/// }
///
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let url: DatabaseUrl = "postgres://app@127.0.0.1/saas".parse()?;
///     let tenants = FleetTarget::postgres_schemas(&url, "tenant_*")?;
///     let report = Fleet::new(&migrations::MIGRATIONS, tenants)?
///         .jobs(8)
///         .canary(1)
///         .up(None);
///     for outcome in report.failed() {
///         eprintln!("{}: {}", outcome.target.name, outcome.error().map(|e| e.to_string()).unwrap_or_default());
///     }
///     report.into_result()?; // the first failure, if any
///     Ok(())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Fleet {
    registry: Registry,
    targets: Vec<FleetTarget>,
    jobs: usize,
    canary: usize,
    keep_going: bool,
    history: HistoryTable,
    options: RunOptions,
}

/// What a fleet run did on one database.
#[derive(Debug)]
pub struct DatabaseOutcome {
    /// The database.
    pub target: FleetTarget,
    /// What happened there.
    pub result: DatabaseResult,
    /// How long it took (zero if it was not started).
    pub elapsed: Duration,
    /// The lock warnings its migrations raised (see [`LockWarning`]), as text.
    pub warnings: Vec<String>,
}

/// What happened on one database of a fleet run.
#[derive(Debug)]
pub enum DatabaseResult {
    /// Migrations were applied.
    Applied(Vec<AppliedMigration>),
    /// Nothing was pending.
    UpToDate,
    /// It failed; the migrations before the failure stay applied, and the database is as a single
    /// run would have left it (rolled back, or journaled and resumable).
    Failed {
        /// Why.
        error: Error,
        /// The migrations applied before it failed.
        applied: Vec<AppliedMigration>,
    },
    /// Not started: an earlier failure stopped the run (a canary's, or any without
    /// [`keep_going`](Fleet::keep_going)), or SIGINT/SIGTERM.
    NotStarted,
}

impl DatabaseOutcome {
    /// The error, if it failed.
    pub fn error(&self) -> Option<&Error> {
        match &self.result {
            DatabaseResult::Failed { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The migrations it applied (before a failure, if it failed).
    pub fn applied(&self) -> &[AppliedMigration] {
        match &self.result {
            DatabaseResult::Applied(applied) | DatabaseResult::Failed { applied, .. } => applied,
            DatabaseResult::UpToDate | DatabaseResult::NotStarted => &[],
        }
    }
}

/// The outcome of [`Fleet::up`] on every database, in the order the targets were given.
#[derive(Debug)]
pub struct FleetReport {
    /// One per target.
    pub outcomes: Vec<DatabaseOutcome>,
    /// Whether SIGINT/SIGTERM stopped the run.
    pub interrupted: bool,
}

impl FleetReport {
    /// The databases that failed.
    pub fn failed(&self) -> impl Iterator<Item = &DatabaseOutcome> {
        self.outcomes.iter().filter(|o| o.error().is_some())
    }

    /// The databases that were not started.
    pub fn not_started(&self) -> impl Iterator<Item = &DatabaseOutcome> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.result, DatabaseResult::NotStarted))
    }

    /// `Ok` when every database is up to date now; else the first failure's error (with the
    /// database's name in front), or an interruption.
    pub fn into_result(self) -> Result<FleetReport> {
        let total = self.outcomes.len();
        let failures = self.failed().count();
        let not_started = self.not_started().count();
        if let Some((outcome, error)) = self.failed().find_map(|o| o.error().map(|e| (o, e))) {
            return Err(Error::FleetIncomplete {
                summary: format!(
                    "{failures} of {total} database(s) failed, {not_started} not started; the first, {}: {error}",
                    outcome.target.name
                ),
                kind: error.kind(),
            });
        }
        if self.interrupted || not_started > 0 {
            return Err(Error::FleetIncomplete {
                summary: format!("interrupted: {not_started} of {total} database(s) not started"),
                kind: crate::error::ErrorKind::Interrupted,
            });
        }
        Ok(self)
    }
}

/// The state of one database of a fleet ([`Fleet::status`]).
#[derive(Debug)]
pub struct DatabaseStatus {
    /// The database.
    pub target: FleetTarget,
    /// The state of each migration, as `migrate status` shows it, or why it could not be read.
    pub statuses: Result<Vec<MigrationStatus>>,
}

/// Hears what a fleet run does, from all its threads at once. Every method does nothing by
/// default; `index` is the database's position among the targets.
pub trait FleetObserver: Sync {
    /// A database is started.
    fn database_started(&self, _index: usize, _target: &FleetTarget) {}
    /// A migration starts on a database.
    fn migration_started(&self, _index: usize, _migration: &MigrationDescriptor) {}
    /// A batched helper on a database made progress.
    fn progress(&self, _index: usize, _migration: &MigrationDescriptor, _progress: &Progress) {}
    /// A database waits for its migration lock, held by `holder`.
    fn waiting_for_lock(&self, _index: usize, _holder: &str) {}
    /// A database is done.
    fn database_finished(&self, _index: usize, _outcome: &DatabaseOutcome) {}
}

/// Logs through `tracing`: each database's start and end at `info`, failures at `warn`.
impl FleetObserver for crate::observer::LogObserver {
    fn database_started(&self, _index: usize, target: &FleetTarget) {
        tracing::info!(database = %target.name, "migrating");
    }
    fn database_finished(&self, _index: usize, outcome: &DatabaseOutcome) {
        let database = &outcome.target.name;
        match &outcome.result {
            DatabaseResult::Failed { error, .. } => tracing::warn!(%database, "failed: {error}"),
            DatabaseResult::Applied(applied) => {
                tracing::info!(%database, elapsed = ?outcome.elapsed, "applied {}", applied.len());
            }
            DatabaseResult::UpToDate => tracing::info!(%database, "up to date"),
            DatabaseResult::NotStarted => {}
        }
    }
}

impl Fleet {
    /// A fleet run of `set` over `targets`: one job, no canary, stopping at the first failure.
    pub fn new(set: &'static MigrationSet, targets: Vec<FleetTarget>) -> Result<Fleet> {
        Ok(Fleet::with_registry(set.registry()?, targets))
    }

    /// The same, from a registry already built.
    pub fn with_registry(registry: Registry, targets: Vec<FleetTarget>) -> Fleet {
        Fleet {
            registry,
            targets,
            jobs: 1,
            canary: 0,
            keep_going: false,
            history: HistoryTable::default(),
            options: RunOptions::default(),
        }
    }

    /// At most `jobs` databases at once, each on a thread and connection of its own.
    pub fn jobs(mut self, jobs: usize) -> Self {
        self.jobs = jobs.max(1);
        self
    }

    /// The first `canary` databases run first; if one fails, no other starts.
    pub fn canary(mut self, canary: usize) -> Self {
        self.canary = canary;
        self
    }

    /// After a failure (outside the canaries), start the remaining databases anyway.
    pub fn keep_going(mut self, keep_going: bool) -> Self {
        self.keep_going = keep_going;
        self
    }

    /// The history table of every database.
    pub fn history_table(mut self, history: HistoryTable) -> Self {
        self.history = history;
        self
    }

    /// The options of every database's run.
    pub fn options(mut self, options: RunOptions) -> Self {
        self.options = options;
        self
    }

    /// The databases.
    pub fn targets(&self) -> &[FleetTarget] {
        &self.targets
    }

    /// Applies the pending migrations (up to `to`) to every database, reporting through `tracing`.
    pub fn up(&self, to: Option<MigrationId>) -> FleetReport {
        self.up_observed(to, &crate::observer::LogObserver::default())
    }

    /// [`up`](Self::up), telling `observer` what happens.
    pub fn up_observed(
        &self,
        to: Option<MigrationId>,
        observer: &dyn FleetObserver,
    ) -> FleetReport {
        let schedule = schedule::Schedule {
            jobs: self.jobs,
            canary: self.canary,
            keep_going: self.keep_going,
        };
        let results = schedule::run(self.targets.len(), schedule, |index| {
            let target = &self.targets[index];
            observer.database_started(index, target);
            let outcome = self.up_one(index, target, to, observer);
            observer.database_finished(index, &outcome);
            let failed = outcome.error().is_some();
            (outcome, failed)
        });
        let outcomes = results
            .into_iter()
            .zip(&self.targets)
            .map(|(outcome, target)| {
                outcome.unwrap_or_else(|| DatabaseOutcome {
                    target: target.clone(),
                    result: DatabaseResult::NotStarted,
                    elapsed: Duration::ZERO,
                    warnings: Vec::new(),
                })
            })
            .collect();
        FleetReport {
            outcomes,
            interrupted: crate::interrupt::requested(),
        }
    }

    /// One database, as `migrate up` runs it.
    fn up_one(
        &self,
        index: usize,
        target: &FleetTarget,
        to: Option<MigrationId>,
        observer: &dyn FleetObserver,
    ) -> DatabaseOutcome {
        let started = Instant::now();
        let mut reporter = PerDatabase {
            index,
            observer,
            name: &target.name,
            warnings: Vec::new(),
        };
        let mut completed = Vec::new();
        let result = AnyConnection::establish(&target.url).and_then(|mut conn| {
            let mut runner = Runner::new(&mut conn, &self.registry)
                .history_table(self.history.clone())
                .reconnect_url(target.url.clone())
                .options(self.options.clone())
                .observer(&mut reporter);
            let result = runner.up(to);
            completed = runner.completed().to_vec();
            result
        });
        let applied = |ids: &[MigrationId]| -> Vec<AppliedMigration> {
            ids.iter()
                .filter_map(|id| self.registry.get(*id))
                .map(|m| AppliedMigration {
                    id: m.id(),
                    name: m.name(),
                })
                .collect()
        };
        let result = match result {
            Ok(ids) if ids.is_empty() => DatabaseResult::UpToDate,
            Ok(ids) => DatabaseResult::Applied(applied(&ids)),
            Err(error) => DatabaseResult::Failed {
                error,
                applied: applied(&completed),
            },
        };
        DatabaseOutcome {
            target: target.clone(),
            result,
            elapsed: started.elapsed(),
            warnings: reporter.warnings,
        }
    }

    /// The state of every migration on every database (`migrate status` on each), `jobs` at
    /// once; a database that cannot be read says why in its entry.
    pub fn status(&self) -> Vec<DatabaseStatus> {
        let schedule = schedule::Schedule {
            jobs: self.jobs,
            canary: 0,
            keep_going: true,
        };
        let results = schedule::run(self.targets.len(), schedule, |index| {
            let target = &self.targets[index];
            let statuses = AnyConnection::establish_existing(&target.url).and_then(|mut conn| {
                Runner::new(&mut conn, &self.registry)
                    .history_table(self.history.clone())
                    .options(self.options.clone())
                    .status()
            });
            (statuses, false)
        });
        results
            .into_iter()
            .zip(&self.targets)
            .map(|(statuses, target)| DatabaseStatus {
                target: target.clone(),
                statuses: statuses.unwrap_or_else(|| {
                    Err(Error::FleetIncomplete {
                        summary: "not read: the command was stopped".into(),
                        kind: crate::error::ErrorKind::Interrupted,
                    })
                }),
            })
            .collect()
    }
}

/// One database's runner observer: forwards to the fleet's observer with the database's index,
/// keeps the lock warnings for the report, logs the notes.
struct PerDatabase<'o> {
    index: usize,
    observer: &'o dyn FleetObserver,
    name: &'o str,
    warnings: Vec<String>,
}

impl Observer for PerDatabase<'_> {
    fn migration_started(&mut self, migration: &MigrationDescriptor, _direction: Direction) {
        self.observer.migration_started(self.index, migration);
    }
    fn note(&mut self, migration: &MigrationDescriptor, text: &str) {
        tracing::info!(database = %self.name, id = %migration.id(), "{text}");
    }
    fn waiting_for_lock(&mut self, holder: &str) {
        self.observer.waiting_for_lock(self.index, holder);
    }
    fn progress(&mut self, migration: &MigrationDescriptor, progress: &Progress) {
        self.observer.progress(self.index, migration, progress);
    }
    fn lock_warning(&mut self, warning: &LockWarning) {
        tracing::info!(database = %self.name, migration = %warning.id, "{warning}");
        self.warnings.push(warning.to_string());
    }
}
