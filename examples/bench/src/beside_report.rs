//! The markdown tables of `--beside-app`.

use crate::app::{OpKind, OpStats};
use crate::beside::{Form, LockQueue, Measured, MigrationRun, Snapshot, Stage, Way};
use crate::database::Backend;
use std::fmt::Write as _;

/// The longest wait the targets allow an application operation (PostgreSQL, MariaDB), ms.
const MAX_WAIT_MS: f64 = 250.0;
/// The p99 the targets allow, ms.
const P99_MS: f64 = 50.0;
/// How much longer than the transactional form the online one may take.
const MAX_RATIO: f64 = 1.5;
/// How much higher than the application's alone the p99 of its writes may be during a run.
const MAX_P99_RATIO: f64 = 1.5;
/// Slack on the lock-queue target: a query that joined the queue just after the runner's
/// statement is served a few milliseconds after that statement gives up.
const QUEUE_SLACK_MS: f64 = 10.0;

/// Everything `--beside-app` measured.
pub struct BesideReport {
    /// Per database and N.
    pub measured: Vec<(Backend, u64, Measured)>,
    /// The runner's lock timeout, ms.
    pub lock_timeout_ms: u64,
    /// Each database with its version.
    pub versions: Vec<(Backend, String)>,
    /// How long the whole run took, in seconds.
    pub total_seconds: f64,
    /// The machine's load average (1 min) when the run started and when it ended.
    pub load: (String, String),
}

fn n(rows: u64) -> String {
    match rows {
        r if r >= 1_000_000 && r % 1_000_000 == 0 => format!("{}M", r / 1_000_000),
        r if r >= 1_000 && r % 1_000 == 0 => format!("{}k", r / 1_000),
        r => r.to_string(),
    }
}

fn waits(s: &OpStats) -> String {
    if s.due == 0 {
        return "—".into();
    }
    format!("{:.0} / {:.1} / {:.1}", s.max_ms, s.p99_ms, s.p50_ms)
}

fn holds(ok: bool) -> &'static str {
    if ok { "yes" } else { "**no**" }
}

fn outcome(o: &Result<f64, String>) -> String {
    match o {
        Ok(s) => format!("{s:.2} s"),
        Err(e) => format!(
            "**failed**: {}",
            e.lines().next().unwrap_or("").replace('|', "\\|")
        ),
    }
}

impl BesideReport {
    fn runs(&self) -> impl Iterator<Item = &MigrationRun> {
        self.measured.iter().flat_map(|(_, _, m)| &m.runs)
    }

    fn run(&self, backend: Backend, rows: u64, form: Form, way: Way) -> Option<&MigrationRun> {
        self.runs()
            .find(|r| r.backend == backend && r.rows == rows && r.form == form && r.way == way)
    }

    fn snapshot(&self, backend: Backend, rows: u64, form: Form, stage: Stage) -> Option<&Snapshot> {
        self.measured
            .iter()
            .flat_map(|(_, _, m)| &m.snapshots)
            .find(|s| s.backend == backend && s.rows == rows && s.form == form && s.stage == stage)
    }

