//! Applying and reverting migrations.

use crate::connection::AnyConnection;
use crate::history::HistoryTable;
use crate::lock::RunLock;
use crate::migration::{Direction, RunMode};
use crate::status::{self, MigrationState, MigrationStatus};
use crate::{
    Dialect, Down, Error, Migration, MigrationDescriptor, MigrationFn, MigrationId, Registry,
    Result,
};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

/// Receives what a run does, as it does it: the `migrate` command prints it, tests record it.
/// Every method does nothing by default.
pub trait Observer {
    /// A migration starts.
    fn migration_started(&mut self, _migration: &MigrationDescriptor, _direction: Direction) {}
    /// A migration finished successfully.
    fn migration_finished(
        &mut self,
        _migration: &MigrationDescriptor,
        _direction: Direction,
        _elapsed: Duration,
    ) {
    }
    /// A line of output from a migration: counts, spot checks, skipped steps.
    fn note(&mut self, _migration: &MigrationDescriptor, _text: &str) {}
    /// Another runner holds the lock; this one waits.
    fn waiting_for_lock(&mut self, _holder: &str) {}
    /// A batched helper committed a batch (or finished).
    fn progress(&mut self, _migration: &MigrationDescriptor, _progress: &Progress) {}
}

impl<T: Observer + ?Sized> Observer for &mut T {
    fn migration_started(&mut self, migration: &MigrationDescriptor, direction: Direction) {
        (**self).migration_started(migration, direction)
    }
    fn migration_finished(
        &mut self,
        migration: &MigrationDescriptor,
        direction: Direction,
        elapsed: Duration,
    ) {
        (**self).migration_finished(migration, direction, elapsed)
    }
    fn note(&mut self, migration: &MigrationDescriptor, text: &str) {
        (**self).note(migration, text)
    }
    fn waiting_for_lock(&mut self, holder: &str) {
        (**self).waiting_for_lock(holder)
    }
    fn progress(&mut self, migration: &MigrationDescriptor, progress: &Progress) {
        (**self).progress(migration, progress)
    }
}

/// An observer that only logs, through `tracing`.
#[derive(Debug, Default)]
pub struct LogObserver;

impl Observer for LogObserver {
    fn migration_started(&mut self, migration: &MigrationDescriptor, direction: Direction) {
        tracing::info!(id = %migration.id(), name = migration.name(), %direction, "migration started");
    }
    fn migration_finished(
        &mut self,
        migration: &MigrationDescriptor,
        direction: Direction,
        elapsed: Duration,
    ) {
        tracing::info!(id = %migration.id(), name = migration.name(), %direction, ?elapsed, "migration finished");
    }
    fn note(&mut self, migration: &MigrationDescriptor, text: &str) {
        tracing::info!(id = %migration.id(), "{text}");
    }
    fn waiting_for_lock(&mut self, holder: &str) {
        tracing::info!("waiting for the migration lock held by {holder}");
    }
    fn progress(&mut self, migration: &MigrationDescriptor, progress: &Progress) {
        tracing::info!(id = %migration.id(), done = progress.done, total = ?progress.total, batches = progress.batches, "{}", progress.label);
    }
}

/// Where an interrupted or failed run of a migration stopped: the steps it finished and the last
/// key its batched step committed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Resume {
    steps_done: u32,
    key: Option<i64>,
}

impl Resume {
    fn from_entry(entry: Option<&crate::history::HistoryEntry>) -> Resume {
        entry.map_or_else(Resume::default, |e| Resume {
            steps_done: e.steps_done,
            key: e.resume_key,
        })
    }
}

/// How far a batched helper has got, for progress displays.
#[derive(Debug, Clone)]
pub struct Progress {
    /// What is being done (`backfill orders.status`).
    pub label: String,
    /// Rows done so far in this run.
    pub done: u64,
    /// Rows to do in this run, if known.
    pub total: Option<u64>,
    /// Time since this run of the step started.
    pub elapsed: Duration,
    /// Batches committed so far.
    pub batches: u64,
    /// The longest batch so far: the longest any batch held its transaction (and row locks).
    pub longest_batch: Duration,
    /// Whether the step is finished.
    pub finished: bool,
}

