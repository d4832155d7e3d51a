//! The markdown tables the benchmark prints.

use crate::child::Measured;
use crate::database::Backend;
use crate::run::{MigrationResult, OverheadResult};
use crate::work;
use std::fmt::Write as _;

/// Everything one run measured.
pub struct Report {
    /// The N loaded.
    pub rows: Vec<u64>,
    /// Each database with its version.
    pub versions: Vec<(Backend, String)>,
    /// Load time per database and N.
    pub loads: Vec<(Backend, u64, Measured)>,
    /// Migrations 5–10.
    pub migrations: Vec<MigrationResult>,
    /// The runner's overhead.
    pub overhead: Vec<OverheadResult>,
    /// How long the whole run took, in seconds.
    pub total_seconds: f64,
}

fn s(seconds: f64) -> String {
    format!("{seconds:.2} s")
}

fn ms(ms: f64) -> String {
    format!("{ms:.0} ms")
}

fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}", a / b)
}

fn mib(kib: u64) -> String {
    format!("{:.0}", kib as f64 / 1024.0)
}

fn n(rows: u64) -> String {
    match rows {
        r if r >= 1_000_000 && r % 1_000_000 == 0 => format!("{}M", r / 1_000_000),
        r if r >= 1_000 && r % 1_000 == 0 => format!("{}k", r / 1_000),
        r => r.to_string(),
    }
}

/// The time the comparisons use: a batched helper's own step, or the whole migration.
fn helper(m: &Measured) -> f64 {
    m.helper_seconds.unwrap_or(m.seconds)
}

impl Report {
    fn find(&self, backend: Backend, rows: u64, id: u64) -> Option<&MigrationResult> {
        self.migrations
            .iter()
            .find(|r| r.backend == backend && r.rows == rows && r.id == id)
    }

