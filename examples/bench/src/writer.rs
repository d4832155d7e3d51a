//! A concurrent writer: a second connection, in a thread, updating random rows of the table a
//! migration fills, one autocommitted `UPDATE` at a time, on the [`timetable`](crate::timetable).

use crate::database::Result;
use crate::timetable::{RandomIds, Sample, Timetable};
use migrate_core::AnyConnection;
use std::time::{Duration, Instant};

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
    timetable: Timetable,
}

impl Writer {
    /// Starts writing to `table` (rows 1..=`rows`) of the database at `url`.
    pub fn start(url: &str, table: &'static str, rows: u64) -> Result<Writer> {
        let mut conn = AnyConnection::establish(&url.parse()?)?;
        let column = match table {
            "orders" => "total_cents",
            _ => "age",
        };
        let mut ids = RandomIds::new(0x9E37_79B9_7F4A_7C15, 1, rows.max(1));
        let timetable = Timetable::start(Instant::now(), move || {
            let id = ids.next_id();
            let sql = format!("UPDATE {table} SET {column} = {column} + 1 WHERE id = {id}");
            conn.execute(&sql).is_ok()
        });
        // Let it connect and warm up before the measured work starts.
        std::thread::sleep(Duration::from_millis(200));
        Ok(Writer { timetable })
    }

    /// Stops the writer once it has issued the writes due until now, and returns its samples.
    pub fn finish(self) -> Result<Vec<Sample>> {
        self.timetable.stop_now()?;
        self.timetable.join()
    }
}

/// The latencies of the writes due between `from` and `to`.
pub fn stats(samples: &[Sample], from: Instant, to: Instant) -> Option<WriterStats> {
    let window: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.due >= from && s.due <= to)
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
