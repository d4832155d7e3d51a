//! Applying and reverting migrations.
//!
//! [`Runner`] holds the lock, reads the history, asks [`plan`] what to run, and runs each
//! migration in one transaction or journaled step by step; [`observer`] is how it reports;
//! [`dry_run`] shows what it would run.

mod adopt;
mod dry_run;
mod execute;
mod order;
mod plan;

pub use adopt::Adoption;
pub use dry_run::{DryRunScript, dry_run_offline};
pub use plan::DownTarget;

use crate::connection::{AnyConnection, DatabaseUrl, SessionState};
use crate::descriptor::MigrationDescriptor;
use crate::error::{Error, Result};
use crate::history::{HistoryEntry, HistoryTable};
use crate::lock::RunLock;
use crate::lock_warning::{self, LockWarning};
use crate::observer::{LogObserver, Observer};
use crate::registry::Registry;
use crate::status::{self, MigrationState, MigrationStatus};
use crate::vocabulary::{Direction, MigrationId};
use plan::{Resume, nothing_applied, plan_down, plan_up, unknown_target};
use std::time::Duration;

/// The refusal to resume an unfinished migration whose code changed since its attempt: the
/// steps that attempt finished are skipped by position, which is only right for the same code.
fn edited_since_attempt(status: &MigrationStatus) -> Option<Error> {
    let entry = status.entry.as_ref()?;
    let code = status.descriptor?.checksum();
    // An attempt that finished nothing (no step, no batch) leaves nothing to skip.
    if entry.checksum == code || (entry.steps_done == 0 && entry.resume_key.is_none()) {
        return None;
    }
    let id = status.id;
    let done = entry.steps_done;
    Some(Error::NeedsAttention {
        summary: format!(
            "migration {id} `{}` was edited since its unfinished attempt (checksum {} recorded, code has {code}); that attempt finished {done} step(s), and resuming would skip the first {done} step(s) of the new code, which may not be the ones it ran",
            status.name, entry.checksum
        ),
        hint: format!(
            "run the code of the attempt (revert the edit) to finish it with `migrate resolve {id} --retry`; or undo what the attempt did by hand and forget it with `migrate resolve {id} --mark-reverted`, then `migrate up` runs the new code from its first step"
        ),
    })
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
    /// Apply pending migrations older than an applied one (merged from another branch) instead
    /// of refusing (Flyway's `outOfOrder`).
    pub out_of_order: bool,
    /// How long statements wait for a table's lock, and how often they are tried.
    pub lock_wait: crate::lock_wait::LockWait,
    /// Above how many rows a table is large: a migration run in one transaction that would
    /// hold such a table is warned about (see [`LockWarning`]) before it runs.
    pub large_table_rows: u64,
    /// How long each batch of a batched helper aims to take, unless the helper sets its own
    /// (`target_ms`); `None`: the database's default ([`Pacing::for_dialect`](crate::Pacing::for_dialect)).
    pub batch_time: Option<Duration>,
    /// How long a batched helper rests after each batch, unless it sets its own (`pause_ms`);
    /// `None`: the database's default ([`Pacing::for_dialect`](crate::Pacing::for_dialect)).
    pub batch_pause: Option<Duration>,
    /// A batch whose commit takes longer makes its helper rest twice that before the next
    /// (zero: never); `None`: the database's default
    /// ([`Pacing::back_off_after_commit`](crate::Pacing::back_off_after_commit)).
    pub max_commit_time: Option<Duration>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            allow_changed: false,
            allow_missing: false,
            lock_timeout: Duration::from_secs(60),
            out_of_order: false,
            lock_wait: crate::lock_wait::LockWait::default(),
            large_table_rows: crate::lock_warning::DEFAULT_LARGE_TABLE_ROWS,
            batch_time: None,
            batch_pause: None,
            max_commit_time: None,
        }
    }
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
    /// Where to reconnect to record a failure when the connection was lost.
    reconnect: Option<DatabaseUrl>,
    /// The migrations the last `up`, `down` or `redo` finished, in order.
    completed: Vec<MigrationId>,
    /// The session's settings when the run began, restored before each migration.
    session: SessionState,
}

