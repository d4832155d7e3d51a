//! Each measured phase runs in a child process (this binary again, `phase` subcommand), so that
//! its peak memory is its own. The child prints one `RESULT key=value ...` line.

use crate::database::Result;
use crate::writer::WriterStats;
use std::process::{Command, Stdio};

/// What one phase measured.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    /// Wall time of the phase's work.
    pub seconds: f64,
    /// For a migration run through the framework: the time of its batched helper step.
    pub helper_seconds: Option<f64>,
    /// The longest single transaction of the work, in milliseconds.
    pub longest_ms: Option<f64>,
    /// The concurrent writer's latencies while the work ran.
    pub writer: Option<WriterStats>,
    /// Peak resident memory of the process (VmHWM), in KiB.
    pub peak_kib: u64,
}

impl Measured {
    /// The `RESULT` line a child prints.
    pub fn to_line(&self) -> String {
        let opt = |v: Option<f64>| v.map_or("-".to_owned(), |v| v.to_string());
        let w = self.writer.as_ref();
        format!(
            "RESULT seconds={} helper={} longest_ms={} p50_ms={} p99_ms={} writes={} errors={} peak_kib={}",
            self.seconds,
            opt(self.helper_seconds),
            opt(self.longest_ms),
            opt(w.map(|w| w.p50_ms)),
            opt(w.map(|w| w.p99_ms)),
            opt(w.map(|w| w.writes as f64)),
            opt(w.map(|w| w.errors as f64)),
            self.peak_kib
        )
    }

    /// Reads a `RESULT` line back.
    pub fn parse(line: &str) -> Result<Measured> {
        let mut fields = std::collections::HashMap::new();
        for pair in line.trim().trim_start_matches("RESULT").split_whitespace() {
            let (key, value) = pair.split_once('=').ok_or("malformed RESULT line")?;
            let value: Option<f64> = if value == "-" {
                None
            } else {
                Some(value.parse()?)
            };
            fields.insert(key.to_owned(), value);
        }
        let get = |key: &str| fields.get(key).copied().flatten();
        let writer = match (get("p50_ms"), get("p99_ms"), get("writes"), get("errors")) {
            (Some(p50_ms), Some(p99_ms), Some(writes), Some(errors)) => Some(WriterStats {
                p50_ms,
                p99_ms,
                writes: writes as u64,
                errors: errors as u64,
            }),
            _ => None,
        };
        Ok(Measured {
            seconds: get("seconds").ok_or("RESULT line without seconds")?,
            helper_seconds: get("helper"),
            longest_ms: get("longest_ms"),
            writer,
            peak_kib: get("peak_kib").unwrap_or(0.0) as u64,
        })
    }
}

/// Runs `migrate-bench phase <args>` and returns what it measured.
pub fn run(args: &[String]) -> Result<Measured> {
    let output = Command::new(std::env::current_exe()?)
        .arg("phase")
        .args(args)
        .stderr(Stdio::inherit())
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("phase {args:?} failed ({}): {stdout}", output.status).into());
    }
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("RESULT "))
        .ok_or_else(|| format!("phase {args:?} printed no RESULT line: {stdout}"))?;
    Measured::parse(line)
}

/// This process's peak resident memory so far, in KiB (`VmHWM` in /proc/self/status).
pub fn peak_kib() -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or("no VmHWM in /proc/self/status")?;
    let kib = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?;
    Ok(kib)
}