/// Where `down` stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownTarget {
    /// Revert this many of the newest applied migrations.
    Steps(usize),
    /// Revert every applied migration newer than this id, leaving it applied (`0` reverts all).
    To(MigrationId),
}

/// An operator's decision about a migration that needs attention (`migrate resolve`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Run a failed or interrupted migration again, skipping the steps it finished.
    Retry,
    /// Record it as applied (the operator finished it by hand).
    MarkApplied,
    /// Remove it from the history (the operator undid it by hand, or it is gone from the code).
    MarkReverted,
    /// Record the code's current checksum for an applied migration whose edit changes nothing.
    AcceptChecksum,
}

/// Choices of a run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Run even though applied migrations were edited.
    pub allow_changed: bool,
    /// Run even though applied migrations are unknown to this binary.
    pub allow_missing: bool,
    /// How long to wait for another runner to finish.
    pub lock_timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            allow_changed: false,
            allow_missing: false,
            lock_timeout: Duration::from_secs(60),
        }
    }
}

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

/// Applies and reverts the migrations of a registry on one connection.
///
/// Every command that changes the database holds the migration lock for its whole run and reads
/// the history only once it holds it, so concurrent runners apply each migration once.
pub struct Runner<'a> {
    conn: &'a mut AnyConnection,
    registry: &'a Registry,
    history: HistoryTable,
    observer: Box<dyn Observer + 'a>,
    options: RunOptions,
}

impl<'a> Runner<'a> {
    /// A runner with the default history table, options and a logging observer.
    pub fn new(conn: &'a mut AnyConnection, registry: &'a Registry) -> Self {
        Runner {
            conn,
            registry,
            history: HistoryTable::default(),
            observer: Box::new(LogObserver),
            options: RunOptions::default(),
        }
    }

    /// Uses `observer` to report progress.
    pub fn observer(mut self, observer: impl Observer + 'a) -> Self {
        self.observer = Box::new(observer);
        self
    }

    /// Uses another history table.
    pub fn history_table(mut self, history: HistoryTable) -> Self {
        self.history = history;
        self
    }

    /// Sets the run's options.
    pub fn options(mut self, options: RunOptions) -> Self {
        self.options = options;
        self
    }

    /// The state of every known and every applied migration, by id.
    pub fn status(&mut self) -> Result<Vec<MigrationStatus>> {
        let entries = self.history.entries(self.conn)?;
        Ok(status::compute(self.registry, &entries))
    }

    /// Applies pending migrations in id order, up to and including `to`; resumes interrupted ones.
    /// Returns the ids it applied.
    pub fn up(&mut self, to: Option<MigrationId>) -> Result<Vec<MigrationId>> {
        self.locked(|runner| {
            runner.history.ensure(runner.conn)?;
            let statuses = runner.status()?;
            runner.refuse_blocked(&statuses, Direction::Up)?;
            let plan = plan_up(runner.registry, &statuses, to)?;
            let mut applied = Vec::new();
            for (migration, resume) in plan {
                runner.run_one(migration, Direction::Up, resume)?;
                applied.push(migration.id());
            }
            Ok(applied)
        })
    }

    /// Reverts applied migrations, newest first. Returns the ids it reverted.
    pub fn down(&mut self, target: DownTarget) -> Result<Vec<MigrationId>> {
        self.locked(|runner| {
            let statuses = runner.status()?;
            runner.refuse_blocked(&statuses, Direction::Down)?;
            let plan = plan_down(runner.registry, &statuses, target)?;
            let mut reverted = Vec::new();
            for (migration, resume) in plan {
                runner.run_one(migration, Direction::Down, resume)?;
                reverted.push(migration.id());
            }
            Ok(reverted)
        })
    }

    /// Reverts the newest applied migration and applies it again. Returns its id.
    pub fn redo(&mut self) -> Result<MigrationId> {
        self.locked(|runner| {
            let statuses = runner.status()?;
            runner.refuse_blocked(&statuses, Direction::Down)?;
            let plan = plan_down(runner.registry, &statuses, DownTarget::Steps(1))?;
            let Some(&(migration, resume)) = plan.first() else {
                return Err(nothing_applied());
            };
            runner.run_one(migration, Direction::Down, resume)?;
            runner.run_one(migration, Direction::Up, Resume::default())?;
            Ok(migration.id())
        })
    }

