//! A concurrent writer: a second connection, in a thread, updating random rows of the table a
//! migration fills, one autocommitted `UPDATE` at a time.
//!
//! The writes follow a fixed timetable, one every [`PERIOD`], and each one's latency runs from
//! its scheduled time: a write blocked for a second delays the ones due after it, and they count
//! that delay, as an application's queued requests would (a loop that just waits would record
//! one slow write where an application would see a hundred).

use crate::database::Result;
use migrate_core::AnyConnection;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// 100 writes a second: a steady application load that this machine's servers serve with room
/// to spare when nothing blocks them (each autocommitted write waits for its log flush; at 500 a
/// second PostgreSQL's flushes fall behind while a migration writes, and the queue grows).
const PERIOD: Duration = Duration::from_millis(10);

/// One write: when it was due and how long after that it finished.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    started: Instant,
    latency: Duration,
    ok: bool,
}

/// The writer's latencies over a window.
#[derive(Debug, Clone, Copy)]
pub struct WriterStats {
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Writes due in the window.
    pub writes: u64,
    /// Writes that failed (lock wait timeout, deadlock), counted with their time to fail.
    pub errors: u64,
}

/// A running writer.
pub struct Writer {
    /// When set, the writer issues the writes due until then, and stops.
    stop: Arc<Mutex<Option<Instant>>>,
    thread: JoinHandle<std::result::Result<Vec<Sample>, String>>,
}

impl Writer {
    /// Starts writing to `table` (rows 1..=`rows`) of the database at `url`.
    pub fn start(url: &str, table: &'static str, rows: u64) -> Result<Writer> {
        let mut conn = AnyConnection::establish(&url.parse()?)?;
        let column = match table {
            "orders" => "total_cents",
            _ => "age",
        };
        let stop = Arc::new(Mutex::new(None));
        let stop_at = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut samples = Vec::new();
            let mut random: u64 = 0x9E37_79B9_7F4A_7C15;
            let mut due = Instant::now();
            let done = |due: Instant| match *stop_at.lock().map_err(|_| "poisoned")? {
                Some(end) => Ok::<bool, String>(due > end),
                None => Ok(false),
            };
            while !done(due)? {
                // xorshift64: any spread of ids will do.
                random ^= random << 13;
                random ^= random >> 7;
                random ^= random << 17;
                let id = 1 + random % rows.max(1);
                let sql = format!("UPDATE {table} SET {column} = {column} + 1 WHERE id = {id}");
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
                let ok = conn.execute(&sql).is_ok();
                samples.push(Sample {
                    started: due,
                    latency: due.elapsed(),
                    ok,
                });
                due += PERIOD;
            }
            Ok(samples)
        });
        // Let it connect and warm up before the measured work starts.
        std::thread::sleep(Duration::from_millis(200));
        Ok(Writer { stop, thread })
    }

    /// Stops the writer once it has issued the writes due until now, and returns its samples.
    pub fn finish(self) -> Result<Vec<Sample>> {
        *self
            .stop
            .lock()
            .map_err(|_| "the writer's lock is poisoned")? = Some(Instant::now());
        let samples = self
            .thread
            .join()
            .map_err(|_| "the writer thread panicked")??;
        Ok(samples)
    }
}

/// The latencies of the writes due between `from` and `to`.
pub fn stats(samples: &[Sample], from: Instant, to: Instant) -> Option<WriterStats> {
    let window: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.started >= from && s.started <= to)
        .collect();
    let mut latencies: Vec<f64> = window
        .iter()
        .map(|s| s.latency.as_secs_f64() * 1000.0)
        .collect();
    if latencies.is_empty() {
        return None;
    }
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    Some(WriterStats {
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        writes: latencies.len() as u64,
        errors: window.iter().filter(|s| !s.ok).count() as u64,
    })
}
