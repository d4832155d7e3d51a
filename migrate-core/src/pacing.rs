//! How the batched work of an online migration shares the database with the application.
//!
//! Three things decide what the application feels beside a batched helper: how long each batch
//! runs (it holds the locks of its rows until it commits, and its commit flushes the log it
//! wrote, which the application's own commits queue behind), how long the helper rests
//! between batches (room for other writers: SQLite has no lock queue, so a writer that polls
//! can miss back-to-back batches for seconds), and whether it backs off while the server's log
//! flushes are backed up (a batch's commit that takes long says the application's commits take
//! as long: a checkpoint is writing, or the disk is behind). The defaults are per database,
//! from the benchmark beside a running application (BENCHMARKS.md); a run can change them
//! ([`RunOptions`](crate::RunOptions), `--batch-time`, `--batch-pause`, `--max-commit-time`)
//! and a helper can set its own batch time and rest (`target_ms`, `pause_ms`).

use migrate_sql::Dialect;
use std::time::Duration;

/// The longest sleep of SQLite's busy handler between two tries (`sqlite3BusyHandler`'s delays
/// end at 100 ms).
const SQLITE_LONGEST_POLL: Duration = Duration::from_millis(100);

/// The longest back-off after one slow commit: a commit that took seconds (a stalled disk) does
/// not stop the helper for longer than this before it looks again.
const LONGEST_BACK_OFF: Duration = Duration::from_secs(5);

/// The batch duration, the rest between batches and the commit time above which a batched
/// helper backs off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacing {
    /// The duration each batch aims at (its size adapts to it), for a helper that sets none.
    pub batch_time: Duration,
    /// The rest after each batch, for a helper that sets none.
    pub pause: Duration,
    /// A batch whose commit takes longer than this makes the helper rest twice as long as that
    /// commit took before its next batch; zero never does. See
    /// [`back_off_after_commit`](Pacing::back_off_after_commit).
    pub max_commit_time: Duration,
}

impl Pacing {
    /// The defaults on `dialect`.
    ///
    /// - PostgreSQL: 10 ms batches, no rest. A commit waits for the log the committing batch
    ///   wrote to be flushed, and the application's commits wait behind it: beside 40 ms batches
    ///   its updates waited up to ~1 s when a checkpoint was writing, beside 10 ms batches at
    ///   most 0.16 s, for ~5% more time (1M rows; at 10M still 0.55–1.5 s at some checkpoints,
    ///   see BENCHMARKS.md).
    /// - MySQL/MariaDB: 40 ms batches, no rest (InnoDB's group commit kept the application's
    ///   waits under 0.25 s).
    /// - SQLite: 40 ms batches and a 20 ms rest: its busy handler polls instead of queueing, so
    ///   without a rest a writer can wait seconds for a gap between batches.
    ///
    /// Everywhere a commit slower than 50 ms (the application's 99th percentile the benchmark
    /// aims under) makes the helper back off.
    pub fn for_dialect(dialect: Dialect) -> Pacing {
        let ms = Duration::from_millis;
        let max_commit_time = ms(50);
        match dialect {
            Dialect::Postgres => Pacing {
                batch_time: ms(10),
                pause: Duration::ZERO,
                max_commit_time,
            },
            Dialect::Mysql => Pacing {
                batch_time: ms(40),
                pause: Duration::ZERO,
                max_commit_time,
            },
            Dialect::Sqlite => Pacing {
                batch_time: ms(40),
                pause: ms(20),
                max_commit_time,
            },
        }
    }

    /// How long a batched helper rests after a batch whose commit took `commit`: twice that
    /// when it took longer than [`max_commit_time`](Pacing::max_commit_time) (at most 5 s),
    /// else not at all.
    ///
    /// A commit waits for the log to be flushed up to it, and so does every commit of the
    /// application behind it; when flushing falls behind (a checkpoint writing the pages the
    /// batches dirtied, a disk shared with others), every commit takes long, the application's
    /// included. Going on at full speed keeps the disk behind; resting twice the commit's time
    /// leaves the helper at most a third of the disk until commits are quick again, the way
    /// gh-ost throttles on replication lag. The batch size shrinks too, since the batch took
    /// longer than its target.
    pub fn back_off_after_commit(&self, commit: Duration) -> Duration {
        if self.max_commit_time.is_zero() || commit <= self.max_commit_time {
            return Duration::ZERO;
        }
        (commit * 2).min(LONGEST_BACK_OFF)
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
    pub(crate) fn chosen(dialect: Dialect, options: &crate::RunOptions) -> Pacing {
        let default = Pacing::for_dialect(dialect);
        Pacing {
            batch_time: options.batch_time.unwrap_or(default.batch_time),
            pause: options.batch_pause.unwrap_or(default.pause),
            max_commit_time: options.max_commit_time.unwrap_or(default.max_commit_time),
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
        let options = |batch_time, batch_pause, max_commit_time| crate::RunOptions {
            batch_time,
            batch_pause,
            max_commit_time,
            ..crate::RunOptions::default()
        };
        let postgres = Pacing::chosen(Dialect::Postgres, &options(None, Some(ms(5)), None));
        assert_eq!(
            (
                postgres.batch_time,
                postgres.pause,
                postgres.max_commit_time
            ),
            (ms(10), ms(5), ms(50))
        );
        let sqlite = Pacing::chosen(Dialect::Sqlite, &options(Some(ms(15)), None, Some(ms(0))));
        assert_eq!(
            (sqlite.batch_time, sqlite.pause, sqlite.max_commit_time),
            (ms(15), ms(20), ms(0))
        );
    }

    #[test]
    fn a_slow_commit_backs_off_twice_its_time_up_to_a_bound() {
        let ms = Duration::from_millis;
        let pacing = Pacing::default();
        assert_eq!(pacing.back_off_after_commit(ms(50)), Duration::ZERO);
        assert_eq!(pacing.back_off_after_commit(ms(51)), ms(102));
        assert_eq!(pacing.back_off_after_commit(ms(800)), ms(1600));
        assert_eq!(pacing.back_off_after_commit(ms(9000)), LONGEST_BACK_OFF);
        let off = Pacing {
            max_commit_time: Duration::ZERO,
            ..pacing
        };
        assert_eq!(off.back_off_after_commit(ms(800)), Duration::ZERO);
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