    /// Applies an operator's decision about migration `id`.
    pub fn resolve(&mut self, id: MigrationId, resolution: Resolution) -> Result<()> {
        self.locked(|runner| {
            runner.history.ensure(runner.conn)?;
            let statuses = runner.status()?;
            let Some(status) = statuses.into_iter().find(|s| s.id == id) else {
                return Err(unknown_target(id, runner.registry));
            };
            let not_applicable = |what: &str| Error::InvalidTarget {
                message: format!(
                    "migration {id} `{}` is {}; {what}",
                    status.name, status.state
                ),
                hint: "`migrate status` shows what needs attention".into(),
            };
            match resolution {
                Resolution::Retry => {
                    let (Some(entry), Some(migration)) = (&status.entry, status.descriptor) else {
                        return Err(not_applicable(
                            "only failed or interrupted migrations can be retried",
                        ));
                    };
                    if !matches!(
                        status.state,
                        MigrationState::Failed | MigrationState::Interrupted
                    ) {
                        return Err(not_applicable(
                            "only failed or interrupted migrations can be retried",
                        ));
                    }
                    runner.run_one(migration, entry.operation, Resume::from_entry(Some(entry)))
                }
                Resolution::MarkApplied => match status.descriptor {
                    Some(migration) => {
                        runner
                            .history
                            .record_applied(runner.conn, migration, Duration::ZERO)
                    }
                    None => Err(not_applicable(
                        "it is not in this binary, so it cannot be marked applied",
                    )),
                },
                Resolution::MarkReverted => match status.entry {
                    Some(_) => runner.history.delete(runner.conn, id),
                    None => Err(not_applicable(
                        "it is not in the history, so there is nothing to mark reverted",
                    )),
                },
                Resolution::AcceptChecksum => {
                    match (status.state, status.descriptor) {
                        (MigrationState::Changed, Some(migration)) => runner
                            .history
                            .record_checksum(runner.conn, id, migration.checksum()),
                        _ => Err(not_applicable(
                            "only changed migrations have a checksum to accept",
                        )),
                    }
                }
            }
        })
    }

    /// The statements `up` would run, without running anything.
    pub fn dry_run_up(&mut self, to: Option<MigrationId>) -> Result<Vec<DryRunScript>> {
        let statuses = self.status()?;
        let plan = plan_up(self.registry, &statuses, to)?;
        let dialect = self.conn.dialect();
        Ok(plan
            .into_iter()
            .map(|(m, _)| {
                dry_run(
                    Some(&mut *self.conn),
                    dialect,
                    m,
                    Direction::Up,
                    &mut *self.observer,
                )
            })
            .collect())
    }

    /// The statements `down` would run, without running anything.
    pub fn dry_run_down(&mut self, target: DownTarget) -> Result<Vec<DryRunScript>> {
        let statuses = self.status()?;
        let plan = plan_down(self.registry, &statuses, target)?;
        let dialect = self.conn.dialect();
        Ok(plan
            .into_iter()
            .map(|(m, _)| {
                dry_run(
                    Some(&mut *self.conn),
                    dialect,
                    m,
                    Direction::Down,
                    &mut *self.observer,
                )
            })
            .collect())
    }