    /// The whole report, as markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        self.targets(&mut out);
        self.times(&mut out);
        self.locks(&mut out);
        self.scaling(&mut out);
        self.memory(&mut out);
        self.runner(&mut out);
        self.setup(&mut out);
        out
    }

    /// The targets, checked at N = 1M (or the largest N run).
    fn targets(&self, out: &mut String) {
        let at = if self.rows.contains(&1_000_000) {
            1_000_000
        } else {
            self.rows.iter().copied().max().unwrap_or(0)
        };
        let _ = writeln!(out, "### Targets at N = {}\n", n(at));
        out.push_str("| database | target | measured | holds |\n|---|---|---|---|\n");
        for (backend, _) in &self.versions {
            for (target, check) in self.checks(*backend, at) {
                let (measured, holds) = match check {
                    Some((measured, true)) => (measured, "yes"),
                    Some((measured, false)) => (measured, "**no**"),
                    None => ("—".to_owned(), "—"),
                };
                let _ = writeln!(
                    out,
                    "| {} | {target} | {measured} | {holds} |",
                    backend.label()
                );
            }
        }
        out.push('\n');
    }

    /// Each target with what was measured and whether it holds (`None`: not measured).
    fn checks(&self, backend: Backend, at: u64) -> Vec<(&'static str, Option<(String, bool)>)> {
        let ratio = |id: u64| {
            self.find(backend, at, id)
                .map(|r| helper(&r.ours) / r.limit.seconds)
        };
        let batched: Vec<&MigrationResult> = [9, 10]
            .iter()
            .filter_map(|id| self.find(backend, at, *id))
            .collect();
        let longest = batched
            .iter()
            .filter_map(|r| r.ours.longest_ms)
            .reduce(f64::max);
        let p99 = batched
            .iter()
            .filter_map(|r| r.ours.writer.map(|w| w.p99_ms))
            .reduce(f64::max);
        let scaling: Vec<f64> = work::MIGRATIONS
            .iter()
            .filter_map(|id| {
                let small = self.find(backend, at / 10, *id)?;
                let large = self.find(backend, at, *id)?;
                Some(helper(&large.ours) / helper(&small.ours))
            })
            .collect();
        let lowest = scaling.iter().copied().reduce(f64::min);
        let highest = scaling.iter().copied().reduce(f64::max);
        let peak = self
            .migrations
            .iter()
            .filter(|r| r.backend == backend)
            .map(|r| r.ours.peak_kib)
            .max();
        let overhead = self
            .overhead
            .iter()
            .find(|o| o.backend == backend)
            .map(|o| o.ours.seconds / o.diesel.seconds);
        vec![
            (
                "Rust row logic (9) within 2× of one UPDATE",
                ratio(9).map(|v| (format!("{v:.2}×"), v <= 2.0)),
            ),
            (
                "batched backfill (10) within 1.5× of one UPDATE",
                ratio(10).map(|v| (format!("{v:.2}×"), v <= 1.5)),
            ),
            (
                "no transaction longer than 250 ms (9, 10)",
                longest.map(|v| (ms(v), v <= 250.0)),
            ),
            (
                "concurrent writer's p99 under 50 ms (9, 10)",
                p99.map(|v| (format!("{v:.1} ms"), v < 50.0)),
            ),
            (
                "time at N / time at N/10 between 8 and 12 (5–10)",
                lowest
                    .zip(highest)
                    .map(|(lo, hi)| (format!("{lo:.1} to {hi:.1}"), lo >= 8.0 && hi <= 12.0)),
            ),
            (
                "peak memory under 100 MiB (every N run)",
                peak.map(|kib| (format!("{} MiB", mib(kib)), kib < 100 * 1024)),
            ),
            (
                "1000 trivial migrations no slower than diesel_migrations",
                overhead.map(|v| (format!("{v:.2}×"), v <= 1.0)),
            ),
        ]
    }

    fn times(&self, out: &mut String) {
        out.push_str("### Time per migration\n\n");
        out.push_str("| database | N | migration | ours: migration | ours: helper | naive | limit: one UPDATE | ours/naive | ours/limit |\n");
        out.push_str("|---|---|---|---|---|---|---|---|---|\n");
        for r in &self.migrations {
            let naive = r.naive.as_ref();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r.backend.label(),
                n(r.rows),
                r.id,
                s(r.ours.seconds),
                s(helper(&r.ours)),
                naive.map_or("—".into(), |m| s(m.seconds)),
                s(r.limit.seconds),
                naive.map_or("—".into(), |m| ratio(helper(&r.ours), m.seconds)),
                ratio(helper(&r.ours), r.limit.seconds),
            );
        }
        out.push('\n');
    }

    fn locks(&self, out: &mut String) {
        out.push_str("### Batched helpers: longest transaction and a concurrent writer\n\n");
        out.push_str("| database | N | migration | longest tx: ours | longest tx: one UPDATE | writer p50 / p99: ours | writer p50 / p99: one UPDATE | writes (errors): ours / one UPDATE |\n");
        out.push_str("|---|---|---|---|---|---|---|---|\n");
        let writer = |m: &Measured| {
            m.writer.map_or("—".into(), |w| {
                format!("{:.1} / {:.1} ms", w.p50_ms, w.p99_ms)
            })
        };
        let writes = |m: &Measured| {
            m.writer
                .map_or("—".into(), |w| format!("{} ({})", w.writes, w.errors))
        };
        for r in self.migrations.iter().filter(|r| work::is_batched(r.id)) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} / {} |",
                r.backend.label(),
                n(r.rows),
                r.id,
                r.ours.longest_ms.map_or("—".into(), ms),
                r.limit.longest_ms.map_or("—".into(), ms),
                writer(&r.ours),
                writer(&r.limit),
                writes(&r.ours),
                writes(&r.limit),
            );
        }
        out.push('\n');
    }

    /// Pairs of N where one is ten times the other.
    fn tenfold(&self) -> Vec<(u64, u64)> {
        let mut pairs = Vec::new();
        for &small in &self.rows {
            if self.rows.contains(&(small * 10)) {
                pairs.push((small, small * 10));
            }
        }
        pairs
    }

    fn scaling(&self, out: &mut String) {
        let pairs = self.tenfold();
        if pairs.is_empty() {
            return;
        }
        out.push_str("### Scaling: ours (helper time) at 10×N / at N\n\n| database | migration |");
        for (small, large) in &pairs {
            let _ = write!(out, " {} / {} |", n(*large), n(*small));
        }
        out.push_str("\n|---|---|");
        out.push_str(&"---|".repeat(pairs.len()));
        out.push('\n');
        for (backend, _) in &self.versions {
            for id in work::MIGRATIONS {
                let _ = write!(out, "| {} | {id} |", backend.label());
                for (small, large) in &pairs {
                    let cell = match (
                        self.find(*backend, *small, id),
                        self.find(*backend, *large, id),
                    ) {
                        (Some(a), Some(b)) => ratio(helper(&b.ours), helper(&a.ours)),
                        _ => "—".into(),
                    };
                    let _ = write!(out, " {cell} |");
                }
                out.push('\n');
            }
        }
        out.push('\n');
    }

    fn memory(&self, out: &mut String) {
        out.push_str(
            "### Peak memory of the migrating process (VmHWM, MiB)\n\n| database | migration |",
        );
        for rows in &self.rows {
            let _ = write!(out, " ours N={} |", n(*rows));
        }
        for rows in &self.rows {
            let _ = write!(out, " naive N={} |", n(*rows));
        }
        out.push_str("\n|---|---|");
        out.push_str(&"---|".repeat(self.rows.len() * 2));
        out.push('\n');
        for (backend, _) in &self.versions {
            for id in work::MIGRATIONS {
                let _ = write!(out, "| {} | {id} |", backend.label());
                for rows in &self.rows {
                    let cell = self
                        .find(*backend, *rows, id)
                        .map_or("—".into(), |r| mib(r.ours.peak_kib));
                    let _ = write!(out, " {cell} |");
                }
                for rows in &self.rows {
                    let cell = self
                        .find(*backend, *rows, id)
                        .and_then(|r| r.naive.as_ref())
                        .map_or("—".into(), |m| mib(m.peak_kib));
                    let _ = write!(out, " {cell} |");
                }
                out.push('\n');
            }
        }
        out.push('\n');
    }

    fn runner(&self, out: &mut String) {
        out.push_str("### Runner overhead: 1000 trivial migrations\n\n");
        out.push_str("| database | ours | diesel_migrations | ours/diesel | peak MiB: ours / diesel |\n|---|---|---|---|---|\n");
        for o in &self.overhead {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} / {} |",
                o.backend.label(),
                s(o.ours.seconds),
                s(o.diesel.seconds),
                ratio(o.ours.seconds, o.diesel.seconds),
                mib(o.ours.peak_kib),
                mib(o.diesel.peak_kib),
            );
        }
        out.push('\n');
    }

    fn setup(&self, out: &mut String) {
        out.push_str("### Setup\n\n| database | version | N | load time |\n|---|---|---|---|\n");
        for (backend, rows, load) in &self.loads {
            let version = self
                .versions
                .iter()
                .find(|(b, _)| b == backend)
                .map_or("", |(_, v)| v.as_str());
            let _ = writeln!(
                out,
                "| {} | {version} | {} | {} |",
                backend.label(),
                n(*rows),
                s(load.seconds)
            );
        }
        let _ = writeln!(out, "\nWhole run: {:.1} min.", self.total_seconds / 60.0);
    }
}
