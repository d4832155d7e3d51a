//! [`Migration`]: what a migration function is given to act on the database.

use crate::connection::AnyConnection;
use crate::ddl_effect::Finding;
use crate::history::HistoryTable;
use crate::runner::Observer;
use crate::{Dialect, Error, MigrationDescriptor, MigrationId, Result, Sql};
use std::fmt;

/// Whether a migration is being applied or reverted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Applying (`up`).
    Up,
    /// Reverting (`down`).
    Down,
}

impl Direction {
    /// `up` or `down`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The handle a migration function receives: the dialect, [`execute`](Migration::execute) for SQL
/// and [`connection`](Migration::connection) for typed Diesel queries.
///
/// Every `execute` is one *step*. Outside a transaction (MySQL, or `transaction = false`) the runner
/// records each finished step in the history table, so a migration that stopped half-way resumes
/// after its last finished step instead of repeating it.
pub struct Migration<'c> {
    conn: Option<&'c mut AnyConnection>,
    dialect: Dialect,
    descriptor: &'static MigrationDescriptor,
    direction: Direction,
    observer: &'c mut dyn Observer,
    /// `Some` in `--dry-run`: statements are collected here instead of running.
    recorded: Option<Vec<String>>,
    /// Set when steps are journaled in the history table (runs outside one transaction).
    journal: Option<HistoryTable>,
    in_transaction: bool,
    steps: u32,
    /// Steps an earlier, interrupted attempt finished; they are skipped.
    resume_after: u32,
    /// The last key a batched step of an earlier attempt committed.
    resume_key: Option<i64>,
    /// Whether this run continues an earlier attempt.
    resuming: bool,
    /// Whether a step that changes the database has finished (checks and reports do not).
    changed: bool,
}

impl<'c> Migration<'c> {
    pub(crate) fn live(
        conn: &'c mut AnyConnection,
        descriptor: &'static MigrationDescriptor,
        direction: Direction,
        observer: &'c mut dyn Observer,
        run: RunMode,
    ) -> Self {
        let dialect = conn.dialect();
        let (journal, in_transaction, resume_after, resume_key, resuming) = match run {
            RunMode::Transaction => (None, true, 0, None, false),
            RunMode::Journaled {
                history,
                resume_after,
                resume_key,
                resuming,
            } => (Some(history), false, resume_after, resume_key, resuming),
        };
        Migration {
            conn: Some(conn),
            dialect,
            descriptor,
            direction,
            observer,
            recorded: None,
            journal,
            in_transaction,
            steps: 0,
            resume_after,
            resume_key,
            resuming,
            changed: false,
        }
    }

    pub(crate) fn dry_run(
        conn: Option<&'c mut AnyConnection>,
        dialect: Dialect,
        descriptor: &'static MigrationDescriptor,
        direction: Direction,
        observer: &'c mut dyn Observer,
    ) -> Self {
        Migration {
            conn,
            dialect,
            descriptor,
            direction,
            observer,
            recorded: Some(Vec::new()),
            journal: None,
            in_transaction: false,
            steps: 0,
            resume_after: 0,
            resume_key: None,
            resuming: false,
            changed: false,
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
        self.descriptor.id()
    }

    /// The migration's name.
    pub fn name(&self) -> &'static str {
        self.descriptor.name()
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
            |conn| {
                conn.execute(&text).map_err(|e| Error::Statement {
                    step: 0,
                    sql: shorten(&text),
                    message: e.to_string(),
                })
            },
        )?;
        self.mark_changing();
        Ok(changed)
    }

    /// Runs one step: skipped if an earlier attempt finished it; in `--dry-run`, `show` gives the
    /// statements to print (it gets the connection when there is one, to plan from the live
    /// schema); otherwise `exec` runs it, journaled when the migration runs outside one
    /// transaction. Journaling shares the step's transaction, so a step is never recorded without
    /// its effect (on MySQL, DDL commits by itself; the gap is one statement wide).
    pub(crate) fn step<T: Default>(
        &mut self,
        show: impl FnOnce(Option<&mut AnyConnection>) -> Result<Vec<String>>,
        exec: impl FnOnce(&mut AnyConnection) -> Result<T>,
    ) -> Result<T> {
        self.steps += 1;
        let step = self.steps;
        if step <= self.resume_after {
            self.observer.note(
                self.descriptor,
                &format!("step {step} was finished by an earlier attempt; skipped"),
            );
            return Ok(T::default());
        }
        if let Some(recorded) = &mut self.recorded {
            recorded.extend(show(self.conn.as_deref_mut())?);
            return Ok(T::default());
        }
        let Some(conn) = self.conn.as_deref_mut() else {
            return Err(Error::DryRunUnsupported);
        };
        let id = self.descriptor.id();
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
        let outcome = conn.in_transaction(|conn| {
            let value = exec(conn).map_err(numbered)?;
            history.record_step(conn, id, step)?;
            Ok(value)
        });
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
        let id = self.descriptor.id();
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
                self.observer.note(
                    self.descriptor,
                    &format!(
                        "step {step} had already taken effect ({found}): the server finished it after the earlier attempt stopped; recorded as done"
                    ),
                );
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

    /// Runs a step made of many short transactions (a batched helper). `body` receives the
    /// [`Batches`] that commits each batch together with its resume key, so a killed run resumes
    /// after its last committed batch. Needs a migration that runs outside one transaction.
    pub(crate) fn batched_step(
        &mut self,
        show: impl FnOnce(Option<&mut AnyConnection>) -> Result<Vec<String>>,
        body: impl FnOnce(&mut Batches<'_>) -> Result<()>,
    ) -> Result<()> {
        if self.in_transaction {
            return Err(Error::msg(format!(
                "migration {} `{}` runs a batched helper inside one transaction; give it `transaction = false` so each batch commits on its own",
                self.descriptor.id(),
                self.descriptor.name()
            )));
        }
        self.steps += 1;
        let step = self.steps;
        if step <= self.resume_after {
            self.observer.note(
                self.descriptor,
                &format!("step {step} was finished by an earlier attempt; skipped"),
            );
            return Ok(());
        }
        if let Some(recorded) = &mut self.recorded {
            recorded.extend(show(self.conn.as_deref_mut())?);
            return Ok(());
        }
        let resume_key = if step == self.resume_after + 1 {
            self.resume_key
        } else {
            None
        };
        let Some(conn) = self.conn.as_deref_mut() else {
            return Err(Error::DryRunUnsupported);
        };
        let mut batches = Batches {
            conn,
            journal: self.journal.as_ref(),
            id: self.descriptor.id(),
            descriptor: self.descriptor,
            observer: &mut *self.observer,
            resume_key,
            committed: 0,
        };
        let outcome = body(&mut batches);
        if batches.committed > 0 {
            self.changed = true;
        }
        outcome?;
        if let Some(history) = &self.journal {
            let conn = self.conn.as_deref_mut().ok_or(Error::DryRunUnsupported)?;
            history.record_step(conn, self.descriptor.id(), step)?;
        }
        Ok(())
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
        self.observer.note(self.descriptor, &text.to_string());
    }
}

/// What one committed batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BatchDone {
    /// The key of its last row.
    pub(crate) last_key: i64,
    /// The rows it changed.
    pub(crate) rows: u64,
}