impl<'a> Runner<'a> {
    /// A runner with the default history table, options and a logging observer.
    pub fn new(conn: &'a mut AnyConnection, registry: &'a Registry) -> Self {
        Runner {
            conn,
            registry,
            history: HistoryTable::default(),
            observer: Box::new(LogObserver::default()),
            options: RunOptions::default(),
            reconnect: None,
            completed: Vec::new(),
            session: SessionState::default(),
        }
    }

    /// The migrations the last [`up`](Self::up), [`down`](Self::down) or [`redo`](Self::redo)
    /// finished, in order, including when it then failed: after an error, these are the ones
    /// that are applied (or reverted) and recorded.
    ///
    /// ```no_run
    /// # use migrate_core::{AnyConnection, Registry, Runner};
    /// # fn f(conn: &mut AnyConnection, registry: &Registry) {
    /// let mut runner = Runner::new(conn, registry);
    /// if let Err(error) = runner.up(None) {
    ///     eprintln!("{error}; applied before it: {:?}", runner.completed());
    /// }
    /// # }
    /// ```
    pub fn completed(&self) -> &[MigrationId] {
        &self.completed
    }

    /// The URL `conn` was opened with: when the connection is lost while a migration runs
    /// outside a transaction, the runner reconnects once to record why it stopped.
    pub fn reconnect_url(mut self, url: DatabaseUrl) -> Self {
        self.reconnect = Some(url);
        self
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
    ///
    /// A migration whose run outside a transaction has not finished is `running` while another
    /// runner holds the migration lock, and `interrupted` (its runner died) otherwise.
    pub fn status(&mut self) -> Result<Vec<MigrationStatus>> {
        let mut statuses = self.recorded_statuses()?;
        if statuses
            .iter()
            .any(|s| s.state == MigrationState::Interrupted)
            && RunLock::is_held_elsewhere(self.conn, self.history.name())?
        {
            for s in &mut statuses {
                if s.state == MigrationState::Interrupted {
                    s.state = MigrationState::Running;
                }
            }
        }
        Ok(statuses)
    }

    /// The states the history records, for a runner that holds the lock.
    fn recorded_statuses(&mut self) -> Result<Vec<MigrationStatus>> {
        let entries = self.history.entries(self.conn)?;
        Ok(status::compute(self.registry, &entries))
    }

    /// Applies pending migrations in id order, up to and including `to`; resumes interrupted ones.
    /// Returns the ids it applied; after a failure, [`completed`](Self::completed) has them.
    ///
    /// On the first run over a database Diesel migrated, it first adopts Diesel's history (see
    /// [`adopt_diesel_history_on_first_run`](Self::adopt_diesel_history_on_first_run)), so
    /// nothing Diesel applied runs again.
    pub fn up(&mut self, to: Option<MigrationId>) -> Result<Vec<MigrationId>> {
        self.completed.clear();
        self.locked(|runner| {
            runner.adopt_on_first_run_locked()?;
            runner.history.ensure(runner.conn)?;
            let statuses = runner.recorded_statuses()?;
            runner.refuse_blocked(&statuses, Direction::Up)?;
            let plan = plan_up(runner.registry, &statuses, to)?;
            if !runner.options.out_of_order {
                order::refuse_out_of_order(&statuses, &plan)?;
            }
            for (migration, resume) in plan {
                runner.run_one(migration, Direction::Up, resume)?;
                runner.completed.push(migration.id());
            }
            Ok(runner.completed.clone())
        })
    }

    /// Reverts applied migrations, newest first. Returns the ids it reverted; after a failure,
    /// [`completed`](Self::completed) has them.
    pub fn down(&mut self, target: DownTarget) -> Result<Vec<MigrationId>> {
        self.completed.clear();
        self.locked(|runner| {
            let statuses = runner.recorded_statuses()?;
            runner.refuse_blocked(&statuses, Direction::Down)?;
            let plan = plan_down(runner.registry, &statuses, target)?;
            for (migration, resume) in plan {
                runner.run_one(migration, Direction::Down, resume)?;
                runner.completed.push(migration.id());
            }
            Ok(runner.completed.clone())
        })
    }

    /// Reverts the newest applied migration and applies it again. Returns its id.
    pub fn redo(&mut self) -> Result<MigrationId> {
        self.completed.clear();
        self.locked(|runner| {
            let statuses = runner.recorded_statuses()?;
            runner.refuse_blocked(&statuses, Direction::Down)?;
            let plan = plan_down(runner.registry, &statuses, DownTarget::Steps(1))?;
            let Some((migration, resume)) = plan.into_iter().next() else {
                return Err(nothing_applied());
            };
            runner.run_one(migration, Direction::Down, resume)?;
            runner.run_one(migration, Direction::Up, Resume::default())?;
            runner.completed.push(migration.id());
            Ok(migration.id())
        })
    }

    /// Applies an operator's decision about migration `id`.
    pub fn resolve(&mut self, id: MigrationId, resolution: Resolution) -> Result<()> {
        self.locked(|runner| {
            runner.history.ensure(runner.conn)?;
            let statuses = runner.recorded_statuses()?;
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
                    if let Some(edited) = edited_since_attempt(&status) {
                        return Err(edited);
                    }
                    runner.run_one(migration, entry.operation, Resume::from_entry(Some(entry)))
                }
                // Recording a migration that never ran as applied would skip it for good
                // without a word: `resolve` decides about what ran part-way or changed.
                Resolution::MarkApplied if status.state == MigrationState::Pending => {
                    Err(Error::InvalidTarget {
                        message: format!(
                            "migration {id} `{}` is pending: it has not run, so there is nothing to resolve; only a failed, interrupted or changed migration can be marked applied",
                            status.name
                        ),
                        hint: format!(
                            "to apply it, run `migrate up --to {id}`; `migrate status` shows the migrations that need a decision"
                        ),
                    })
                }
                Resolution::MarkApplied => match status.descriptor {
                    Some(migration) => {
                        runner.history.record_applied(
                            runner.conn,
                            execute::recorded(migration),
                            Duration::ZERO,
                        )?;
                        runner.drop_sync_triggers(migration, status.entry.as_ref())
                    }
                    None => Err(not_applicable(
                        "it is not in this binary, so it cannot be marked applied",
                    )),
                },
                Resolution::MarkReverted => match &status.entry {
                    Some(entry) => {
                        runner.history.delete(runner.conn, id)?;
                        match status.descriptor {
                            Some(migration) => runner.drop_sync_triggers(migration, Some(entry)),
                            None => Ok(()),
                        }
                    }
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

    /// Drops the triggers a stopped online run of `migration` left (its `entry` says in which
    /// direction it ran): a migration resolved by hand is not resumed, so nothing else would.
    fn drop_sync_triggers(
        &mut self,
        migration: &'static MigrationDescriptor,
        entry: Option<&HistoryEntry>,
    ) -> Result<()> {
        let direction = entry.map_or(Direction::Up, |e| e.operation);
        let tables = dry_run::synced_tables(self.conn.dialect(), migration, direction);
        crate::helpers::row_sync::drop_left(self.conn, migration.id(), &tables)
    }

    /// The statements `up` would run, without running anything.
    /// On the first run over a database Diesel migrated, the migrations Diesel applied are left
    /// out, as `up` would adopt them.
    pub fn dry_run_up(&mut self, to: Option<MigrationId>) -> Result<Vec<DryRunScript>> {
        let (statuses, _) = self.statuses_after_first_adoption()?;
        let plan = plan_up(self.registry, &statuses, to)?;
        Ok(self.dry_run_plan(plan, Direction::Up))
    }

    /// The statements `down` would run, without running anything.
    pub fn dry_run_down(&mut self, target: DownTarget) -> Result<Vec<DryRunScript>> {
        let statuses = self.recorded_statuses()?;
        let plan = plan_down(self.registry, &statuses, target)?;
        Ok(self.dry_run_plan(plan, Direction::Down))
    }

    /// The migrations `up` would run in one transaction that would hold a table larger than
    /// [`RunOptions::large_table_rows`] until they commit (see [`LockWarning`]), without running
    /// anything (each pending migration runs in recording mode, as for
    /// [`dry_run_up`](Self::dry_run_up)).
    pub fn lock_warnings_up(&mut self, to: Option<MigrationId>) -> Result<Vec<LockWarning>> {
        let scripts = self.dry_run_up(to)?;
        Ok(self.lock_warnings(&scripts))
    }

    /// The lock warnings for the statements of dry-run scripts (from
    /// [`dry_run_up`](Self::dry_run_up) or [`dry_run_down`](Self::dry_run_down)).
    pub fn lock_warnings(&mut self, scripts: &[DryRunScript]) -> Vec<LockWarning> {
        let rows = self.options.large_table_rows;
        scripts
            .iter()
            .flat_map(|script| {
                lock_warning::warnings_for(self.conn, script.migration, &script.statements, rows)
            })
            .collect()
    }

    fn dry_run_plan(
        &mut self,
        plan: Vec<(&'static MigrationDescriptor, Resume)>,
        direction: Direction,
    ) -> Vec<DryRunScript> {
        let dialect = self.conn.dialect();
        plan.into_iter()
            .map(|(m, _)| {
                dry_run::dry_run(
                    Some(&mut *self.conn),
                    dialect,
                    m,
                    direction,
                    &mut *self.observer,
                )
            })
            .collect()
    }

    /// Runs `f` holding the migration lock, releasing it whatever `f` returns.
    fn locked<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.history.check_name(self.conn.dialect())?;
        let observer = &mut *self.observer;
        let lock = RunLock::acquire(
            self.conn,
            self.history.name(),
            self.options.lock_timeout,
            &mut |holder| observer.waiting_for_lock(holder),
        )?;
        // A history table of an earlier version gains the columns this one writes.
        let result = self
            .history
            .upgrade(self.conn)
            .and_then(|()| self.history.pin_schema(self.conn))
            .and_then(|()| self.conn.session_state())
            .and_then(|session| {
                self.session = session;
                f(self)
            });
        let released = lock.release(self.conn);
        let value = result?;
        released?;
        Ok(value)
    }

    fn refuse_blocked(&self, statuses: &[MigrationStatus], direction: Direction) -> Result<()> {
        // Resuming skips the steps an attempt finished by their position: only right when the
        // code is the code of that attempt.
        if let Some(edited) = statuses
            .iter()
            .filter(|s| {
                s.state == MigrationState::Interrupted
                    && s.entry.as_ref().is_some_and(|e| e.operation == direction)
            })
            .find_map(edited_since_attempt)
        {
            return Err(edited);
        }
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
                MigrationState::Applied | MigrationState::Pending | MigrationState::Running => {
                    false
                }
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
                // Only a run in the other direction blocks (see the filter above): say which
                // direction was cut short and the command that finishes it.
                MigrationState::Interrupted => {
                    let (was, finish) = match s.entry.as_ref().map(|e| e.operation) {
                        Some(Direction::Down) => ("reverted", "reverting"),
                        _ => ("applied", "applying"),
                    };
                    (
                        format!("was interrupted while being {was}"),
                        format!(
                            "finish {finish} it with `migrate resolve {id} --retry` (it continues where it stopped), then run `{direction}` again; or, if you finished or undid it by hand, `migrate resolve {id} --mark-applied` / `--mark-reverted`",
                            id = s.id
                        ),
                    )
                }
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
}
