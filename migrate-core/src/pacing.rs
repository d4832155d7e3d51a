//! How the batched work of an online migration shares the database with the application.
//!
//! Two things decide what the application feels beside a batched helper: how long each batch
//! runs (it holds the locks of its rows until it commits, and its commit flushes the log it
//! wrote, which the application's own commits queue behind), and how long the helper rests
//! between batches (room for other writers: SQLite has no lock queue, so a writer that polls
//! can miss back-to-back batches for seconds). The defaults are per database, from the
//! benchmark beside a running application (BENCHMARKS.md); a run can change them
//! ([`RunOptions`](crate::RunOptions), `--batch-time`, `--batch-pause`) and a helper can set its
//! own (`target_ms`, `pause_ms`).

use migrate_sql::Dialect;
use std::time::Duration;

/// The longest sleep of SQLite's busy handler between two tries (`sqlite3BusyHandler`'s delays
/// end at 100 ms).
const SQLITE_LONGEST_POLL: Duration = Duration::from_millis(100);

/// The batch duration and the rest between batches of the batched helpers that set neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    /// The duration each batch aims at (its size adapts to it).
    pub batch_time: Duration,
    /// The rest after each batch.
    pub pause: Duration,
}

impl Pacing {
    /// The defaults on `dialect`.
    ///
    /// - PostgreSQL: 10 ms batches, no rest. A commit waits for the log the committing batch
    ///   wrote to be flushed, and the application's commits wait behind it: beside 40 ms batches
    ///   its updates waited up to ~1 s when a checkpoint was writing, beside 10 ms batches at
    ///   most 0.16 s (1M rows; at 10M still up to 1.5 s, see BENCHMARKS.md), for ~5% more time.
    /// - MySQL/MariaDB: 40 ms batches, no rest (InnoDB's group commit kept the application's
    ///   waits under 0.25 s).
    /// - SQLite: 40 ms batches and a 20 ms rest: its busy handler polls instead of queueing, so
    ///   without a rest a writer can wait seconds for a gap between batches.
    pub fn for_dialect(dialect: Dialect) -> Pacing {
        let ms = Duration::from_millis;
        match dialect {
            Dialect::Postgres => Pacing {
                batch_time: ms(10),
                pause: Duration::ZERO,
            },
            Dialect::Mysql => Pacing {
                batch_time: ms(40),
                pause: Duration::ZERO,
            },
            Dialect::Sqlite => Pacing {
                batch_time: ms(40),
                pause: ms(20),
            },
        }
    }

    /// How long an online migration rests after a step (one statement in its own transaction)
    /// that took `took`, before its next one.
    ///
    /// On SQLite a writer that waits polls, sleeping up to 100 ms between tries, so it can miss
    /// the instant between two steps: behind a table rebuild followed by a `DROP COLUMN` (which
    /// rewrites the table too), the application's writes waited both, 2.4 s against a 1.2 s
    /// rebuild. Resting as long as the step took, up to those 100 ms, lets a writer that waited
    /// through the step in first, at the cost of a fraction of the step. Elsewhere a waiting
    /// session is queued and gets the lock as the step commits.
    pub(crate) fn rest_after_step(&self, dialect: Dialect, took: Duration) -> Duration {
        match dialect {
            Dialect::Sqlite => took.min(SQLITE_LONGEST_POLL),
            Dialect::Postgres | Dialect::Mysql => Duration::ZERO,
        }
    }

    /// These defaults with what the run chose in their place.
    pub(crate) fn chosen(
        dialect: Dialect,
        batch_time: Option<Duration>,
        pause: Option<Duration>,
    ) -> Pacing {
        let default = Pacing::for_dialect(dialect);
        Pacing {
            batch_time: batch_time.unwrap_or(default.batch_time),
            pause: pause.unwrap_or(default.pause),
        }
    }
}

impl Default for Pacing {
    /// PostgreSQL's, for a migration that never reaches a batch (a dry run).
    fn default() -> Self {
        Pacing::for_dialect(Dialect::Postgres)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_overrides_each_default_on_its_own() {
        let ms = Duration::from_millis;
        let postgres = Pacing::chosen(Dialect::Postgres, None, Some(ms(5)));
        assert_eq!((postgres.batch_time, postgres.pause), (ms(10), ms(5)));
        let sqlite = Pacing::chosen(Dialect::Sqlite, Some(ms(15)), None);
        assert_eq!((sqlite.batch_time, sqlite.pause), (ms(15), ms(20)));
    }

    #[test]
    fn only_sqlite_rests_after_a_step_and_at_most_one_poll() {
        let ms = Duration::from_millis;
        let pacing = Pacing::default();
        assert_eq!(pacing.rest_after_step(Dialect::Sqlite, ms(3)), ms(3));
        assert_eq!(pacing.rest_after_step(Dialect::Sqlite, ms(1200)), ms(100));
        for dialect in [Dialect::Postgres, Dialect::Mysql] {
            assert_eq!(pacing.rest_after_step(dialect, ms(1200)), Duration::ZERO);
        }
    }
}