/// What a batched step works with: the connection, where to resume, and a way to commit each
/// batch with its progress.
pub(crate) struct Batches<'a> {
    conn: &'a mut AnyConnection,
    journal: Option<&'a HistoryTable>,
    id: MigrationId,
    descriptor: &'static MigrationDescriptor,
    observer: &'a mut dyn Observer,
    resume_key: Option<i64>,
    committed: u64,
}

impl Batches<'_> {
    /// The key after which an interrupted earlier attempt stopped.
    pub(crate) fn resume_key(&self) -> Option<i64> {
        self.resume_key
    }

    /// The connection, for reads outside a batch.
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        self.conn
    }

    /// Runs one batch in its own transaction. `batch` returns where it ended (or `None` when no
    /// row was left); that key is recorded in the same transaction, so after a crash the step
    /// resumes right after the last committed batch, never redoing or skipping one. Stops cleanly
    /// between batches when the process was asked to (SIGINT/SIGTERM).
    pub(crate) fn commit(
        &mut self,
        batch: impl FnOnce(&mut AnyConnection) -> Result<Option<BatchDone>>,
    ) -> Result<Option<BatchDone>> {
        let journal = self.journal;
        let id = self.id;
        let done = self.conn.in_transaction(|conn| {
            let done = batch(conn)?;
            if let (Some(history), Some(done)) = (journal, &done) {
                history.record_resume_key(conn, id, done.last_key)?;
            }
            Ok(done)
        })?;
        if done.is_some() {
            self.committed += 1;
        }
        if let Some(done) = &done
            && crate::interrupt::requested()
        {
            return Err(Error::Interrupted {
                id,
                last_key: Some(done.last_key),
            });
        }
        Ok(done)
    }

    /// Reports progress to the observer.
    pub(crate) fn progress(&mut self, progress: &crate::runner::Progress) {
        self.observer.progress(self.descriptor, progress);
    }

    /// Adds a line to the output.
    pub(crate) fn note(&mut self, text: &str) {
        self.observer.note(self.descriptor, text);
    }
}

/// How the runner runs a migration.
pub(crate) enum RunMode {
    /// Inside one transaction that the runner commits or rolls back.
    Transaction,
    /// Statement by statement, each finished step recorded in the history table.
    Journaled {
        history: HistoryTable,
        resume_after: u32,
        resume_key: Option<i64>,
        /// Whether an earlier attempt of this run exists.
        resuming: bool,
    },
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

/// Long statements are cut in messages; the full text is in `--dry-run`.
pub(crate) fn shorten(sql: &str) -> String {
    const MAX: usize = 300;
    let sql = sql.trim();
    if sql.len() <= MAX {
        return sql.to_owned();
    }
    let mut end = MAX;
    while !sql.is_char_boundary(end) {
        end -= 1;
    }
    format!("{} ...", &sql[..end])
}