    /// Runs `f` holding the migration lock, releasing it whatever `f` returns.
    fn locked<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let lock = RunLock::acquire(
            self.conn,
            &self.history,
            self.options.lock_timeout,
            &mut *self.observer,
        )?;
        let result = f(self);
        let released = lock.release(self.conn);
        let value = result?;
        released?;
        Ok(value)
    }

    fn refuse_blocked(&self, statuses: &[MigrationStatus], direction: Direction) -> Result<()> {
        let blocking: Vec<&MigrationStatus> = statuses
            .iter()
            .filter(|s| match s.state {
                MigrationState::Changed => !self.options.allow_changed,
                MigrationState::Missing => {
                    !self.options.allow_missing && direction == Direction::Up
                }
                MigrationState::Failed => true,
                MigrationState::Interrupted => {
                    s.entry.as_ref().is_some_and(|e| e.operation != direction)
                }
                MigrationState::Applied | MigrationState::Pending => false,
            })
            .collect();
        if blocking.is_empty() {
            return Ok(());
        }
        let mut summary = format!(
            "{} migration(s) need attention before `{direction}` can run:",
            blocking.len()
        );
        let mut hints = Vec::new();
        for s in &blocking {
            let (what, hint) = match s.state {
                MigrationState::Changed => (
                    "was edited after it was applied".to_owned(),
                    format!(
                        "restore the original code of {id}; if the edit changes nothing in the database (formatting, comments), accept it with `migrate resolve {id} --accept-checksum`, or run with --allow-changed",
                        id = s.id
                    ),
                ),
                MigrationState::Missing => (
                    "is applied but not in this binary".to_owned(),
                    format!(
                        "run the binary that contains {id}, or forget it with `migrate resolve {id} --mark-reverted`, or run with --allow-missing",
                        id = s.id
                    ),
                ),
                MigrationState::Interrupted => (
                    "was interrupted while being reverted".to_owned(),
                    format!(
                        "finish it with `migrate down`, or decide with `migrate resolve {} --retry | --mark-applied | --mark-reverted`",
                        s.id
                    ),
                ),
                _ => (
                    "failed part-way and left the database half-changed".to_owned(),
                    format!(
                        "fix the cause, then `migrate resolve {id} --retry`; or `--mark-applied` / `--mark-reverted` if you finished or undid it by hand",
                        id = s.id
                    ),
                ),
            };
            summary.push_str(&format!("\n  {} `{}` {what}", s.id, s.name));
            if let Some(detail) = s.detail() {
                summary.push_str(&format!(" ({detail})"));
            }
            hints.push(hint);
        }
        Err(Error::NeedsAttention {
            summary,
            hint: hints.join("\n      "),
        })
    }

    fn run_one(
        &mut self,
        migration: &'static MigrationDescriptor,
        direction: Direction,
        resume: Resume,
    ) -> Result<()> {
        let function = function_for(migration, direction)?;
        // A stop asked for between migrations takes effect here, before the next one starts.
        if crate::interrupt::requested() {
            return Err(Error::Interrupted {
                id: migration.id(),
                last_key: None,
            });
        }
        let dialect = self.conn.dialect();
        let journaled = !migration.is_transactional() || !dialect.has_transactional_ddl();
        self.observer.migration_started(migration, direction);
        let started = Instant::now();
        let history = self.history.clone();
        // SQLite can only change constraints by rebuilding tables, which foreign keys would
        // block or cascade through; they are off while a migration runs and checked before it
        // commits (the procedure of sqlite.org/lang_altertable.html).
        let sqlite = dialect == Dialect::Sqlite;
        if sqlite {
            self.conn
                .batch_execute("PRAGMA foreign_keys = OFF")
                .map_err(|e| Error::database("turning off SQLite foreign keys", e))?;
        }
        let outcome = self.run_one_inner(
            migration, direction, resume, function, journaled, started, &history,
        );
        if sqlite {
            self.conn
                .batch_execute("PRAGMA foreign_keys = ON")
                .map_err(|e| Error::database("turning SQLite foreign keys back on", e))?;
        }
        outcome?;
        self.observer
            .migration_finished(migration, direction, started.elapsed());
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn run_one_inner(
        &mut self,
        migration: &'static MigrationDescriptor,
        direction: Direction,
        resume: Resume,
        function: MigrationFn,
        journaled: bool,
        started: Instant,
        history: &HistoryTable,
    ) -> Result<()> {
        let failed = |source: Error, rolled_back| Error::MigrationFailed {
            id: migration.id(),
            name: migration.name(),
            direction,
            rolled_back,
            source: Box::new(source),
        };
        if journaled {
            history.record_running(self.conn, migration, direction)?;
            let run = RunMode::Journaled {
                history: history.clone(),
                resume_after: resume.steps_done,
                resume_key: resume.key,
            };
            let mut m = Migration::live(self.conn, migration, direction, &mut *self.observer, run);
            let outcome = call(function, &mut m);
            let changed = m.changed_anything();
            drop(m);
            let outcome = outcome.and_then(|()| foreign_keys_hold(self.conn));
            // An interrupted run stays `running`: the next `up` resumes it after its last batch.
            if let Err(interrupted @ Error::Interrupted { .. }) = outcome {
                return Err(interrupted);
            }
            if let Err(source) = outcome {
                // Failing before any change (a check that found bad rows) leaves nothing
                // half-done: forget the attempt, as a rolled-back transaction would.
                if !changed {
                    history.record_unchanged(self.conn, migration.id(), direction)?;
                    return Err(failed(source, true));
                }
                history.record_failed(self.conn, migration.id(), &source.to_string())?;
                return Err(failed(source, false));
            }
            // One statement: it needs no transaction of its own.
            finish(history, self.conn, migration, direction, started.elapsed())?;
        } else {
            let observer = &mut *self.observer;
            self.conn
                .in_transaction(|conn| {
                    let mut m =
                        Migration::live(conn, migration, direction, observer, RunMode::Transaction);
                    call(function, &mut m)?;
                    drop(m);
                    foreign_keys_hold(conn)?;
                    finish(history, conn, migration, direction, started.elapsed())
                })
                .map_err(|source| failed(source, true))?;
        }
        Ok(())
    }
}

