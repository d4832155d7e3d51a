//! [`Migration`]: what a migration function is given to act on the database.

use crate::connection::AnyConnection;
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
        let (journal, in_transaction, resume_after) = match run {
            RunMode::Transaction => (None, true, 0),
            RunMode::Journaled {
                history,
                resume_after,
            } => (Some(history), false, resume_after),
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
        }
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
        self.run_step(&text, |conn| conn.execute(&text))
    }

    /// Runs one step whose SQL is `sql`: skipped if an earlier attempt finished it, recorded in
    /// `--dry-run`, otherwise run by `exec` and journaled. Journaling shares the step's
    /// transaction, so a step is never recorded without its effect (on MySQL, DDL commits by
    /// itself; the gap is one statement wide).
    pub(crate) fn run_step(
        &mut self,
        sql: &str,
        exec: impl FnOnce(&mut AnyConnection) -> diesel::QueryResult<usize>,
    ) -> Result<usize> {
        self.steps += 1;
        let step = self.steps;
        if step <= self.resume_after {
            self.observer.note(
                self.descriptor,
                &format!("step {step} was finished by an earlier attempt; skipped"),
            );
            return Ok(0);
        }
        if let Some(recorded) = &mut self.recorded {
            recorded.push(sql.to_owned());
            return Ok(0);
        }
        let Some(conn) = self.conn.as_deref_mut() else {
            return Err(Error::DryRunUnsupported);
        };
        let id = self.descriptor.id();
        match &self.journal {
            None => exec(conn).map_err(|e| statement_error(step, sql, e)),
            Some(history) => conn.in_transaction(|conn| {
                let changed = exec(conn).map_err(|e| statement_error(step, sql, e))?;
                history.record_step(conn, id, step)?;
                Ok(changed)
            }),
        }
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

/// How the runner runs a migration.
pub(crate) enum RunMode {
    /// Inside one transaction that the runner commits or rolls back.
    Transaction,
    /// Statement by statement, each finished step recorded in the history table.
    Journaled {
        history: HistoryTable,
        resume_after: u32,
    },
}

fn statement_error(step: u32, sql: &str, err: diesel::result::Error) -> Error {
    Error::Statement {
        step,
        sql: shorten(sql),
        message: err.to_string(),
    }
}

/// Long statements are cut in messages; the full text is in `--dry-run`.
fn shorten(sql: &str) -> String {
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
