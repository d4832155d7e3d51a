//! What the batched helpers share: a step made of many short transactions ([`batched_step`],
//! [`Batches`]), and the loop that drives them ([`drive`]: adaptive batch size, pauses,
//! progress, summary).

use crate::connection::AnyConnection;
use crate::error::{Error, Result};
use crate::history::HistoryTable;
use crate::lock_wait::LockWait;
use crate::migration::{BatchedStep, Migration};
use crate::pacing::Pacing;
use crate::report::{Progress, Report};
use crate::vocabulary::MigrationId;
use migrate_sql::helpers::key::Key;
use std::time::{Duration, Instant};

/// Runs a step of `m` made of many short transactions. `body` receives the [`Batches`] that
/// commits each batch together with its resume key, so a killed run resumes after its last
/// committed batch. Needs a migration that runs outside one transaction.
pub(crate) fn batched_step(
    m: &mut Migration<'_>,
    show: impl FnOnce(Option<&mut AnyConnection>) -> Result<Vec<String>>,
    body: impl FnOnce(&mut Batches<'_>) -> Result<()>,
) -> Result<()> {
    let BatchedStep::Run { step, resume_key } = m.begin_batched_step(show)? else {
        return Ok(());
    };
    let parts = m.batch_parts()?;
    let mut batches = Batches {
        step,
        conn: parts.conn,
        journal: parts.journal,
        id: parts.id,
        report: parts.report,
        lock_wait: parts.lock_wait,
        pacing: parts.pacing,
        resume_key,
        committed: 0,
        last_commit: Duration::ZERO,
    };
    let outcome = body(&mut batches);
    let committed_any = batches.committed > 0;
    m.finish_batched_step(step, committed_any, outcome)
}

/// What one committed batch did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BatchDone {
    /// The key of its last row.
    pub(crate) last_key: Vec<String>,
    /// The rows it changed.
    pub(crate) rows: u64,
}

/// What a batched step works with: the connection, where to resume, and a way to commit each
/// batch with its progress.
pub(crate) struct Batches<'a> {
    step: u32,
    conn: &'a mut AnyConnection,
    journal: Option<&'a HistoryTable>,
    id: MigrationId,
    report: &'a mut dyn Report,
    lock_wait: LockWait,
    /// The batch time and pause of a helper that sets none.
    pacing: Pacing,
    resume_key: Option<Vec<String>>,
    committed: u64,
    /// How long the last batch's `COMMIT` took.
    last_commit: Duration,
}

impl Batches<'_> {
    /// The key after which an interrupted earlier attempt stopped.
    pub(crate) fn resume_key(&self) -> Option<&[String]> {
        self.resume_key.as_deref()
    }

    /// The connection, for reads outside a batch.
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        self.conn
    }

    /// The migration and the step this is.
    pub(crate) fn step(&self) -> (MigrationId, u32) {
        (self.id, self.step)
    }

    /// Runs `exec` outside a batch, waiting for locks as a step does (a schema change the
    /// batches depend on).
    pub(crate) fn with_lock_wait(
        &mut self,
        exec: impl FnMut(&mut AnyConnection) -> Result<()>,
    ) -> Result<()> {
        let report = &mut *self.report;
        self.lock_wait
            .retry(self.conn, exec, |waited| report.note(&waited))
    }

    /// Runs `exec` in a transaction of its own that records no resume key (work a step does
    /// after its batches, such as a change log's catch-up, which must not move where a stopped
    /// run resumes), retried like a batch when it times out waiting for a lock.
    pub(crate) fn transaction<T>(
        &mut self,
        mut exec: impl FnMut(&mut AnyConnection) -> Result<T>,
    ) -> Result<T> {
        let report = &mut *self.report;
        self.lock_wait.retry(
            self.conn,
            |conn| conn.in_transaction(&mut exec),
            |waited| report.note(&waited),
        )
    }

    /// Runs one batch in its own transaction. `batch` returns where it ended (or `None` when no
    /// row was left); that key is recorded in the same transaction, so after a crash the step
    /// resumes right after the last committed batch, never redoing or skipping one. Stops cleanly
    /// between batches when the process was asked to (SIGINT/SIGTERM).
    pub(crate) fn commit(
        &mut self,
        mut batch: impl FnMut(&mut AnyConnection) -> Result<Option<BatchDone>>,
    ) -> Result<Option<BatchDone>> {
        let journal = self.journal;
        let id = self.id;
        let report = &mut *self.report;
        let mut committing = Instant::now();
        // A batch that times out waiting for a row lock rolls back and is tried again.
        let done = self.lock_wait.retry(
            self.conn,
            |conn| {
                conn.in_transaction(|conn| {
                    let done = batch(conn)?;
                    if let (Some(history), Some(done)) = (journal, &done) {
                        history.record_resume_key(conn, id, &done.last_key)?;
                    }
                    committing = Instant::now();
                    Ok(done)
                })
            },
            |waited| report.note(&waited),
        )?;
        self.last_commit = committing.elapsed();
        if done.is_some() {
            self.committed += 1;
        }
        if let Some(done) = &done
            && crate::interrupt::requested()
        {
            return Err(Error::Interrupted {
                id,
                last_key: Some(migrate_sql::helpers::key::Key::display(&done.last_key)),
            });
        }
        Ok(done)
    }

    /// How long the last committed batch's `COMMIT` took: how far behind the server's log
    /// flushes are, which the application's commits wait for too.
    pub(crate) fn last_commit(&self) -> Duration {
        self.last_commit
    }

    /// Reports progress.
    pub(crate) fn progress(&mut self, progress: &Progress) {
        self.report.progress(progress);
    }

    /// Adds a line to the output.
    pub(crate) fn note(&mut self, text: &str) {
        self.report.note(text);
    }
}

