//! Which database runs when: at most `jobs` at once, the canaries first, and no new one started
//! after a failure unless asked to keep going (or after SIGINT/SIGTERM).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// How a fleet run is scheduled.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schedule {
    /// At most this many databases at once (at least 1).
    pub(crate) jobs: usize,
    /// The first `canary` databases run first; if one fails, no other starts.
    pub(crate) canary: usize,
    /// Start the others after a failure (the canaries' excepted).
    pub(crate) keep_going: bool,
}

/// Runs `work` on the items `0..count` per `schedule`, on threads of their own; `work` returns a
/// result and whether it failed. Items never started are `None`.
pub(crate) fn run<T: Send>(
    count: usize,
    schedule: Schedule,
    work: impl Fn(usize) -> (T, bool) + Sync,
) -> Vec<Option<T>> {
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..count).map(|_| None).collect());
    let canary = schedule.canary.min(count);
    let canary_failed = run_range(0..canary, schedule.jobs, false, &work, &results);
    if !canary_failed {
        run_range(
            canary..count,
            schedule.jobs,
            schedule.keep_going,
            &work,
            &results,
        );
    }
    results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs the items of `range` on up to `jobs` threads; returns whether one failed.
fn run_range<T: Send>(
    range: std::ops::Range<usize>,
    jobs: usize,
    keep_going: bool,
    work: &(impl Fn(usize) -> (T, bool) + Sync),
    results: &Mutex<Vec<Option<T>>>,
) -> bool {
    let next = AtomicUsize::new(range.start);
    let failed = AtomicBool::new(false);
    let threads = jobs.max(1).min(range.len());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    if (failed.load(Ordering::SeqCst) && !keep_going)
                        || crate::interrupt::requested()
                    {
                        return;
                    }
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    if index >= range.end {
                        return;
                    }
                    let (result, item_failed) = work(index);
                    if item_failed {
                        failed.store(true, Ordering::SeqCst);
                    }
                    let mut results = results
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    results[index] = Some(result);
                }
            });
        }
    });
    failed.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ran(results: &[Option<usize>]) -> Vec<usize> {
        results.iter().flatten().copied().collect()
    }

    #[test]
    fn runs_everything_when_nothing_fails() {
        let schedule = Schedule {
            jobs: 3,
            canary: 2,
            keep_going: false,
        };
        let results = run(10, schedule, |i| (i, false));
        assert_eq!(ran(&results), (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn a_failed_canary_stops_the_rest_even_when_keeping_going() {
        let schedule = Schedule {
            jobs: 4,
            canary: 2,
            keep_going: true,
        };
        let results = run(10, schedule, |i| (i, i == 1));
        assert_eq!(ran(&results), [0, 1]);
    }

    #[test]
    fn a_failure_stops_new_starts_unless_keeping_going() {
        // One job: the order is fixed, so what is left unstarted is exact.
        let stop = Schedule {
            jobs: 1,
            canary: 0,
            keep_going: false,
        };
        assert_eq!(ran(&run(6, stop, |i| (i, i == 2))), [0, 1, 2]);
        let go_on = Schedule {
            keep_going: true,
            ..stop
        };
        assert_eq!(ran(&run(6, go_on, |i| (i, i == 2))), [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn never_more_than_jobs_at_once() {
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let schedule = Schedule {
            jobs: 3,
            canary: 0,
            keep_going: false,
        };
        run(12, schedule, |_| {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(20));
            running.fetch_sub(1, Ordering::SeqCst);
            ((), false)
        });
        assert_eq!(most.load(Ordering::SeqCst), 3);
    }
}
