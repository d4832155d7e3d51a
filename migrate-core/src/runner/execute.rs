//! Running one migration: in one transaction where the database allows, else journaled step by
//! step; with SQLite's foreign keys off and checked before commit; panics turned into errors.

use super::Runner;
use super::plan::Resume;
use crate::connection::AnyConnection;
use crate::descriptor::{Down, MigrationDescriptor, MigrationFn};
use crate::error::{Error, Result};
use crate::history::{HistoryTable, Recorded};
use crate::migration::{Journaled, Migration, RunMode};
use crate::observer::ReportTo;
use crate::pacing::Pacing;
use crate::report::Silent;
use crate::vocabulary::Direction;
use migrate_sql::Dialect;
use migrate_sql::runtime::session;
use std::time::{Duration, Instant};

impl Runner<'_> {
    pub(super) fn run_one(
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
        // Each migration starts with the session as the command set it up, and waits for table
        // locks no longer than the run allows.
        self.conn.restore_session(&self.session)?;
        self.options.lock_wait.apply(self.conn)?;
        let dialect = self.conn.dialect();
        let journaled = !migration.is_transactional() || !dialect.has_transactional_ddl();
        // Before the damage: a migration in one transaction that would hold a large table (not
        // again when resuming MySQL's statement-by-statement run of one).
        if resume.steps_done == 0 {
            let rows = self.options.large_table_rows;
            for warning in crate::lock_warning::assess(self.conn, migration, direction, rows) {
                self.observer.lock_warning(&warning);
            }
        }
        self.observer.migration_started(migration, direction);
        let started = Instant::now();
        let history = self.history.clone();
        // SQLite can only change constraints by rebuilding tables, which foreign keys would
        // block or cascade through; they are off while a migration runs and checked before it
        // commits (the procedure of sqlite.org/lang_altertable.html).
        let sqlite = dialect == Dialect::Sqlite;
        if sqlite {
            self.conn
                .batch_execute(session::SQLITE_FOREIGN_KEYS_OFF)
                .map_err(|e| Error::database("turning off SQLite foreign keys", e))?;
        }
        let outcome = if journaled {
            // Each step retries on its own (see `Migration::step`).
            self.run_one_inner(
                migration, direction, resume, function, journaled, started, &history,
            )
        } else {
            self.run_transactional_with_retries(migration, direction, function, started, &history)
        };
        if sqlite {
            let restored = self
                .conn
                .batch_execute(session::SQLITE_FOREIGN_KEYS_ON)
                .map_err(|e| Error::database("turning SQLite foreign keys back on", e));
            // The migration's own failure matters more than this one.
            outcome?;
            restored?;
        } else {
            outcome?;
        }
        self.observer
            .migration_finished(migration, direction, started.elapsed());
        Ok(())
    }

    /// A migration in one transaction that a lock timeout rolled back is run again, a few times
    /// with growing pauses (its earlier attempts changed nothing).
    fn run_transactional_with_retries(
        &mut self,
        migration: &'static MigrationDescriptor,
        direction: Direction,
        function: MigrationFn,
        started: Instant,
        history: &HistoryTable,
    ) -> Result<()> {
        let wait = self.options.lock_wait;
        let mut tried = 1;
        loop {
            let outcome = self.run_one_inner(
                migration,
                direction,
                Resume::default(),
                function,
                false,
                started,
                history,
            );
            let Err(Error::MigrationFailed {
                id,
                name,
                direction,
                rolled_back,
                source,
            }) = outcome
            else {
                return outcome;
            };
            if !source.is_lock_timeout() {
                return Err(Error::MigrationFailed {
                    id,
                    name,
                    direction,
                    rolled_back,
                    source,
                });
            }
            if tried >= wait.attempts.max(1) {
                return Err(Error::MigrationFailed {
                    id,
                    name,
                    direction,
                    rolled_back,
                    source: Box::new(wait.exhausted(self.conn, tried, *source)),
                });
            }
            tried += 1;
            let pause = wait.pause(tried);
            self.observer.note(
                migration,
                &format!(
                    "waited {} ms for a lock held by another session and rolled back; trying again in {} ms (attempt {tried} of {})",
                    wait.waits(self.conn.dialect()).as_millis(),
                    pause.as_millis(),
                    wait.attempts
                ),
            );
            crate::interrupt::sleep(pause);
        }
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
            // What can be checked without changing anything is checked before the first step
            // commits: a batched helper's key, further down the function.
            let not_null_later = preflight(self.conn, migration, direction, function)
                .map_err(|source| failed(source, true))?;
            history.record_running(self.conn, recorded(migration), direction)?;
            let run = RunMode::Journaled(Journaled {
                history: history.clone(),
                resume_after: resume.steps_done,
                resume_key: resume.key,
                resuming: resume.attempted,
                lock_wait: self.options.lock_wait,
                pacing: Pacing::chosen(self.conn.dialect(), &self.options),
                online: !migration.is_transactional(),
                not_null_later,
            });
            let mut report = ReportTo {
                observer: &mut *self.observer,
                migration,
            };
            let ids = (migration.id(), migration.name());
            let mut m = Migration::live(self.conn, ids, direction, &mut report, run);
            let outcome =
                call(function, &mut m).and_then(|()| crate::helpers::row_sync::finish(&mut m));
            let changed = m.changed_anything();
            drop(m);
            let outcome = outcome.and_then(|()| foreign_keys_hold(self.conn));
            // An interrupted run stays `running`: the next `up` resumes it after its last batch.
            if let Err(interrupted @ Error::Interrupted { .. }) = outcome {
                return Err(interrupted);
            }
            if let Err(source) = outcome {
                // A lost connection, a full disk or a database file made read-only under the
                // run are the environment's fault: the run stays `running`, so the same command
                // resumes it after its last recorded step once the cause is gone. Why it stopped
                // is noted on a fresh connection, if the database is usable again. So is a lock
                // another session held through every attempt, once the migration has changed
                // something.
                let lock_wait = matches!(source, Error::LockWait { .. });
                let environment =
                    source.is_connection_lost() || source.environment_failure().is_some();
                if environment || (lock_wait && changed) {
                    self.note_on_fresh_connection(history, migration, &source);
                    return Err(failed(source, false));
                }
                // Failing before any change (a check that found bad rows) leaves nothing
                // half-done: forget the attempt, as a rolled-back transaction would.
                let (recorded, rolled_back) = if changed {
                    let text = source.to_string();
                    (
                        history.record_failed(self.conn, migration.id(), &text),
                        false,
                    )
                } else {
                    let forgotten = history.record_unchanged(self.conn, migration.id(), direction);
                    (forgotten, true)
                };
                // The failure itself is what the user must see; a history write that failed
                // too (the server went away meanwhile) is only logged.
                if let Err(record_error) = recorded {
                    tracing::warn!(migration = %migration.id(), "{record_error}");
                }
                return Err(failed(source, rolled_back));
            }
            // One statement: it needs no transaction of its own.
            finish(history, self.conn, migration, direction, started.elapsed())?;
        } else {
            let observer = &mut *self.observer;
            self.conn
                .in_transaction(|conn| {
                    let mut report = ReportTo {
                        observer,
                        migration,
                    };
                    let ids = (migration.id(), migration.name());
                    let mut m =
                        Migration::live(conn, ids, direction, &mut report, RunMode::Transaction);
                    call(function, &mut m)?;
                    drop(m);
                    foreign_keys_hold(conn)?;
                    finish(history, conn, migration, direction, started.elapsed())
                })
                .map_err(|source| failed(source, true))?;
            // The record was written before the commit, which can be most of a migration's
            // time (SQLite syncs the file): store the duration the command reports. Best effort:
            // the migration is applied either way.
            if direction == Direction::Up
                && let Err(error) =
                    history.record_duration(self.conn, migration.id(), started.elapsed())
            {
                tracing::warn!(migration = %migration.id(), "{error}");
            }
        }
        Ok(())
    }
}

