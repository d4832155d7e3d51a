//! The migrations beside a running application (`--beside-app`): for each database and N, the
//! shop's migrations 5–10 `up` and then `down --to 4`, in two forms, each on a fresh copy of the
//! same data, with the [`app`](crate::app) running on the copy throughout; then the lock-queue
//! test; and the values each form leaves, compared.

use crate::app::{App, OpKind, OpStats, Samples, Writes, stats, writes};
use crate::database::{Backend, Result, Server};
use crate::journal_probe::JournalProbe;
use crate::live_check::{Ending, Outcome};
use crate::live_model::Model;
use crate::machine_probe::MachineProbes;
use crate::{live, live_check, load, stalls, transactional, values};
use migrate_core::{
    AnyConnection, DownTarget, HistoryTable, MigrationDescriptor, MigrationId, Observer, Registry,
    RunOptions, Runner,
};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const BASE: &str = "bench_base";
const COPY: &str = "bench_copy";

/// How long the lock-queue test's application transaction holds its lock on `users`.
pub const HOLD: Duration = Duration::from_secs(5);

/// Which migrations 5–10 run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Form {
    /// The shop's migrations as they are (`examples/shop`).
    Online,
    /// The copy of their form before issue 10 ([`transactional`]).
    Transactional,
}

impl Form {
    /// The name in the tables.
    pub fn label(self) -> &'static str {
        match self {
            Form::Online => "online",
            Form::Transactional => "transactional",
        }
    }

    fn registry(self) -> Result<Registry> {
        Ok(match self {
            Form::Online => shop::migrations::MIGRATIONS.registry()?,
            Form::Transactional => transactional::MIGRATIONS.registry()?,
        })
    }

    fn history(self) -> HistoryTable {
        match self {
            Form::Online => HistoryTable::default(),
            Form::Transactional => HistoryTable::new(transactional::HISTORY),
        }
    }

    /// `down --to 4`: the copy's history holds only 5–10, so reverting all of it is the same.
    fn down_target(self) -> DownTarget {
        match self {
            Form::Online => DownTarget::To(MigrationId(4)),
            Form::Transactional => DownTarget::To(MigrationId(0)),
        }
    }
}

/// `up` 5–10 or `down --to 4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// `up` (to 10).
    Up,
    /// `down --to 4`.
    Down,
}

impl Way {
    /// The name in the tables.
    pub fn label(self) -> &'static str {
        match self {
            Way::Up => "up 5–10",
            Way::Down => "down --to 4",
        }
    }
}

/// One run of the migrations beside the application.
#[derive(Debug, Clone)]
pub struct MigrationRun {
    /// The database.
    pub backend: Backend,
    /// N.
    pub rows: u64,
    /// The form.
    pub form: Form,
    /// Up or down.
    pub way: Way,
    /// Its duration in seconds, or why it failed.
    pub outcome: std::result::Result<f64, String>,
    /// Each migration's own time, seconds.
    pub migrations: Vec<(u64, f64)>,
    /// The runner's time outside the migrations (its lock, the history), seconds.
    pub outside: f64,
    /// The application's operations due while it ran.
    pub ops: Vec<(OpKind, OpStats)>,
    /// The application's operations due in the [`Plan::alone`] before it, with nothing else
    /// running.
    pub idle: Vec<(OpKind, OpStats)>,
    /// SQLite: the longest write transaction (ms) and the migration it belonged to.
    pub longest_tx: Option<(f64, Option<u64>)>,
    /// How often a statement of the run timed out waiting for a table lock and was retried.
    pub lock_retries: u32,
    /// The application's writes (all kinds) due while it ran.
    pub writes: Writes,
    /// The application's writes due in the [`Plan::alone`] before it.
    pub writes_alone: Writes,
    /// With the live application: what the check of its writes found after the run.
    pub live: Option<Outcome>,
}

