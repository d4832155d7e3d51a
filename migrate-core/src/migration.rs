//! [`Migration`]: what a migration function is given to act on the database.

use crate::connection::AnyConnection;
use crate::ddl_effect::Finding;
use crate::error::{Error, Result, shorten};
use crate::history::HistoryTable;
use crate::lock_wait::LockWait;
use crate::pacing::Pacing;
use crate::report::Report;
use crate::sql::Sql;
use crate::vocabulary::{Direction, MigrationId};
use migrate_sql::Dialect;
use std::fmt;
use std::time::Instant;

/// The handle a migration function receives: the dialect, [`execute`](Migration::execute) for SQL
/// and [`connection`](Migration::connection) for typed Diesel queries.
///
/// Every `execute` is one *step*. Outside a transaction (MySQL, or `transaction = false`) the runner
/// records each finished step in the history table, so a migration that stopped half-way resumes
/// after its last finished step instead of repeating it.
pub struct Migration<'c> {
    conn: Option<&'c mut AnyConnection>,
    dialect: Dialect,
    id: MigrationId,
    name: &'static str,
    direction: Direction,
    report: &'c mut dyn Report,
    /// `Some` in `--dry-run`: statements are collected here instead of running.
    recorded: Option<Vec<String>>,
    /// Set when steps are journaled in the history table (runs outside one transaction).
    journal: Option<HistoryTable>,
    in_transaction: bool,
    steps: u32,
    /// Steps an earlier, interrupted attempt finished; they are skipped.
    resume_after: u32,
    /// The last key a batched step of an earlier attempt committed.
    resume_key: Option<Vec<String>>,
    /// Whether this run continues an earlier attempt.
    resuming: bool,
    /// How steps outside one transaction wait for locks and are retried.
    lock_wait: LockWait,
    /// The batch time and pause of a batched helper that sets none.
    pacing: Pacing,
    /// Whether a step that changes the database has finished (checks and reports do not).
    changed: bool,
    /// Whether the migration is declared to run outside one transaction, so that its helpers
    /// run online.
    online: bool,
    /// The tables an online fill of this migration keeps in step with triggers (those of
    /// finished steps too: a resumed run drops what the stopped one installed).
    synced_tables: Vec<String>,
    /// SQLite: `(table, column)`s whose NOT NULL waits for the triggers that fill the column
    /// to be dropped (see `helpers::row_sync::apply_deferred_not_null`).
    deferred_not_null: Vec<(String, String)>,
    /// The columns a later step of this migration makes NOT NULL (from the recording pass
    /// that precedes the run; a recording pass collects them here).
    not_null_later: Vec<migrate_sql::ColumnName>,
}