/// On SQLite, where foreign keys are off during migrations, fails if a migration left rows
/// that violate one (before its transaction commits).
fn foreign_keys_hold(conn: &mut AnyConnection) -> Result<()> {
    if conn.dialect() != Dialect::Sqlite {
        return Ok(());
    }
    let violations = conn
        .query_text(
            "SELECT \"table\" || ' row ' || rowid || ' references a missing row of ' || parent AS v \
             FROM pragma_foreign_key_check LIMIT 6",
        )
        .map_err(|e| Error::database("checking foreign keys", e))?;
    if violations.is_empty() {
        return Ok(());
    }
    Err(Error::DataCheck {
        message: format!(
            "the migration leaves rows that violate foreign keys: {}{}",
            violations
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join("; "),
            if violations.len() > 5 { "; ..." } else { "" }
        ),
        hint: "fix or delete those rows in the migration before it finishes".into(),
    })
}

/// Records the end of a successful run in the history.
fn finish(
    history: &HistoryTable,
    conn: &mut AnyConnection,
    migration: &'static MigrationDescriptor,
    direction: Direction,
    elapsed: Duration,
) -> Result<()> {
    match direction {
        Direction::Up => history.record_applied(conn, migration, elapsed),
        Direction::Down => history.delete(conn, migration.id()),
    }
}

fn function_for(
    migration: &'static MigrationDescriptor,
    direction: Direction,
) -> Result<MigrationFn> {
    match (direction, migration.down()) {
        (Direction::Up, _) => Ok(migration.up()),
        (Direction::Down, Down::Function(f)) => Ok(f),
        (Direction::Down, Down::Irreversible) => Err(Error::Irreversible {
            id: migration.id(),
            name: migration.name(),
        }),
    }
}

/// Calls migration code, turning a panic into an error so the transaction is rolled back and the
/// history updated like for any other failure.
fn call(function: MigrationFn, m: &mut Migration<'_>) -> Result<()> {
    match catch_unwind(AssertUnwindSafe(|| function(m))) {
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string panic payload".to_owned());
            Err(Error::Message(format!("the migration panicked: {message}")))
        }
    }
}