impl Runner<'_> {
    /// Records why a journaled run stopped, on a new connection (the old one is gone), leaving it
    /// `running` so that the next run resumes it. Best effort: the server may still be down.
    fn note_on_fresh_connection(
        &self,
        history: &HistoryTable,
        migration: &'static MigrationDescriptor,
        source: &Error,
    ) {
        let Some(url) = &self.reconnect else {
            return;
        };
        // Never a new SQLite file in place of one deleted under the run.
        let noted = AnyConnection::establish_existing(url).and_then(|mut conn| {
            history.record_stop_reason(&mut conn, migration.id(), &source.to_string())
        });
        if let Err(error) = noted {
            tracing::warn!(migration = %migration.id(), "could not record why it stopped: {error}");
        }
    }
}

/// Runs the migration in recording mode (as `--dry-run` does, with the connection for catalog
/// reads and nothing written), and returns the first error that a real run would meet only
/// after changing something: a batched helper whose table has no usable key, a row transform
/// that cannot read a column as it declares. Other errors are
/// left to the real run, which reports them with their step. Returns the columns the
/// migration makes NOT NULL, which an online `transform_rows!` before them guards.
fn preflight(
    conn: &mut AnyConnection,
    migration: &'static MigrationDescriptor,
    direction: Direction,
    function: MigrationFn,
) -> Result<Vec<migrate_sql::ColumnName>> {
    let dialect = conn.dialect();
    let ids = (migration.id(), migration.name());
    let mut silent = Silent;
    let mode = (direction, !migration.is_transactional());
    let mut m = Migration::dry_run(Some(conn), dialect, ids, mode, &mut silent);
    match call(function, &mut m) {
        Err(refused @ (Error::KeyUnusable { .. } | Error::TypeMismatch { .. })) => Err(refused),
        // The columns the migration makes NOT NULL, which an online transform guards.
        _ => Ok(m.into_not_null()),
    }
}

/// On SQLite, where foreign keys are off during migrations, fails if a migration left rows
/// that violate one (before its transaction commits).
fn foreign_keys_hold(conn: &mut AnyConnection) -> Result<()> {
    if conn.dialect() != Dialect::Sqlite {
        return Ok(());
    }
    let violations = conn
        .query_text(session::SQLITE_FOREIGN_KEY_VIOLATIONS)
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
        Direction::Up => history.record_applied(conn, recorded(migration), elapsed),
        Direction::Down => history.delete(conn, migration.id()),
    }
}

/// What the history records of `migration`'s code.
pub(super) fn recorded(migration: &MigrationDescriptor) -> Recorded<'_> {
    Recorded {
        id: migration.id(),
        name: migration.name(),
        checksum: migration.checksum(),
    }
}

pub(super) fn function_for(
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
pub(super) fn call(function: MigrationFn, m: &mut Migration<'_>) -> Result<()> {
    crate::panic::catch(|| function(m))
}
