//! The loop shared by the batched helpers: adaptive batch size, pauses, progress, summary.

use crate::migration::{BatchDone, Batches};
use crate::runner::Progress;
use crate::{AnyConnection, Result};
use std::time::{Duration, Instant};

/// How a batched helper sizes and paces its batches.
///
/// By default the size adapts so that each batch (one transaction, holding its row locks) takes
/// about [`target`](Batching::target): it starts at [`initial_rows`](Batching::initial_rows) and
/// is scaled by target/actual after each batch (at most halved or doubled at a time), within
/// [`min_rows`](Batching::min_rows)..=[`max_rows`](Batching::max_rows). A fixed size turns that
/// off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batching {
    /// The duration each batch aims at (40 ms by default). A batch holds the locks of its rows
    /// until it commits, so this bounds how long a concurrent writer of one of them waits: at
    /// 40 ms, under the 50 ms a request can spare, while the per-batch cost (a commit and a
    /// few round trips) stays near a tenth of the batch.
    pub target: Duration,
    /// The size of the first batch.
    pub initial_rows: u64,
    /// The smallest batch.
    pub min_rows: u64,
    /// The largest batch.
    pub max_rows: u64,
    /// A fixed batch size, instead of adapting.
    pub fixed_rows: Option<u64>,
    /// A pause between batches, to leave room for other writers.
    pub pause: Duration,
}

impl Default for Batching {
    fn default() -> Self {
        Batching {
            target: Duration::from_millis(40),
            initial_rows: 1_000,
            min_rows: 100,
            max_rows: 50_000,
            fixed_rows: None,
            pause: Duration::ZERO,
        }
    }
}

impl Batching {
    /// The size of the batch after one of `rows` rows that took `took`.
    pub fn next_size(&self, rows: u64, took: Duration) -> u64 {
        if let Some(fixed) = self.fixed_rows {
            return fixed;
        }
        let ratio = self.target.as_secs_f64() / took.as_secs_f64().max(1e-6);
        let scaled = rows as f64 * ratio.clamp(0.5, 2.0);
        (scaled as u64).clamp(self.min_rows, self.max_rows)
    }

    fn first_size(&self) -> u64 {
        self.fixed_rows.unwrap_or(self.initial_rows)
    }
}

/// Runs batches until `batch` finds no row left. `batch` gets the connection (inside the
/// batch's transaction), the key the batch starts after and the number of rows to take.
/// `count_sql` counts the rows to do, for progress; its time counts in the step's.
pub(crate) fn drive(
    batches: &mut Batches<'_>,
    label: &str,
    count_sql: &str,
    batching: Batching,
    mut batch: impl FnMut(&mut AnyConnection, Option<i64>, u64) -> Result<Option<BatchDone>>,
) -> Result<()> {
    let started = Instant::now();
    let total = u64::try_from(super::count(batches.conn(), count_sql)?).ok();
    let mut after = batches.resume_key();
    if let Some(key) = after {
        batches.note(&format!(
            "resuming after key {key}, where an earlier attempt stopped"
        ));
    }
    let mut size = batching.first_size();
    let mut done = 0u64;
    let mut count = 0u64;
    let mut longest = Duration::ZERO;
    loop {
        let begun = Instant::now();
        let Some(finished) =
            batches.commit(|conn| crate::panic::catch(|| batch(conn, after, size)))?
        else {
            break;
        };
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
        size = batching.next_size(size, took);
        if !batching.pause.is_zero() {
            std::thread::sleep(batching.pause);
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
    batches.note(&format!(
        "{label}: {done} rows in {count} batches, {:.2} s ({rate:.0} rows/s), longest batch {} ms",
        elapsed.as_secs_f64(),
        longest.as_millis()
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_follows_the_target_within_bounds() {
        let batching = Batching::default();
        assert_eq!(batching.next_size(1000, Duration::from_millis(20)), 2000);
        assert_eq!(
            batching.next_size(1000, Duration::from_millis(1)),
            2000,
            "at most doubled"
        );
        assert_eq!(
            batching.next_size(1000, Duration::from_secs(1)),
            500,
            "at most halved"
        );
        assert_eq!(
            batching.next_size(150, Duration::from_secs(1)),
            100,
            "never below min"
        );
        assert_eq!(
            batching.next_size(40_000, Duration::from_millis(10)),
            50_000,
            "never above max"
        );
        let fixed = Batching {
            fixed_rows: Some(777),
            ..Batching::default()
        };
        assert_eq!(fixed.next_size(1000, Duration::from_secs(1)), 777);
    }
}