    /// The whole report, as markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        self.live_headlines(&mut out);
        self.targets(&mut out);
        self.alone(&mut out);
        self.app(&mut out);
        self.live_writes(&mut out);
        self.write_rates(&mut out);
        self.ratios(&mut out);
        self.sqlite(&mut out);
        self.queue(&mut out);
        self.values(&mut out);
        self.setup(&mut out);
        out
    }

    /// The targets at N = 1M (or the largest N below 10M that ran), and the 10M check.
    fn targets(&self, out: &mut String) {
        let sizes: Vec<u64> = self.measured.iter().map(|(_, r, _)| *r).collect();
        let at = if sizes.contains(&1_000_000) {
            1_000_000
        } else {
            sizes
                .iter()
                .copied()
                .filter(|&r| r < 10_000_000)
                .max()
                .unwrap_or(0)
        };
        let _ = writeln!(out, "### Targets beside the application at N = {}\n", n(at));
        let _ = writeln!(
            out,
            "| database | target | measured | holds |\n|---|---|---|---|"
        );
        let mut row = |db: Backend, target: String, measured: String, ok: Option<bool>| {
            let _ = writeln!(
                out,
                "| {} | {target} | {measured} | {} |",
                db.label(),
                ok.map_or("—", holds)
            );
        };
        for (backend, rows, m) in &self.measured {
            let (backend, rows) = (*backend, *rows);
            if rows != at && rows != 10_000_000 {
                continue;
            }
            let online: Vec<&MigrationRun> =
                m.runs.iter().filter(|r| r.form == Form::Online).collect();
            let all_ok = online.len() == 2 && online.iter().all(|r| r.outcome.is_ok());
            let max = online
                .iter()
                .flat_map(|r| &r.ops)
                .map(|(_, s)| s.max_ms)
                .fold(0.0, f64::max);
            let p99 = online
                .iter()
                .flat_map(|r| &r.ops)
                .map(|(_, s)| s.p99_ms)
                .fold(0.0, f64::max);
            let size = if rows == at {
                String::new()
            } else {
                format!(" at {}", n(rows))
            };
            if backend == Backend::Sqlite {
                row(
                    backend,
                    format!("online up and down succeed beside a writer{size}"),
                    if all_ok {
                        "both succeeded".into()
                    } else {
                        "failed".into()
                    },
                    Some(all_ok),
                );
                let wait = online
                    .iter()
                    .flat_map(|r| &r.ops)
                    .filter(|(k, _)| *k != OpKind::ReadUsers)
                    .map(|(_, s)| s.max_ms)
                    .fold(0.0, f64::max);
                let rebuild = online
                    .iter()
                    .filter_map(|r| r.longest_tx)
                    .map(|(ms, _)| ms)
                    .fold(0.0, f64::max);
                row(
                    backend,
                    format!(
                        "no write waits longer than the longest transaction (the rebuild){size}"
                    ),
                    format!("{wait:.0} ms against {rebuild:.0} ms"),
                    all_ok.then_some(wait <= rebuild),
                );
            } else {
                row(
                    backend,
                    format!("no app operation waits more than 250 ms (online up and down){size}"),
                    format!("{max:.0} ms"),
                    all_ok.then_some(max <= MAX_WAIT_MS),
                );
                row(
                    backend,
                    format!("app p99 under 50 ms (online, each kind){size}"),
                    format!("{p99:.1} ms"),
                    all_ok.then_some(p99 < P99_MS),
                );
            }
            let live: Vec<&MigrationRun> = online
                .iter()
                .copied()
                .filter(|r| r.live.is_some())
                .collect();
            if !live.is_empty() {
                let (lost, failed, made) = live
                    .iter()
                    .filter_map(|r| r.live.as_ref())
                    .fold((0, 0, 0), |(l, f, m), o| {
                        (l + o.lost(), f + o.failed(), m + o.made())
                    });
                let untouched: u64 = live
                    .iter()
                    .filter_map(|r| r.live.as_ref())
                    .map(|o| o.untouched_wrong)
                    .sum();
                row(
                    backend,
                    format!("every write of the live application kept (online up and down){size}"),
                    format!(
                        "{lost} lost, {failed} failed of {made}{}",
                        if untouched > 0 {
                            format!("; {untouched} untouched values wrong")
                        } else {
                            String::new()
                        }
                    ),
                    Some(lost + failed + untouched == 0),
                );
            }
            for r in &live {
                if r.writes_alone.due == 0 || r.outcome.is_err() {
                    continue;
                }
                let ratio = r.writes.p99_ms / r.writes_alone.p99_ms.max(0.001);
                row(
                    backend,
                    format!(
                        "app write p99 during online {} within 1.5× of the app alone{size}",
                        r.way.label()
                    ),
                    format!(
                        "{:.1} / {:.1} ms = {ratio:.2}×; {:.0} / {:.0} writes/s",
                        r.writes.p99_ms,
                        r.writes_alone.p99_ms,
                        r.writes.per_second,
                        r.writes_alone.per_second
                    ),
                    Some(ratio <= MAX_P99_RATIO),
                );
            }
            for way in [Way::Up, Way::Down] {
                let (Some(o), Some(t)) = (
                    self.run(backend, rows, Form::Online, way),
                    self.run(backend, rows, Form::Transactional, way),
                ) else {
                    continue;
                };
                if let (Ok(o), Ok(t)) = (&o.outcome, &t.outcome) {
                    row(
                        backend,
                        format!("online {} within 1.5× of transactional{size}", way.label()),
                        format!("{:.2}×", o / t),
                        Some(o / t <= MAX_RATIO),
                    );
                }
            }
            if let Some(q) = &m.lock_queue {
                let ok = q.outcome.is_ok();
                row(
                    backend,
                    format!(
                        "a 5 s app lock on users: no other query on users waits longer than the lock timeout ({} ms)",
                        self.lock_timeout_ms
                    ),
                    format!(
                        "{:.0} ms ({:.0} ms from when due)",
                        q.users.max_own_ms, q.users.max_ms
                    ),
                    ok.then_some(
                        q.users.max_own_ms <= self.lock_timeout_ms as f64 + QUEUE_SLACK_MS,
                    ),
                );
            }
            for (stage, what) in [
                (Stage::AfterUp, "after up"),
                (Stage::AfterDown, "after down --to 4"),
            ] {
                if let Some(same) = self.same(backend, rows, stage) {
                    row(
                        backend,
                        format!("values {what}: online = transactional{size}"),
                        if same {
                            "identical".into()
                        } else {
                            "differ".into()
                        },
                        Some(same),
                    );
                }
            }
        }
        out.push('\n');
    }

    /// Whether the two forms' hashes agree at `stage` (None when one is missing).
    fn same(&self, backend: Backend, rows: u64, stage: Stage) -> Option<bool> {
        let o = self.snapshot(backend, rows, Form::Online, stage)?;
        let t = self.snapshot(backend, rows, Form::Transactional, stage)?;
        Some(o.hashes == t.hashes)
    }

    fn app(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "### The application beside the migrations\n\n\
             Waits in ms from when each operation was due: max / p99 / p50. Operations done are those due during the run that finished before it ended.\n"
        );
        let _ = writeln!(
            out,
            "| database | N | form | run | time | app ops done / due | read users | update users | update orders | live writes | errors | lock retries |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
        );
        for r in self.runs() {
            let get = |k: OpKind| {
                r.ops
                    .iter()
                    .find(|(kind, _)| *kind == k)
                    .map(|(_, s)| *s)
                    .unwrap_or_default()
            };
            let (done, due, errors) = r.ops.iter().fold((0, 0, 0), |(d, u, e), (_, s)| {
                (d + s.done, u + s.due, e + s.errors)
            });
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {done} / {due} | {} | {} | {} | {} | {errors} | {} |",
                r.backend.label(),
                n(r.rows),
                r.form.label(),
                r.way.label(),
                outcome(&r.outcome),
                waits(&get(OpKind::ReadUsers)),
                waits(&get(OpKind::UpdateUsers)),
                waits(&get(OpKind::UpdateOrders)),
                waits(&get(OpKind::LiveWrite)),
                r.lock_retries
            );
        }
        out.push('\n');
        let _ = writeln!(
            out,
            "#### Each migration's time\n\n| database | N | form | run | migrations (s) |\n|---|---|---|---|---|"
        );
        for r in self.runs() {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                r.backend.label(),
                n(r.rows),
                r.form.label(),
                r.way.label(),
                r.migrations
                    .iter()
                    .map(|(id, s)| format!("{id}: {s:.2}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        out.push('\n');
    }

    /// The application with nothing else running: the second before the first run.
    fn alone(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "### The application alone\n\n\
             Its operations due while it ran alone before the first run (`--app-alone`, 1 s by default; nothing else running): waits in ms from when each was due, max / p99 / p50.\n\n\
             | database | N | app ops done / due | read users | update users | update orders | live writes |\n|---|---|---|---|---|---|---|"
        );
        for (backend, rows, m) in &self.measured {
            let Some(first) = m.runs.first() else {
                continue;
            };
            let get = |k: OpKind| {
                first
                    .idle
                    .iter()
                    .find(|(kind, _)| *kind == k)
                    .map(|(_, s)| *s)
                    .unwrap_or_default()
            };
            let (done, due) = first
                .idle
                .iter()
                .fold((0, 0), |(d, u), (_, s)| (d + s.done, u + s.due));
            let _ = writeln!(
                out,
                "| {} | {} | {done} / {due} | {} | {} | {} | {} |",
                backend.label(),
                n(*rows),
                waits(&get(OpKind::ReadUsers)),
                waits(&get(OpKind::UpdateUsers)),
                waits(&get(OpKind::UpdateOrders)),
                waits(&get(OpKind::LiveWrite))
            );
        }
        out.push('\n');
    }

    /// The live application's writes, totalled: (lost, failed, values wrong in untouched rows).
    pub fn live_alarms(&self) -> (u64, u64, u64) {
        self.runs()
            .filter_map(|r| r.live.as_ref())
            .fold((0, 0, 0), |(l, f, u), o| {
                (l + o.lost(), f + o.failed(), u + o.untouched_wrong)
            })
    }

    /// First of all, one line per database and N on the live application's writes: a lost or
    /// failed one must not be missed.
    fn live_headlines(&self, out: &mut String) {
        let mut any = false;
        for (backend, rows, m) in &self.measured {
            let checked: Vec<&MigrationRun> = m.runs.iter().filter(|r| r.live.is_some()).collect();
            if checked.is_empty() {
                continue;
            }
            any = true;
            let alarming: Vec<String> = checked
                .iter()
                .filter_map(|r| {
                    let o = r.live.as_ref()?;
                    o.alarming()
                        .then(|| format!("{} {}: {}", r.form.label(), r.way.label(), o.headline()))
                })
                .collect();
            let (made, committed) = checked
                .iter()
                .filter_map(|r| r.live.as_ref())
                .fold((0, 0), |(m, c), o| (m + o.made(), c + o.committed()));
            // A run that failed did not finish the work its checks assume (see live_check).
            let failed: Vec<String> = checked
                .iter()
                .filter_map(|r| {
                    let e = r.outcome.as_ref().err()?;
                    let first = e.lines().next().unwrap_or("");
                    Some(format!("{} {} ({first})", r.form.label(), r.way.label()))
                })
                .collect();
            let failed = if failed.is_empty() {
                String::new()
            } else {
                format!(" The run itself failed: {}.", failed.join("; "))
            };
            if alarming.is_empty() {
                let _ = writeln!(
                    out,
                    "{} N={}: every one of the live application's {committed} committed writes kept (0 lost, 0 failed of {made} made).{failed}\n",
                    backend.label(),
                    n(*rows)
                );
            } else {
                let _ = writeln!(
                    out,
                    "**{} N={}: WRITES LOST OR FAILED — {}.**{failed}\n",
                    backend.label(),
                    n(*rows),
                    alarming.join("; ")
                );
            }
        }
        if any {
            out.push('\n');
        }
    }

    /// The live application's writes per run and kind, checked after the run.
    fn live_writes(&self, out: &mut String) {
        let runs: Vec<&MigrationRun> = self.runs().filter(|r| r.live.is_some()).collect();
        if runs.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "### The live application's writes, checked after each run\n\n\
             Made: sent from when it started (1.3 s before the run) to the end of the run. Kept: committed and what the row holds after the run (a write overwritten by a later one of the application counts as kept when that one is). LOST: committed, and the row ends with a stale or wrong value, or is missing, or is still there after its delete. FAILED: an error other than the schema changing under it. Sent again: after the schema changed under it (a dropped column written, a new NOT NULL column not written), in the new shape. Unfilled: values a migration that did not finish left NULL.\n\n\
             | database | N | form | run | kind | made | committed | kept | LOST | FAILED | sent again |\n|---|---|---|---|---|---|---|---|---|---|---|"
        );
        for r in &runs {
            let Some(o) = &r.live else { continue };
            let prefix = format!(
                "| {} | {} | {} | {} |",
                r.backend.label(),
                n(r.rows),
                r.form.label(),
                r.way.label()
            );
            let bold = |v: u64| {
                if v > 0 {
                    format!("**{v}**")
                } else {
                    "0".into()
                }
            };
            for (kind, c) in &o.kinds {
                let _ = writeln!(
                    out,
                    "{prefix} {} | {} | {} | {} | {} | {} | {} |",
                    kind.label(),
                    c.made,
                    c.committed,
                    c.committed - c.lost,
                    bold(c.lost),
                    bold(c.failed),
                    c.retried
                );
            }
            let _ = writeln!(
                out,
                "{prefix} all | {} | {} | {} | {} | {} | {} |",
                o.made(),
                o.committed(),
                o.committed() - o.lost(),
                bold(o.lost()),
                bold(o.failed()),
                o.retried()
            );
        }
        out.push('\n');
        let _ = writeln!(
            out,
            "| database | N | form | run | rows checked | values wrong in rows the application never wrote | unfilled | writes that straddled a column becoming NOT NULL | first wrong values / errors |\n|---|---|---|---|---|---|---|---|---|"
        );
        for r in &runs {
            let Some(o) = &r.live else { continue };
            let shown: Vec<String> = o
                .examples
                .iter()
                .take(2)
                .chain(o.errors.iter().take(2))
                .map(|e| e.replace('|', "\\|"))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r.backend.label(),
                n(r.rows),
                r.form.label(),
                r.way.label(),
                o.rows_checked,
                if o.untouched_wrong > 0 {
                    format!("**{}**", o.untouched_wrong)
                } else {
                    "0".into()
                },
                o.unfilled,
                o.straddled,
                if shown.is_empty() {
                    "—".into()
                } else {
                    shown.join("; ")
                }
            );
        }
        out.push('\n');
    }

    /// The application's writes (its updates and the live writes, together) during each run
    /// against the same application alone just before it: p99 and throughput.
    fn write_rates(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "### The application's writes during each run against the application alone\n\n\
             All its writes together (the updates of users and orders and, where it runs, the live application's), waits from when each was due. Alone: the `--app-alone` window just before the run, on the same copy. Writes/s: those done in the window per second.\n\n\
             | database | N | form | run | writes/s alone | writes/s during | p99 alone | p99 during | p99 during / alone | longest during |\n|---|---|---|---|---|---|---|---|---|---|"
        );
        for r in self.runs() {
            let (a, d) = (&r.writes_alone, &r.writes);
            let ratio = if a.due > 0 && a.p99_ms > 0.0 {
                let x = d.p99_ms / a.p99_ms;
                if x > MAX_P99_RATIO {
                    format!("**{x:.2}×**")
                } else {
                    format!("{x:.2}×")
                }
            } else {
                "—".into()
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {:.0} | {:.0} | {:.1} ms | {:.1} ms | {ratio} | {:.0} ms |",
                r.backend.label(),
                n(r.rows),
                r.form.label(),
                r.way.label(),
                a.per_second,
                d.per_second,
                a.p99_ms,
                d.p99_ms,
                d.max_ms
            );
        }
        out.push('\n');
    }

    fn ratios(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "### Online against transactional\n\n| database | N | run | online | transactional | online / transactional |\n|---|---|---|---|---|---|"
        );
        for (backend, rows, _) in &self.measured {
            for way in [Way::Up, Way::Down] {
                let o = self.run(*backend, *rows, Form::Online, way);
                let t = self.run(*backend, *rows, Form::Transactional, way);
                let ratio = match (o.map(|r| &r.outcome), t.map(|r| &r.outcome)) {
                    (Some(Ok(o)), Some(Ok(t))) => format!("{:.2}×", o / t),
                    _ => "—".into(),
                };
                let show =
                    |r: Option<&MigrationRun>| r.map_or("—".into(), |r| outcome(&r.outcome));
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {ratio} |",
                    backend.label(),
                    n(*rows),
                    way.label(),
                    show(o),
                    show(t)
                );
            }
        }
        out.push('\n');
    }

    fn sqlite(&self, out: &mut String) {
        let runs: Vec<&MigrationRun> = self.runs().filter(|r| r.longest_tx.is_some()).collect();
        if runs.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "### SQLite beside a writer\n\n\
             The longest write transaction is the longest time `<file>-journal` existed during the run (polled every 0.5 ms), with the migration it began in.\n\n\
             | N | form | run | result | longest app write wait | longest read wait | longest write transaction | in migration |\n|---|---|---|---|---|---|---|---|"
        );
        for r in runs {
            let wait = |write: bool| {
                r.ops
                    .iter()
                    .filter(|(k, _)| (*k != OpKind::ReadUsers) == write)
                    .map(|(_, s)| s.max_ms)
                    .fold(0.0, f64::max)
            };
            let (tx, at) = r.longest_tx.unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {:.0} ms | {:.0} ms | {tx:.0} ms | {} |",
                n(r.rows),
                r.form.label(),
                r.way.label(),
                if r.outcome.is_ok() {
                    "succeeded".to_owned()
                } else {
                    outcome(&r.outcome)
                },
                wait(true),
                wait(false),
                at.map_or("—".into(), |id| id.to_string())
            );
        }
        out.push('\n');
    }

    fn queue(&self, out: &mut String) {
        let queues: Vec<&LockQueue> = self
            .measured
            .iter()
            .filter_map(|(_, _, m)| m.lock_queue.as_ref())
            .collect();
        if queues.is_empty() {
            return;
        }
        let _ = writeln!(
            out,
            "### Lock queue: an application transaction holds a row of `users` for 5 s while `up --to 5` (online) starts\n\n\
             Waits (max / p99 / p50, ms, from when each was due) of the application's other operations due while the transaction held its lock, and the longest time one query on `users` took from when it was sent (the queue's own wait, without the delay passed on by the late ones before it).\n\n\
             | database | N | lock timeout | held | other queries on users | longest query on users | updates of orders | `up --to 5` | lock retries |\n|---|---|---|---|---|---|---|---|---|"
        );
        for q in queues {
            let _ = writeln!(
                out,
                "| {} | {} | {} ms | {:.0} ms | {} | {:.0} ms | {} | {} | {} |",
                q.backend.label(),
                n(q.rows),
                self.lock_timeout_ms,
                q.held_ms,
                waits(&q.users),
                q.users.max_own_ms,
                waits(&q.orders),
                outcome(&q.outcome),
                q.lock_retries
            );
        }
        out.push('\n');
    }

    fn values(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "### Values: online against transactional\n\n\
             One hash per table over every column but `orders.total_cents` (the application's), rows ordered by id.\n\n\
             | database | N | table | before up | after up | after down --to 4 | after down = before up |\n|---|---|---|---|---|---|---|"
        );
        for (backend, rows, m) in &self.measured {
            let tables: Vec<&'static str> = m
                .snapshots
                .first()
                .map(|s| s.hashes.iter().map(|(t, _)| *t).collect())
                .unwrap_or_default();
            for table in tables {
                let hash = |form, stage| {
                    self.snapshot(*backend, *rows, form, stage).and_then(|s| {
                        s.hashes
                            .iter()
                            .find(|(t, _)| *t == table)
                            .map(|(_, h)| h.clone())
                    })
                };
                let cmp =
                    |stage| match (hash(Form::Online, stage), hash(Form::Transactional, stage)) {
                        (Some(o), Some(t)) if o == t => "match".to_owned(),
                        (Some(_), Some(_)) => "**mismatch**".to_owned(),
                        _ => "—".to_owned(),
                    };
                let round = |form| match (hash(form, Stage::Before), hash(form, Stage::AfterDown)) {
                    (Some(b), Some(a)) if a == b => "yes",
                    (Some(_), Some(_)) => "**no**",
                    _ => "—",
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {table} | {} | {} | {} | online {}, transactional {} |",
                    backend.label(),
                    n(*rows),
                    cmp(Stage::Before),
                    cmp(Stage::AfterUp),
                    cmp(Stage::AfterDown),
                    round(Form::Online),
                    round(Form::Transactional)
                );
            }
        }
        out.push('\n');
    }

    fn setup(&self, out: &mut String) {
        let _ = writeln!(out, "### Setup\n\n| database | version |\n|---|---|");
        for (backend, version) in &self.versions {
            let _ = writeln!(out, "| {} | {version} |", backend.label());
        }
        let _ = writeln!(
            out,
            "\nRunner lock timeout (`--ddl-lock-timeout`): {} ms. Load average (1 min) {} at the start, {} at the end. Whole run: {:.1} min.",
            self.lock_timeout_ms,
            self.load.0,
            self.load.1,
            self.total_seconds / 60.0
        );
    }
}

/// The 1-minute load average (`/proc/loadavg`), or `?`.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}