/// The lock-queue test on one database.
#[derive(Debug, Clone)]
pub struct LockQueue {
    /// The database.
    pub backend: Backend,
    /// N.
    pub rows: u64,
    /// How long the application's transaction held its lock, ms.
    pub held_ms: f64,
    /// The other application operations on `users` due while it held it.
    pub users: OpStats,
    /// The `orders` operations over the same time, for comparison.
    pub orders: OpStats,
    /// `up --to 5`: its duration in seconds, or why it failed.
    pub outcome: std::result::Result<f64, String>,
    /// How often it timed out waiting for a lock and tried again.
    pub lock_retries: u32,
}

/// When the values were hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// On the fresh copy, before `up`.
    Before,
    /// After `up`.
    AfterUp,
    /// After `down --to 4`.
    AfterDown,
}

/// The value hashes of one form's database at one stage.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The database.
    pub backend: Backend,
    /// N.
    pub rows: u64,
    /// The form.
    pub form: Form,
    /// When.
    pub stage: Stage,
    /// Each table's hash.
    pub hashes: Vec<(&'static str, String)>,
}

/// Everything measured on one database at one N.
#[derive(Debug, Default)]
pub struct Measured {
    /// The runs.
    pub runs: Vec<MigrationRun>,
    /// The lock-queue test.
    pub lock_queue: Option<LockQueue>,
    /// The value hashes.
    pub snapshots: Vec<Snapshot>,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The forms, in the order they run.
    pub forms: Vec<Form>,
    /// Whether to run the lock-queue test (PostgreSQL and MariaDB).
    pub lock_queue: bool,
    /// The runner's options (its lock wait policy and pause between batches).
    pub options: RunOptions,
    /// SQLite: put the database in WAL mode (the application's choice, persistent in the file)
    /// instead of leaving it in rollback-journal mode, SQLite's default. The longest write
    /// transaction is then not measured: the probe watches the rollback journal.
    pub sqlite_wal: bool,
    /// Where the machine's disk probe writes (see [`MachineProbes`]).
    pub probe_dir: PathBuf,
    /// How long the application runs alone before each run: what it (and the machine) sees
    /// when nothing blocks it, the baseline of the run's waits.
    pub alone: Duration,
    /// The live application's writes, and beside which forms they run.
    pub live: Option<(live::Config, Vec<Form>)>,
}

/// Records the run's migrations and its lock retries.
#[derive(Default)]
struct RunObserver {
    /// Each migration: id, start, end.
    migrations: Vec<(u64, Instant, Option<Instant>)>,
    lock_retries: u32,
    /// What the runner was doing from when: each migration's start, each batched step's first
    /// progress report, each line it printed.
    steps: Vec<(Instant, String)>,
}

impl Observer for RunObserver {
    fn migration_started(
        &mut self,
        migration: &MigrationDescriptor,
        _direction: migrate_core::Direction,
    ) {
        self.migrations
            .push((migration.id().0, Instant::now(), None));
        self.steps
            .push((Instant::now(), format!("migration {}", migration.id().0)));
    }

    fn migration_finished(
        &mut self,
        _migration: &MigrationDescriptor,
        _direction: migrate_core::Direction,
        _elapsed: Duration,
    ) {
        if let Some(last) = self.migrations.last_mut() {
            last.2 = Some(Instant::now());
        }
    }

    fn note(&mut self, migration: &MigrationDescriptor, text: &str) {
        // LockWait::retry's note on each retry.
        if text.contains("for a lock held by another session") {
            self.lock_retries += 1;
        }
        // A batched step's summary: its batches, longest batch and back-off.
        if text.contains(" batches, ") {
            eprintln!("  migration {}: {text}", migration.id().0);
        }
        self.steps.push((
            Instant::now(),
            format!("migration {}, after \"{text}\"", migration.id().0),
        ));
    }

    fn progress(&mut self, migration: &MigrationDescriptor, progress: &migrate_core::Progress) {
        let step = format!("migration {}: {}", migration.id().0, progress.label);
        if self.steps.last().is_none_or(|(_, last)| *last != step) {
            self.steps.push((Instant::now(), step));
        }
    }
}

