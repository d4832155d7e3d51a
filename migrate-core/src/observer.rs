//! What a run reports as it goes: the [`Observer`] trait and a logging observer.

use crate::descriptor::MigrationDescriptor;
use crate::lock_warning::LockWarning;
use crate::report::{Progress, Report};
use crate::vocabulary::Direction;
use std::time::Duration;

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
    /// A migration about to run in one transaction would hold a large table until it commits.
    /// Logged as a `tracing` warning by default, so that no observer drops it unawares.
    fn lock_warning(&mut self, warning: &LockWarning) {
        tracing::warn!(migration = %warning.id, "{warning}");
    }
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
    fn lock_warning(&mut self, warning: &LockWarning) {
        (**self).lock_warning(warning)
    }
}

/// An observer that only logs, through `tracing`: one `info` line per migration that finished
/// (its id, name, time, and the rows its batched helpers changed where it has any); its start,
/// notes and every batch at `debug`; lock warnings at `warn`.
#[derive(Debug, Default)]
pub struct LogObserver {
    /// The rows the finished batched steps of the running migration changed, if it has any.
    rows: Option<u64>,
}

impl Observer for LogObserver {
    fn migration_started(&mut self, migration: &MigrationDescriptor, direction: Direction) {
        self.rows = None;
        tracing::debug!(id = %migration.id(), name = migration.name(), %direction, "migration started");
    }
    fn migration_finished(
        &mut self,
        migration: &MigrationDescriptor,
        direction: Direction,
        elapsed: Duration,
    ) {
        let done = match direction {
            Direction::Up => "applied",
            Direction::Down => "reverted",
        };
        let (id, name) = (migration.id(), migration.name());
        let elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        let seconds = elapsed.as_secs_f64();
        match self.rows.take() {
            Some(rows) => {
                tracing::info!(%id, name, elapsed_ms, rows, "{done} {id} {name} in {seconds:.2} s, {rows} rows");
            }
            None => tracing::info!(%id, name, elapsed_ms, "{done} {id} {name} in {seconds:.2} s"),
        }
    }
    fn note(&mut self, migration: &MigrationDescriptor, text: &str) {
        tracing::debug!(id = %migration.id(), "{text}");
    }
    fn waiting_for_lock(&mut self, holder: &str) {
        tracing::info!("waiting for the migration lock held by {holder}");
    }
    fn progress(&mut self, migration: &MigrationDescriptor, progress: &Progress) {
        if progress.finished {
            *self.rows.get_or_insert(0) += progress.done;
        }
        let id = migration.id();
        match progress.total {
            Some(total) => {
                tracing::debug!(%id, done = progress.done, total, batches = progress.batches, "{}", progress.label)
            }
            None => {
                tracing::debug!(%id, done = progress.done, batches = progress.batches, "{}", progress.label)
            }
        }
    }
}

/// What the runner hands the [`Migration`](crate::Migration) handle: its reports, sent to the
/// observer with the migration they belong to.
pub(crate) struct ReportTo<'o> {
    pub(crate) observer: &'o mut dyn Observer,
    pub(crate) migration: &'static MigrationDescriptor,
}

impl Report for ReportTo<'_> {
    fn note(&mut self, text: &str) {
        self.observer.note(self.migration, text);
    }
    fn progress(&mut self, progress: &Progress) {
        self.observer.progress(self.migration, progress);
    }
}
