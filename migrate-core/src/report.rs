//! What a running migration reports while it runs: lines of output and the [`Progress`] of
//! batched helpers. The [`Migration`](crate::Migration) handle reports through [`Report`]; the
//! runner turns that into calls of its [`Observer`](crate::Observer), which also knows which
//! migration is running.

use std::time::Duration;

/// Where the [`Migration`](crate::Migration) handle sends what it reports.
pub(crate) trait Report {
    /// A line of output: counts, spot checks, skipped steps.
    fn note(&mut self, text: &str);
    /// A batched helper committed a batch (or finished).
    fn progress(&mut self, progress: &Progress);
}

/// A [`Report`] that drops everything: for the recording passes made before a run.
pub(crate) struct Silent;

impl Report for Silent {
    fn note(&mut self, _: &str) {}
    fn progress(&mut self, _: &Progress) {}
}

/// How far a batched helper has got, for progress displays.
#[derive(Debug, Clone)]
pub struct Progress {
    /// What is being done (`backfill orders.status`).
    pub label: String,
    /// Rows done so far in this run.
    pub done: u64,
    /// Rows to do in this run, if known.
    pub total: Option<u64>,
    /// Time since this run of the step started.
    pub elapsed: Duration,
    /// Batches committed so far.
    pub batches: u64,
    /// The longest batch so far: the longest any batch held its transaction (and row locks).
    pub longest_batch: Duration,
    /// Whether the step is finished.
    pub finished: bool,
}