/// Runs the plan on `server` at N = `rows`.
pub fn run(server: &Server, rows: u64, plan: &Plan) -> Result<Measured> {
    let label = server.backend.label();
    // MariaDB's copy (CREATE TABLE LIKE) leaves out foreign keys, which matter here: an ALTER of
    // `orders` also locks `customers` through its key. Each MariaDB form gets a fresh load.
    let copies = server.backend != Backend::Mysql;
    if copies {
        let started = Instant::now();
        load_into(server, BASE, rows)?;
        if plan.sqlite_wal && server.backend == Backend::Sqlite {
            server
                .app_connection(BASE)?
                .batch_execute("PRAGMA journal_mode = WAL")?;
        }
        eprintln!(
            "{label} N={rows}: base loaded in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let fresh = |what: &str| -> Result<()> {
        let started = Instant::now();
        if copies {
            server.copy(BASE, COPY)?;
        } else {
            load_into(server, COPY, rows)?;
        }
        eprintln!(
            "{label} N={rows}: fresh database for {what} in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Ok(())
    };
    let mut measured = Measured::default();
    for &form in &plan.forms {
        fresh(form.label())?;
        let snapshot = |stage| -> Result<Snapshot> {
            let mut conn = server.app_connection(COPY)?;
            Ok(Snapshot {
                backend: server.backend,
                rows,
                form,
                stage,
                hashes: values::hashes(&mut conn, rows)?,
            })
        };
        let show = |s: &Snapshot| {
            eprintln!(
                "{label} N={rows} {} values {:?}: {}",
                form.label(),
                s.stage,
                s.hashes
                    .iter()
                    .map(|(t, h)| format!("{t} {h}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        };
        let before = snapshot(Stage::Before)?;
        show(&before);
        measured.snapshots.push(before);
        // The live application's model goes on from the `up` to the `down` on the same copy.
        let mut model = Model::default();
        for way in [Way::Up, Way::Down] {
            let run = migrate(server, rows, form, way, plan, &mut model)?;
            let ok = run.outcome.is_ok();
            eprintln!(
                "{label} N={rows} {} {}: {}",
                form.label(),
                way.label(),
                summary(&run)
            );
            measured.runs.push(run);
            if !ok {
                break;
            }
            let stage = match way {
                Way::Up => Stage::AfterUp,
                Way::Down => Stage::AfterDown,
            };
            let after = snapshot(stage)?;
            show(&after);
            measured.snapshots.push(after);
        }
        server.drop(COPY)?;
    }
    if plan.lock_queue && server.backend != Backend::Sqlite {
        fresh("the lock-queue test")?;
        let queue = lock_queue(server, rows, &plan.options)?;
        eprintln!(
            "{label} N={rows} lock queue: held {:.0} ms; other queries on users waited up to {:.0} ms; up --to 5 {}",
            queue.held_ms,
            queue.users.max_ms,
            match &queue.outcome {
                Ok(s) => format!("{s:.1} s, {} lock retries", queue.lock_retries),
                Err(e) => format!("failed: {e}"),
            }
        );
        measured.lock_queue = Some(queue);
        server.drop(COPY)?;
    }
    if copies {
        server.drop(BASE)?;
    }
    Ok(measured)
}

/// Database `name`, created with the shop's migrations 1–4 and N rows (see [`load`]).
fn load_into(server: &Server, name: &str, rows: u64) -> Result<()> {
    let url = server.create(name)?;
    let mut conn = AnyConnection::establish(&url.parse()?)?;
    load::load(&mut conn, rows)
}

fn summary(run: &MigrationRun) -> String {
    let worst = run.ops.iter().map(|(_, s)| s.max_ms).fold(0.0, f64::max);
    let alarm = match &run.live {
        Some(live) if live.alarming() => format!("**{}** — ", live.headline()),
        _ => String::new(),
    };
    alarm
        + &match &run.outcome {
            Ok(seconds) => format!(
                "{seconds:.1} s ({}; outside the migrations {:.1} s); the app waited up to {worst:.0} ms",
                run.migrations
                    .iter()
                    .map(|(id, s)| format!("{id}: {s:.1} s"))
                    .collect::<Vec<_>>()
                    .join(", "),
                run.outside
            ),
            Err(error) => format!("FAILED: {error}"),
        }
}

/// One `up` or `down` of `form` on the copy, beside the application; with the live one, whose
/// model of the copy `model` carries from run to run.
fn migrate(
    server: &Server,
    rows: u64,
    form: Form,
    way: Way,
    plan: &Plan,
    model: &mut Model,
) -> Result<MigrationRun> {
    let options = &plan.options;
    let mut conn = AnyConnection::establish(&server.url(COPY).parse()?)?;
    let registry = form.registry()?;
    let probe = (server.backend == Backend::Sqlite && !plan.sqlite_wal)
        .then(|| JournalProbe::start(server.file(COPY)));
    let machine = MachineProbes::start(&plan.probe_dir)?;
    let live = plan
        .live
        .as_ref()
        .filter(|(_, forms)| forms.contains(&form))
        .map(|(config, _)| (config, std::mem::take(model)));
    let first_write = live.as_ref().map_or(0, |(_, m)| m.writes.len());
    let app = App::start(server, COPY, rows, live)?;
    let idle_from = Instant::now();
    std::thread::sleep(plan.alone);
    let mut observer = RunObserver::default();
    let clock = stalls::Clock::now();
    let started = Instant::now();
    let label = format!(
        "{} N={rows} {} {}",
        server.backend.label(),
        form.label(),
        way.label()
    );
    let outcome = {
        let mut runner = Runner::new(&mut conn, &registry)
            .history_table(form.history())
            .options(options.clone())
            .observer(&mut observer);
        match way {
            Way::Up => runner.up(Some(MigrationId(10))).map(|_| ()),
            Way::Down => runner.down(form.down_target()).map(|_| ()),
        }
    };
    let ended = Instant::now();
    let (samples, live_model) = app.finish()?;
    let machine = machine.finish()?;
    stalls::print(
        &format!("{label}, the application alone before it"),
        &clock,
        &stalls::stalls(&samples, idle_from, started),
        &[],
        &machine,
        (idle_from, started),
    );
    stalls::print(
        &label,
        &clock,
        &stalls::stalls(&samples, started, ended),
        &observer.steps,
        &machine,
        (started, ended),
    );
    let spans = probe.map(JournalProbe::finish).transpose()?;
    let longest_tx = spans.map(|spans| longest(&spans, &observer, started, ended));
    let live = match live_model {
        Some(live_model) => {
            *model = live_model;
            let checked = check_live(server, rows, way, model, first_write, &observer, started);
            Some(checked.map_err(|e| format!("{label}: checking the live writes: {e}"))?)
        }
        None => None,
    };
    if let Some(outcome) = &live {
        print_live(&label, outcome);
    }
    Ok(MigrationRun {
        backend: server.backend,
        rows,
        form,
        way,
        outcome: outcome
            .map(|()| (ended - started).as_secs_f64())
            .map_err(|e| e.to_string()),
        migrations: observer
            .migrations
            .iter()
            .filter_map(|(id, start, end)| Some((*id, ((*end)? - *start).as_secs_f64())))
            .collect(),
        ops: stats(&samples, started, ended),
        idle: stats(&samples, idle_from, started),
        outside: (ended - started).as_secs_f64()
            - observer
                .migrations
                .iter()
                .filter_map(|(_, start, end)| Some(((*end)? - *start).as_secs_f64()))
                .sum::<f64>(),
        longest_tx,
        lock_retries: observer.lock_retries,
        writes: writes(&samples, started, ended),
        writes_alone: writes(&samples, idle_from, started),
        live,
    })
}

/// Holds the copy to the live application's model after a run (its writes from `first_write`
/// on are this run's).
fn check_live(
    server: &Server,
    rows: u64,
    way: Way,
    model: &mut Model,
    first_write: usize,
    observer: &RunObserver,
    started: Instant,
) -> Result<Outcome> {
    let finished: Vec<u64> = observer
        .migrations
        .iter()
        .filter(|(_, _, end)| end.is_some())
        .map(|(id, _, _)| *id)
        .collect();
    let applied = match way {
        Way::Up => finished,
        Way::Down => (5..=10).filter(|id| !finished.contains(id)).collect(),
    };
    let ending = Ending {
        applied,
        migrations: observer.migrations.clone(),
        started,
        up: way == Way::Up,
    };
    let mut conn = server.app_connection(COPY)?;
    live_check::check(&mut conn, rows, model, first_write, &ending)
}

/// Says on stderr what the check of the live writes found: the alarm, when there is one, first.
fn print_live(label: &str, outcome: &Outcome) {
    eprintln!(
        "{label}: {}{}",
        if outcome.alarming() { "**" } else { "" },
        outcome.headline()
    );
    for (kind, c) in &outcome.kinds {
        eprintln!(
            "  {}: {} made, {} committed, {} lost, {} failed, {} sent again after a schema change",
            kind.label(),
            c.made,
            c.committed,
            c.lost,
            c.failed,
            c.retried
        );
    }
    for example in &outcome.examples {
        eprintln!("  wrong: {example}");
    }
    for error in &outcome.errors {
        eprintln!("  failed: {error}");
    }
    eprintln!(
        "  {} values left NULL by a migration that did not finish; {} writes straddled a column becoming NOT NULL; {} rows checked",
        outcome.unfilled, outcome.straddled, outcome.rows_checked
    );
}

/// The longest write transaction of the run, and the migration it began in.
fn longest(
    spans: &[(Instant, Instant)],
    observer: &RunObserver,
    started: Instant,
    ended: Instant,
) -> (f64, Option<u64>) {
    let Some((from, to)) = spans
        .iter()
        .filter(|(from, to)| *to >= started && *from <= ended)
        .max_by_key(|(from, to)| *to - *from)
    else {
        return (0.0, None);
    };
    let migration = observer
        .migrations
        .iter()
        .find(|(_, start, end)| *start <= *from && end.is_none_or(|end| *from <= end))
        .map(|(id, _, _)| *id);
    ((*to - *from).as_secs_f64() * 1000.0, migration)
}

/// An application transaction holds a row lock on `users` for [`HOLD`] while `up --to 5` (the
/// online form) starts; the other application operations go on.
fn lock_queue(server: &Server, rows: u64, options: &RunOptions) -> Result<LockQueue> {
    let mut conn = AnyConnection::establish(&server.url(COPY).parse()?)?;
    let registry = Form::Online.registry()?;
    let app = App::start(server, COPY, rows, None)?;
    let mut holder_conn = server.app_connection(COPY)?;
    let (held, held_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || -> std::result::Result<(Instant, Instant), String> {
        holder_conn.begin().map_err(|e| e.to_string())?;
        holder_conn
            .execute("UPDATE users SET age = age WHERE id = 1")
            .map_err(|e| e.to_string())?;
        let from = Instant::now();
        held.send(from).map_err(|e| e.to_string())?;
        std::thread::sleep(HOLD);
        holder_conn.commit().map_err(|e| e.to_string())?;
        Ok((from, Instant::now()))
    });
    let outcome = match held_rx.recv() {
        Ok(_) => {
            let mut observer = RunObserver::default();
            let started = Instant::now();
            let outcome = Runner::new(&mut conn, &registry)
                .options(options.clone())
                .observer(&mut observer)
                .up(Some(MigrationId(5)))
                .map(|_| started.elapsed().as_secs_f64())
                .map_err(|e| e.to_string());
            (outcome, observer.lock_retries)
        }
        Err(_) => (Err("the lock holder did not start".to_owned()), 0),
    };
    let (from, to) = holder.join().map_err(|_| "the lock holder panicked")??;
    let (samples, _): (Samples, _) = app.finish()?;
    let of = |users: bool| {
        let mut all = Vec::new();
        for (kind, s) in &samples {
            if kind.on_users() == users {
                all.extend_from_slice(s);
            }
        }
        OpStats::over(&all, from, to)
    };
    Ok(LockQueue {
        backend: server.backend,
        rows,
        held_ms: (to - from).as_secs_f64() * 1000.0,
        users: of(true),
        orders: of(false),
        outcome: outcome.0,
        lock_retries: outcome.1,
    })
}