/// How a batched helper sizes and paces its batches.
///
/// By default the size adapts so that each batch (one transaction, holding its row locks) takes
/// about [`target`](Batching::target): it starts at [`initial_rows`](Batching::initial_rows) and
/// is scaled by target/actual after each batch (at most halved or doubled at a time), within
/// [`min_rows`](Batching::min_rows)..=[`max_rows`](Batching::max_rows). A fixed size turns that
/// off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batching {
    /// The duration each batch aims at; `None` takes the run's ([`Pacing::batch_time`]: 10 ms
    /// on PostgreSQL, 40 ms on MySQL and SQLite). A batch holds the locks of its rows until it
    /// commits, and the application's commits wait for its commit's flush, so this bounds how
    /// long the application waits, while the per-batch cost (a commit and a few round trips)
    /// stays a small part of the batch.
    pub target: Option<Duration>,
    /// The size of the first batch.
    pub initial_rows: u64,
    /// The smallest batch.
    pub min_rows: u64,
    /// The largest batch.
    pub max_rows: u64,
    /// A fixed batch size, instead of adapting.
    pub fixed_rows: Option<u64>,
    /// A pause between batches, to leave room for the application; `None` takes the run's
    /// ([`Pacing::pause`]: 20 ms on SQLite, none elsewhere).
    pub pause: Option<Duration>,
}

impl Default for Batching {
    fn default() -> Self {
        Batching {
            target: None,
            initial_rows: 1_000,
            min_rows: 100,
            max_rows: 50_000,
            fixed_rows: None,
            pause: None,
        }
    }
}

impl Batching {
    /// The size of the batch after one of `rows` rows that took `took`, aiming at `target`.
    fn next_size(&self, rows: u64, took: Duration, target: Duration) -> u64 {
        if let Some(fixed) = self.fixed_rows {
            return fixed;
        }
        let ratio = target.as_secs_f64() / took.as_secs_f64().max(1e-6);
        let scaled = rows as f64 * ratio.clamp(0.5, 2.0);
        (scaled as u64).clamp(self.min_rows, self.max_rows)
    }

    fn first_size(&self) -> u64 {
        self.fixed_rows.unwrap_or(self.initial_rows)
    }
}

