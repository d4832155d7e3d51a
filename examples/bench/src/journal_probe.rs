//! How long SQLite's write transactions last, seen from outside: in rollback-journal mode (the
//! default, which neither the framework nor the benchmark changes) a write transaction creates
//! `<file>-journal` before it first changes a page and deletes it when it commits or rolls back.
//! A thread watches for that file every [`POLL`]; each span in which it exists is one write
//! transaction, to within the poll interval. Nothing is asked of the database, so the probe
//! neither takes a lock nor changes what it measures; the longest span beside the application's
//! short writes is the migration's longest transaction (the table rebuild).

use crate::database::Result;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the journal file is looked for.
const POLL: Duration = Duration::from_micros(500);

/// A running probe.
pub struct JournalProbe {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<(Instant, Instant)>>,
}

impl JournalProbe {
    /// Watches the journal of the SQLite database `file`.
    pub fn start(file: PathBuf) -> JournalProbe {
        let journal = PathBuf::from(format!("{}-journal", file.display()));
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut spans = Vec::new();
            let mut open: Option<Instant> = None;
            while !stopping.load(Ordering::Relaxed) {
                let now = Instant::now();
                match (journal.exists(), open) {
                    (true, None) => open = Some(now),
                    (false, Some(start)) => {
                        spans.push((start, now));
                        open = None;
                    }
                    _ => {}
                }
                std::thread::sleep(POLL);
            }
            if let Some(start) = open {
                spans.push((start, Instant::now()));
            }
            spans
        });
        JournalProbe { stop, thread }
    }

    /// Stops the probe; returns each write transaction's span.
    pub fn finish(self) -> Result<Vec<(Instant, Instant)>> {
        self.stop.store(true, Ordering::Relaxed);
        Ok(self
            .thread
            .join()
            .map_err(|_| "the journal probe panicked")?)
    }
}