impl<'c> Migration<'c> {
    pub(crate) fn live(
        conn: &'c mut AnyConnection,
        (id, name): (MigrationId, &'static str),
        direction: Direction,
        report: &'c mut dyn Report,
        run: RunMode,
    ) -> Self {
        let dialect = conn.dialect();
        let (journal, run) = match run {
            RunMode::Transaction => (None, Journaled::default()),
            RunMode::Journaled(run) => (Some(run.history.clone()), run),
        };
        let in_transaction = journal.is_none();
        Migration {
            conn: Some(conn),
            dialect,
            id,
            name,
            direction,
            report,
            recorded: None,
            journal,
            in_transaction,
            steps: 0,
            resume_after: run.resume_after,
            resume_key: run.resume_key,
            resuming: run.resuming,
            lock_wait: run.lock_wait,
            pacing: run.pacing,
            changed: false,
            online: run.online,
            synced_tables: Vec::new(),
            deferred_not_null: Vec::new(),
            not_null_later: run.not_null_later,
        }
    }

    /// A run that records the statements instead of executing them; `online` as the
    /// migration is declared.
    pub(crate) fn dry_run(
        conn: Option<&'c mut AnyConnection>,
        dialect: Dialect,
        (id, name): (MigrationId, &'static str),
        (direction, online): (Direction, bool),
        report: &'c mut dyn Report,
    ) -> Self {
        Migration {
            conn,
            dialect,
            id,
            name,
            direction,
            report,
            recorded: Some(Vec::new()),
            journal: None,
            in_transaction: false,
            steps: 0,
            resume_after: 0,
            resume_key: None,
            resuming: false,
            lock_wait: LockWait::default(),
            pacing: Pacing::default(),
            changed: false,
            online,
            synced_tables: Vec::new(),
            deferred_not_null: Vec::new(),
            not_null_later: Vec::new(),
        }
    }

    /// Whether this run changed the database: false if it failed before any changing step (or
    /// only ran checks), which lets a run outside a transaction fail without leaving a
    /// half-applied migration behind.
    pub(crate) fn changed_anything(&self) -> bool {
        // An earlier attempt that was stopped may have changed things even with no step
        // recorded (MySQL's DDL commits before its step is), so a resumed run never counts as
        // unchanged.
        self.changed || self.resume_after > 0 || self.resuming
    }

    /// Marks the current step as one that changes the database.
    pub(crate) fn mark_changing(&mut self) {
        self.changed = true;
    }

    pub(crate) fn into_recorded(self) -> Vec<String> {
        self.recorded.unwrap_or_default()
    }

    /// The database this migration runs against.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The migration's id.
    pub fn id(&self) -> MigrationId {
        self.id
    }

    /// The migration's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether it is being applied or reverted.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// Whether this is a `--dry-run`: statements are printed, not run.
    pub fn is_dry_run(&self) -> bool {
        self.recorded.is_some()
    }

    /// Whether the migration runs inside one transaction (false on MySQL and with
    /// `transaction = false`).
    pub fn in_transaction(&self) -> bool {
        self.in_transaction
    }

    /// Whether the helpers run online: the migration is declared `transaction = false`, so each
    /// step commits by itself, fills go in keyset batches, and constraints are added without
    /// holding an exclusive lock through a scan. A migration in one transaction (the default)
    /// is atomic instead, and holds its locks until it commits.
    pub fn is_online(&self) -> bool {
        self.online
    }

    /// Runs one SQL statement and returns the number of rows it changed.
    ///
    /// `sql` is portable text or a per-dialect [`sql!`](crate::sql) statement. A literal string
    /// passed here directly is parsed at compile time by `#[migration]` for every enabled dialect.
    ///
    /// ```no_run
    /// # use migrate_core::prelude::*;
    /// # fn f(m: &mut Migration) -> Result<()> {
    /// let changed = m.execute("UPDATE users SET age = 0 WHERE age < 0")?;
    /// m.note(format!("fixed {changed} negative ages"));
    /// # Ok(()) }
    /// ```
    pub fn execute(&mut self, sql: impl Sql) -> Result<usize> {
        let Some(text) = sql.for_dialect(self.dialect) else {
            return Err(Error::Statement {
                step: self.steps + 1,
                sql: String::new(),
                message: format!("no SQL was written for {}", self.dialect),
            });
        };
        let text = text.into_owned();
        let changed = self.step(
            |_| Ok(vec![text.clone()]),
            |conn| conn.execute(&text).map_err(|e| Error::statement(&text, &e)),
        )?;
        self.mark_changing();
        Ok(changed)
    }

    /// Runs an SQL file's statements (separated by `;`) as one batch and one step, as Diesel
    /// runs an `up.sql`: inside the migration's transaction, or, in a migration that runs outside
    /// one (`run_in_transaction = false`), outside any transaction (PostgreSQL refuses
    /// `CREATE INDEX CONCURRENTLY` in one), its step recorded once the batch finished.
    pub fn execute_batch(&mut self, sql: &str) -> Result<()> {
        self.steps += 1;
        let step = self.steps;
        if step <= self.resume_after {
            self.report.note(&format!(
                "step {step} was finished by an earlier attempt; skipped"
            ));
            return Ok(());
        }
        if let Some(recorded) = &mut self.recorded {
            recorded.push(sql.trim().to_owned());
            return Ok(());
        }
        let conn = self.conn.as_deref_mut().ok_or(Error::DryRunUnsupported)?;
        conn.batch_execute(sql).map_err(|e| Error::Statement {
            step,
            sql: shorten(sql),
            message: e.to_string(),
        })?;
        self.changed = true;
        if let Some(history) = &self.journal {
            history.record_step(conn, self.id, step)?;
        }
        Ok(())
    }

    /// Runs one step: skipped if an earlier attempt finished it; in `--dry-run`, `show` gives the
    /// statements to print (it gets the connection when there is one, to plan from the live
    /// schema); otherwise `exec` runs it, journaled when the migration runs outside one
    /// transaction. Journaling shares the step's transaction, so a step is never recorded without
    /// its effect (on MySQL, DDL commits by itself; the gap is one statement wide).
    pub(crate) fn step<T: Default>(
        &mut self,
        show: impl FnOnce(Option<&mut AnyConnection>) -> Result<Vec<String>>,
        mut exec: impl FnMut(&mut AnyConnection) -> Result<T>,
    ) -> Result<T> {
        self.steps += 1;
        let step = self.steps;
        if step <= self.resume_after {
            self.report.note(&format!(
                "step {step} was finished by an earlier attempt; skipped"
            ));
            return Ok(T::default());
        }
        if let Some(recorded) = &mut self.recorded {
            recorded.extend(show(self.conn.as_deref_mut())?);
            return Ok(T::default());
        }
        let Some(conn) = self.conn.as_deref_mut() else {
            return Err(Error::DryRunUnsupported);
        };
        let id = self.id;
        let numbered = |error: Error| match error {
            Error::Statement { sql, message, .. } => Error::Statement { step, sql, message },
            Error::Diesel(e) => Error::Statement {
                step,
                sql: String::new(),
                message: e.to_string(),
            },
            other => other,
        };
        let Some(history) = &self.journal else {
            return exec(conn).map_err(numbered);
        };
        // A step that times out waiting for a lock rolls back and is tried again.
        let report = &mut *self.report;
        let began = Instant::now();
        let outcome = self.lock_wait.retry(
            conn,
            |conn| {
                conn.in_transaction(|conn| {
                    let value = exec(conn).map_err(numbered)?;
                    history.record_step(conn, id, step)?;
                    Ok(value)
                })
            },
            |waited| report.note(&waited),
        );
        if self.online {
            crate::interrupt::sleep(self.pacing.rest_after_step(self.dialect, began.elapsed()));
        }
        // On MySQL a DDL statement commits by itself, before its step is recorded: the first
        // step a resumed run executes may have taken effect in the attempt that was stopped.
        match outcome {
            Err(error)
                if self.resuming
                    && step == self.resume_after + 1
                    && self.dialect == Dialect::Mysql =>
            {
                self.recover_unrecorded_step(step, show, error)
                    .map(|()| T::default())
            }
            other => other,
        }
    }

    /// Runs one step outside any transaction (PostgreSQL's `CREATE INDEX CONCURRENTLY` cannot
    /// run in one), recording it once it finished; waits for locks like every step. The
    /// statement must be safe to run again: a run stopped between it and its record repeats
    /// it.
    pub(crate) fn step_outside_transaction(
        &mut self,
        show: impl FnOnce(Option<&mut AnyConnection>) -> Result<Vec<String>>,
        mut exec: impl FnMut(&mut AnyConnection) -> Result<()>,
    ) -> Result<()> {
        self.steps += 1;
        let step = self.steps;
        if step <= self.resume_after {
            self.report.note(&format!(
                "step {step} was finished by an earlier attempt; skipped"
            ));
            return Ok(());
        }
        if let Some(recorded) = &mut self.recorded {
            recorded.extend(show(self.conn.as_deref_mut())?);
            return Ok(());
        }
        let (Some(conn), Some(history)) = (self.conn.as_deref_mut(), &self.journal) else {
            return Err(Error::BatchedInTransaction {
                id: self.id,
                name: self.name,
            });
        };
        let report = &mut *self.report;
        self.lock_wait
            .retry(conn, &mut exec, |waited| report.note(&waited))
            .map_err(|error| match error {
                Error::Statement { sql, message, .. } => Error::Statement { step, sql, message },
                other => other,
            })?;
        self.changed = true;
        history.record_step(conn, self.id, step)
    }

    /// After the first step of a resumed MySQL run failed: when the catalog shows that the
    /// step's statement already took effect exactly as written, records the step as done;
    /// otherwise returns `error`, saying what was found and what to do.
    fn recover_unrecorded_step(
        &mut self,
        step: u32,
        show: impl FnOnce(Option<&mut AnyConnection>) -> Result<Vec<String>>,
        error: Error,
    ) -> Result<()> {
        let (Some(conn), Some(history)) = (self.conn.as_deref_mut(), &self.journal) else {
            return Err(error);
        };
        let Ok(statements) = show(Some(&mut *conn)) else {
            return Err(error);
        };
        let [sql] = statements.as_slice() else {
            return Err(error);
        };
        let id = self.id;
        let message = match &error {
            Error::Statement { message, .. } => message.clone(),
            other => other.to_string(),
        };
        let unrecorded = |found: String, hint: String| Error::UnrecordedStep {
            step,
            sql: shorten(sql),
            message: message.clone(),
            found,
            hint,
        };
        match crate::ddl_effect::inspect(conn, sql) {
            Ok(Finding::Present(found)) => {
                history.record_step(conn, id, step)?;
                self.report.note(&format!(
                    "step {step} had already taken effect ({found}): the server finished it after the earlier attempt stopped; recorded as done"
                ));
                Ok(())
            }
            Ok(Finding::Different(found)) => Err(unrecorded(
                format!("an earlier attempt stopped at this step, and the catalog shows: {found}"),
                format!(
                    "make it match the step, or undo it by hand, then run `migrate resolve {id} --retry` (not --mark-applied: the steps after this one have not run)"
                ),
            )),
            Ok(Finding::Absent) => Err(error),
            Ok(Finding::Undecidable) | Err(_) if is_dml(sql) => Err(error),
            Ok(Finding::Undecidable) | Err(_) => Err(unrecorded(
                "an earlier attempt stopped at this step, and MySQL may have finished the statement after that attempt died (it commits DDL by itself)".into(),
                format!(
                    "check whether the statement above has taken effect: if it has, undo it by hand and run `migrate resolve {id} --retry`, which runs it again and then the steps after it; if it has not, fix the cause of the error above and retry"
                ),
            )),
        }
    }

    /// Starts a step made of many short transactions (a batched helper, see
    /// `helpers::batching`): counts it, skips it if an earlier attempt finished it, records what
    /// it would do in a dry run. Needs a migration that runs outside one transaction.
    pub(crate) fn begin_batched_step(
        &mut self,
        show: impl FnOnce(Option<&mut AnyConnection>) -> Result<Vec<String>>,
    ) -> Result<BatchedStep> {
        if self.in_transaction {
            return Err(Error::BatchedInTransaction {
                id: self.id,
                name: self.name,
            });
        }
        self.steps += 1;
        let step = self.steps;
        if step <= self.resume_after {
            self.report.note(&format!(
                "step {step} was finished by an earlier attempt; skipped"
            ));
            return Ok(BatchedStep::Done);
        }
        if let Some(recorded) = &mut self.recorded {
            recorded.extend(show(self.conn.as_deref_mut())?);
            return Ok(BatchedStep::Done);
        }
        // Only the step an earlier attempt was in resumes from its key.
        let resume_key = (step == self.resume_after + 1)
            .then(|| self.resume_key.clone())
            .flatten();
        Ok(BatchedStep::Run { step, resume_key })
    }

    /// What a batched step works with: the connection, the journal, and where reports go.
    pub(crate) fn batch_parts(&mut self) -> Result<BatchParts<'_>> {
        let conn = self.conn.as_deref_mut().ok_or(Error::DryRunUnsupported)?;
        Ok(BatchParts {
            conn,
            journal: self.journal.as_ref(),
            id: self.id,
            report: &mut *self.report,
            lock_wait: self.lock_wait,
            pacing: self.pacing,
        })
    }

    /// Ends a batched step: it changed the database if it committed a batch; when it succeeded,
    /// it is recorded as finished.
    pub(crate) fn finish_batched_step(
        &mut self,
        step: u32,
        committed_any: bool,
        outcome: Result<()>,
    ) -> Result<()> {
        if committed_any {
            self.changed = true;
        }
        // Statements of a batched step are numbered by the step, like every other statement.
        outcome.map_err(|error| match error {
            Error::Statement { sql, message, .. } => Error::Statement { step, sql, message },
            other => other,
        })?;
        if let Some(history) = &self.journal {
            let conn = self.conn.as_deref_mut().ok_or(Error::DryRunUnsupported)?;
            history.record_step(conn, self.id, step)?;
        }
        Ok(())
    }

    /// Notes that an online fill of the migration keeps `table` in step with triggers.
    pub(crate) fn sync_table(&mut self, table: &str) {
        if !self.synced_tables.iter().any(|t| t == table) {
            self.synced_tables.push(table.to_owned());
        }
    }

    /// The tables [`sync_table`](Self::sync_table) noted.
    pub(crate) fn synced_tables(&self) -> Vec<String> {
        self.synced_tables.clone()
    }

    /// Notes that a step of the migration makes `column` NOT NULL (a recording pass).
    pub(crate) fn note_not_null(&mut self, column: &migrate_sql::ColumnName) {
        if !self.not_null_later.contains(column) {
            self.not_null_later.push(column.clone());
        }
    }

    /// The columns of `table` that a step of the migration makes NOT NULL.
    pub(crate) fn made_not_null(&self, table: &str) -> Vec<String> {
        self.not_null_later
            .iter()
            .filter(|c| c.table == table)
            .map(|c| c.column.clone())
            .collect()
    }

    /// Every column a step of the migration makes NOT NULL, as a recording pass found them.
    pub(crate) fn into_not_null(self) -> Vec<migrate_sql::ColumnName> {
        self.not_null_later
    }

    /// SQLite: notes that `table.column` is made NOT NULL when the triggers that fill it are
    /// dropped (noted for a finished step too, as tables are).
    pub(crate) fn defer_not_null(&mut self, table: &str, column: &str) {
        let entry = (table.to_owned(), column.to_owned());
        if !self.deferred_not_null.contains(&entry) {
            self.deferred_not_null.push(entry);
        }
    }

    /// The columns of `table` whose NOT NULL is deferred and not yet applied.
    pub(crate) fn deferred_not_null(&self, table: &str) -> Vec<String> {
        self.deferred_not_null
            .iter()
            .filter(|(t, _)| t == table)
            .map(|(_, c)| c.clone())
            .collect()
    }

    /// Notes that the deferred NOT NULL of `columns` of `table` has been applied.
    pub(crate) fn applied_not_null(&mut self, table: &str, columns: &[String]) {
        self.deferred_not_null
            .retain(|(t, c)| t != table || !columns.contains(c));
    }

    /// Runs `exec`, which must be safe to repeat, outside the journal (not a step), waiting
    /// for locks like a step. Nothing in a dry run.
    pub(crate) fn outside_journal(
        &mut self,
        mut exec: impl FnMut(&mut AnyConnection) -> Result<()>,
    ) -> Result<()> {
        if self.recorded.is_some() {
            return Ok(());
        }
        let Some(conn) = self.conn.as_deref_mut() else {
            return Ok(());
        };
        let report = &mut *self.report;
        self.lock_wait
            .retry(conn, &mut exec, |waited| report.note(&waited))
    }

    /// The Diesel connection, for typed queries.
    ///
    /// Fails in `--dry-run`, where nothing may touch the database. Work done through it is not
    /// journaled step by step; prefer [`execute`](Migration::execute) and the helpers in
    /// migrations that run outside a transaction.
    pub fn connection(&mut self) -> Result<&mut AnyConnection> {
        if self.is_dry_run() {
            return Err(Error::DryRunUnsupported);
        }
        self.conn.as_deref_mut().ok_or(Error::DryRunUnsupported)
    }

    /// Adds a line to the command's output under this migration (counts, spot checks).
    pub fn note(&mut self, text: impl fmt::Display) {
        self.report.note(&text.to_string());
    }
}

/// Whether a batched step runs, as [`Migration::begin_batched_step`] decides.
pub(crate) enum BatchedStep {
    /// Skipped (an earlier attempt finished it) or shown (a dry run): nothing to do.
    Done,
    /// To run, as step `step`, after `resume_key` if an earlier attempt committed batches.
    Run {
        step: u32,
        resume_key: Option<Vec<String>>,
    },
}

/// The parts of a [`Migration`] a batched step works with.
pub(crate) struct BatchParts<'a> {
    pub(crate) conn: &'a mut AnyConnection,
    pub(crate) journal: Option<&'a HistoryTable>,
    pub(crate) id: MigrationId,
    pub(crate) report: &'a mut dyn Report,
    pub(crate) lock_wait: LockWait,
    pub(crate) pacing: Pacing,
}