/// Runs a migration in recording mode and returns what it would execute.
pub(crate) fn dry_run(
    conn: Option<&mut AnyConnection>,
    dialect: Dialect,
    migration: &'static MigrationDescriptor,
    direction: Direction,
    observer: &mut dyn Observer,
) -> DryRunScript {
    let (statements, incomplete) = match function_for(migration, direction) {
        Err(e) => (Vec::new(), Some(e.to_string())),
        Ok(function) => {
            let mut m = Migration::dry_run(conn, dialect, migration, direction, observer);
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

/// The statements `up` would run on a fresh `dialect` database, without any connection
/// (`migrate up --dry-run --dialect D`).
pub fn dry_run_offline(
    registry: &Registry,
    dialect: Dialect,
    direction: Direction,
    to: Option<MigrationId>,
) -> Result<Vec<DryRunScript>> {
    let mut observer = LogObserver;
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

fn nothing_applied() -> Error {
    Error::InvalidTarget {
        message: "no migration is applied, so there is nothing to revert".into(),
        hint: "`migrate status` shows the state of every migration".into(),
    }
}

fn unknown_target(id: MigrationId, registry: &Registry) -> Error {
    let known = match (registry.iter().next(), registry.last_id()) {
        (Some(first), Some(last)) => format!("known ids run from {} to {last}", first.id()),
        _ => "no migrations are known".to_owned(),
    };
    Error::InvalidTarget {
        message: format!("there is no migration with id {id}"),
        hint: format!("{known}; `migrate status` lists them"),
    }
}

/// The migrations `up` applies, with the steps an interrupted attempt finished.
fn plan_up(
    registry: &Registry,
    statuses: &[MigrationStatus],
    to: Option<MigrationId>,
) -> Result<Vec<(&'static MigrationDescriptor, Resume)>> {
    if let Some(to) = to {
        if registry.get(to).is_none() {
            return Err(unknown_target(to, registry));
        }
        let newest_applied = statuses
            .iter()
            .filter(|s| s.entry.is_some())
            .map(|s| s.id)
            .max();
        if let Some(newest) = newest_applied
            && to < newest
        {
            return Err(Error::InvalidTarget {
                message: format!(
                    "`up --to {to}` would go backwards: migration {newest} is already applied"
                ),
                hint: format!(
                    "`up` only applies migrations; to go back to {to}, run `migrate down --to {to}`"
                ),
            });
        }
    }
    Ok(statuses
        .iter()
        .filter(|s| to.is_none_or(|to| s.id <= to))
        .filter_map(|s| {
            let descriptor = s.descriptor?;
            match s.state {
                MigrationState::Pending => Some((descriptor, Resume::default())),
                MigrationState::Interrupted => {
                    Some((descriptor, Resume::from_entry(s.entry.as_ref())))
                }
                _ => None,
            }
        })
        .collect())
}

/// The migrations `down` reverts, newest first, with the steps an interrupted attempt finished.
fn plan_down(
    registry: &Registry,
    statuses: &[MigrationStatus],
    target: DownTarget,
) -> Result<Vec<(&'static MigrationDescriptor, Resume)>> {
    let applied: Vec<&MigrationStatus> = statuses
        .iter()
        .rev()
        .filter(|s| s.entry.is_some())
        .collect();
    let selected: Vec<&MigrationStatus> = match target {
        DownTarget::Steps(0) => Vec::new(),
        DownTarget::Steps(n) => {
            if applied.is_empty() {
                return Err(nothing_applied());
            }
            if n > applied.len() {
                return Err(Error::InvalidTarget {
                    message: format!(
                        "cannot revert {n} migrations: only {} applied",
                        applied.len()
                    ),
                    hint: "`migrate down --to 0` reverts all of them".into(),
                });
            }
            applied.into_iter().take(n).collect()
        }
        DownTarget::To(to) => {
            if to.0 != 0 && !statuses.iter().any(|s| s.id == to) {
                return Err(unknown_target(to, registry));
            }
            if to.0 != 0 && !statuses.iter().any(|s| s.id == to && s.entry.is_some()) {
                return Err(Error::InvalidTarget {
                    message: format!(
                        "migration {to} is not applied, so `down --to {to}` cannot leave it applied"
                    ),
                    hint: format!(
                        "use `migrate up --to {to}` to apply it, or `--to` an applied id (`migrate status` lists them)"
                    ),
                });
            }
            applied.into_iter().take_while(|s| s.id > to).collect()
        }
    };
    selected
        .into_iter()
        .map(|s| {
            let descriptor = s.descriptor.ok_or_else(|| Error::NeedsAttention {
                summary: format!("migration {} `{}` is applied but not in this binary, so it cannot be reverted", s.id, s.name),
                hint: format!("run the binary that contains it, or forget it with `migrate resolve {} --mark-reverted`", s.id),
            })?;
            if !descriptor.is_reversible() {
                return Err(Error::Irreversible {
                    id: descriptor.id(),
                    name: descriptor.name(),
                });
            }
            let resume = match s.state {
                MigrationState::Interrupted => Resume::from_entry(s.entry.as_ref()),
                _ => Resume::default(),
            };
            Ok((descriptor, resume))
        })
        .collect()
}