/// Runs batches until `batch` finds no row left. `batch` gets the connection (inside the
/// batch's transaction), the key the batch starts after and the number of rows to take.
/// `count_sql` counts the rows to do, for progress; its time counts in the step's. Returns the
/// number of rows the batches changed.
pub(crate) fn drive(
    batches: &mut Batches<'_>,
    label: &str,
    count_sql: &str,
    batching: Batching,
    mut batch: impl FnMut(&mut AnyConnection, Option<&[String]>, u64) -> Result<Option<BatchDone>>,
) -> Result<u64> {
    let started = Instant::now();
    let total = u64::try_from(super::count(batches.conn(), count_sql)?).ok();
    let mut after: Option<Vec<String>> = batches.resume_key().map(<[String]>::to_vec);
    if let Some(key) = &after {
        batches.note(&format!(
            "resuming after key {}, where an earlier attempt stopped",
            Key::display(key)
        ));
    }
    let target = batching.target.unwrap_or(batches.pacing.batch_time);
    let pause = batching.pause.unwrap_or(batches.pacing.pause);
    let mut size = batching.first_size();
    let mut done = 0u64;
    let mut count = 0u64;
    let mut longest = Duration::ZERO;
    let mut slow = SlowCommits::default();
    loop {
        let begun = Instant::now();
        let Some(finished) =
            batches.commit(|conn| crate::panic::catch(|| batch(conn, after.as_deref(), size)))?
        else {
            break;
        };
        // A batch must end past where it started: a key the database orders differently than
        // it compares (or a condition that selects nothing it can move past) would loop forever.
        if after.as_ref() == Some(&finished.last_key) {
            return Err(Error::NoProgress {
                label: label.to_owned(),
                key: Key::display(&finished.last_key),
            });
        }
        let took = begun.elapsed();
        longest = longest.max(took);
        done += finished.rows;
        count += 1;
        after = Some(finished.last_key);
        batches.progress(&Progress {
            label: label.to_owned(),
            done,
            total,
            elapsed: started.elapsed(),
            batches: count,
            longest_batch: longest,
            finished: false,
        });
        size = batching.next_size(size, took, target);
        let back_off = batches.pacing.back_off_after_commit(batches.last_commit());
        if !back_off.is_zero() {
            slow.record(batches.last_commit(), back_off);
        }
        let rest = pause.max(back_off);
        if !rest.is_zero() {
            crate::interrupt::sleep(rest);
        }
    }
    let elapsed = started.elapsed();
    batches.progress(&Progress {
        label: label.to_owned(),
        done,
        total,
        elapsed,
        batches: count,
        longest_batch: longest,
        finished: true,
    });
    let rate = done as f64 / elapsed.as_secs_f64().max(1e-6);
    let resting = if pause.is_zero() {
        String::new()
    } else {
        format!(", resting {} ms after each", pause.as_millis())
    };
    batches.note(&format!(
        "{label}: {done} rows in {count} batches, {:.2} s ({rate:.0} rows/s), longest batch {} ms{resting}{}",
        elapsed.as_secs_f64(),
        longest.as_millis(),
        slow.summary(batches.pacing.max_commit_time)
    ));
    Ok(done)
}

/// The batches whose commit took longer than the run's `max_commit_time`, and the helper's
/// back-off after them.
#[derive(Debug, Default)]
struct SlowCommits {
    count: u64,
    longest: Duration,
    rested: Duration,
}

impl SlowCommits {
    fn record(&mut self, commit: Duration, back_off: Duration) {
        self.count += 1;
        self.longest = self.longest.max(commit);
        self.rested += back_off;
    }

    /// The end of the step's summary line: empty when no commit was slow.
    fn summary(&self, max_commit_time: Duration) -> String {
        if self.count == 0 {
            return String::new();
        }
        format!(
            "; {} commit(s) over {} ms (longest {} ms: the server's log flushes were behind), backed off {:.1} s in all",
            self.count,
            max_commit_time.as_millis(),
            self.longest.as_millis(),
            self.rested.as_secs_f64()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_follows_the_target_within_bounds() {
        let batching = Batching::default();
        let target = Duration::from_millis(40);
        assert_eq!(
            batching.next_size(1000, Duration::from_millis(20), target),
            2000
        );
        assert_eq!(
            batching.next_size(1000, Duration::from_millis(1), target),
            2000,
            "at most doubled"
        );
        assert_eq!(
            batching.next_size(1000, Duration::from_secs(1), target),
            500,
            "at most halved"
        );
        assert_eq!(
            batching.next_size(150, Duration::from_secs(1), target),
            100,
            "never below min"
        );
        assert_eq!(
            batching.next_size(40_000, Duration::from_millis(10), target),
            50_000,
            "never above max"
        );
        let fixed = Batching {
            fixed_rows: Some(777),
            ..Batching::default()
        };
        assert_eq!(fixed.next_size(1000, Duration::from_secs(1), target), 777);
    }
}