/// How the runner runs a migration.
pub(crate) enum RunMode {
    /// Inside one transaction that the runner commits or rolls back.
    Transaction,
    /// Statement by statement, each finished step recorded in the history table.
    Journaled(Journaled),
}

/// How a migration runs statement by statement.
#[derive(Default)]
pub(crate) struct Journaled {
    pub(crate) history: HistoryTable,
    pub(crate) resume_after: u32,
    pub(crate) resume_key: Option<Vec<String>>,
    /// Whether an earlier attempt of this run exists.
    pub(crate) resuming: bool,
    /// How each step waits for locks and is retried.
    pub(crate) lock_wait: LockWait,
    /// The batch time and pause of a batched helper that sets none.
    pub(crate) pacing: Pacing,
    /// Whether the migration is declared `transaction = false` (its helpers run online).
    pub(crate) online: bool,
    /// The columns a step of the migration makes NOT NULL (its recording pass found them).
    pub(crate) not_null_later: Vec<migrate_sql::ColumnName>,
}

/// Whether `sql` changes rows rather than the schema: such a step commits with its record, so it
/// never takes effect unrecorded.
fn is_dml(sql: &str) -> bool {
    let first = sql
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    matches!(
        first.as_str(),
        "UPDATE" | "INSERT" | "DELETE" | "REPLACE" | "SELECT" | "WITH"
    )
}
