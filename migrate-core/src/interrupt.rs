//! Stopping cleanly on SIGINT/SIGTERM.
//!
//! The `migrate` command installs a signal handler that calls [`request`]; batched helpers check
//! [`requested`] after each committed batch and stop there, so an interrupted backfill resumes
//! exactly where it stopped. Migrations that run in one transaction are not interrupted: they
//! are short, and stopping them half-way would only roll them back. Every rest the runner
//! takes (between batches, before a retry) is an [`sleep`] that the first signal ends.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Wakes the sleepers when a stop is asked for.
static WAKE: Condvar = Condvar::new();
static SLEEPING: Mutex<()> = Mutex::new(());

/// Asks running migrations to stop after their current batch, ending any rest they take.
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
    // Taken so that a sleeper between its check and its wait cannot miss the notification.
    let _sleeping = SLEEPING.lock().unwrap_or_else(|e| e.into_inner());
    WAKE.notify_all();
}

/// Whether a stop was asked for.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Rests for `duration`, or until a stop is asked for; returns whether one was.
pub fn sleep(duration: Duration) -> bool {
    let deadline = Instant::now().checked_add(duration);
    let mut sleeping = SLEEPING.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if requested() {
            return true;
        }
        let left = match deadline {
            Some(deadline) => deadline.saturating_duration_since(Instant::now()),
            None => Duration::MAX,
        };
        if left.is_zero() {
            return false;
        }
        sleeping = WAKE
            .wait_timeout(sleeping, left)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rest_ends_at_the_request() {
        assert!(
            !sleep(Duration::from_millis(5)),
            "no request: the whole rest"
        );
        let waker = std::thread::spawn(|| {
            std::thread::sleep(Duration::from_millis(50));
            request();
        });
        let started = Instant::now();
        assert!(sleep(Duration::from_secs(3600)));
        assert!(started.elapsed() < Duration::from_secs(60));
        waker.join().unwrap_or_default();
        REQUESTED.store(false, Ordering::SeqCst);
    }
}
