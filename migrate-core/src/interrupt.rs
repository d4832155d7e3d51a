//! Stopping cleanly on SIGINT/SIGTERM.
//!
//! The `migrate` command installs a signal handler that calls [`request`]; batched helpers check
//! [`requested`] after each committed batch and stop there, so an interrupted backfill resumes
//! exactly where it stopped. Migrations that run in one transaction are not interrupted: they
//! are short, and stopping them half-way would only roll them back.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Asks running migrations to stop after their current batch.
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
}

/// Whether a stop was asked for.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}
