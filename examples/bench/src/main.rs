//! `migrate-bench`: times the shop's data migrations 5–10 through the framework against the
//! reference article's loops and one set-based UPDATE, on PostgreSQL, MariaDB and SQLite, and the
//! runner's own overhead against diesel_migrations. Prints markdown tables (see BENCHMARKS.md).
//!
//! `cargo run --release -p migrate-bench -- --rows 100000,1000000 [--huge] [--databases postgres,mysql,sqlite]`
//!
//! With `--beside-app`, instead: migrations 5–10 up and down beside a running application, in
//! their online form and in their former transactional form (see [`beside`]).

mod app;
mod beside;
mod beside_report;
mod child;
mod database;
mod journal_probe;
mod live;
mod live_check;
mod live_model;
mod live_rows;
mod live_schema;
mod load;
mod machine_probe;
mod naive;
mod overhead;
mod phases;
mod report;
mod run;
mod stalls;
mod timetable;
mod transactional;
mod values;
mod work;
mod writer;

use clap::{Parser, Subcommand};
use database::{Backend, Result, Server};
use std::time::Instant;

#[derive(Parser)]
#[command(about = "Benchmark of the shop's data migrations; prints markdown tables")]
struct Args {
    /// The N to load: N users, N orders, N/10 customers.
    #[arg(long, value_delimiter = ',', default_values_t = [100_000u64, 1_000_000])]
    rows: Vec<u64>,
    /// Also N = 10,000,000 (with `--beside-app`: on PostgreSQL only, the online form only).
    #[arg(long)]
    huge: bool,
    /// Run migrations 5–10 up and down beside a running application, online and in their
    /// former transactional form, instead of the migration and overhead benchmarks.
    #[arg(long)]
    beside_app: bool,
    /// With `--beside-app`: how long a migration statement waits for a table lock, in ms (the
    /// runner's `--ddl-lock-timeout`).
    #[arg(long, default_value_t = 500)]
    ddl_lock_timeout: u64,
    /// With `--beside-app`: the runner's batch time, in ms (the runner's `--batch-time`;
    /// default: the database's).
    #[arg(long)]
    batch_time: Option<u64>,
    /// With `--beside-app`: the runner's rest after each batch, in ms (the runner's
    /// `--batch-pause`; default: the database's).
    #[arg(long)]
    batch_pause: Option<u64>,
    /// With `--beside-app`: the commit time above which a batched helper backs off, in ms (the
    /// runner's `--max-commit-time`; 0: never; default: the database's).
    #[arg(long)]
    max_commit_time: Option<u64>,
    /// With `--beside-app`: put the SQLite database in WAL mode (the application's choice)
    /// instead of SQLite's default rollback journal.
    #[arg(long)]
    sqlite_wal: bool,
    /// With `--beside-app`: how long the application runs alone before each run, in seconds:
    /// the baseline of its waits (and of the machine's, see `machine_probe`) on the same data.
    #[arg(long, default_value_t = 1)]
    app_alone: u64,
    /// With `--beside-app`: the forms beside which the live application writes too (renames,
    /// changes of age and `created_at`, inserts, deletes, customer renames; each run is then
    /// checked against what it wrote). `--live-forms` with no value: none.
    #[arg(long, value_delimiter = ',', value_enum, num_args = 0.., default_values_t = [beside::Form::Online])]
    live_forms: Vec<beside::Form>,
    /// With `--beside-app`: the kinds of write the live application makes (all by default).
    #[arg(long, value_delimiter = ',', value_enum, default_values_t = live_model::LiveKind::ALL)]
    live_writes: Vec<live_model::LiveKind>,
    /// With `--beside-app`: the live application makes one write every this many ms (on
    /// SQLite every four times as many, on the application's one writing connection).
    #[arg(long, default_value_t = 10)]
    live_period: u64,
    /// With `--beside-app`: the forms to run (the transactional one first).
    #[arg(long, value_delimiter = ',', value_enum, default_values_t = [beside::Form::Transactional, beside::Form::Online])]
    forms: Vec<beside::Form>,
    /// The databases to run on.
    #[arg(long, value_delimiter = ',', value_enum, default_values_t = [Backend::Postgres, Backend::Mysql, Backend::Sqlite])]
    databases: Vec<Backend>,
    /// The PostgreSQL server (its databases `bench_*` are dropped and created).
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    postgres: String,
    /// The MariaDB server (its databases `bench_*` are dropped and created).
    #[arg(long, default_value = "mysql://root@127.0.0.1:3306")]
    mysql: String,
    /// Run the naive baselines only up to this N: the article's LIMIT loop rescans finished rows
    /// on every batch (quadratic), and its row loop makes one round trip per row.
    #[arg(long, default_value_t = 1_000_000)]
    naive_max_rows: u64,
    /// Skip the runner-overhead measurement.
    #[arg(long)]
    skip_overhead: bool,
    /// Skip migrations 5–10 (measure only the runner's overhead).
    #[arg(long)]
    skip_migrations: bool,
    /// The directory of the SQLite files (and, with `--beside-app`, of the machine probe's file).
    #[arg(long, default_value = "/tmp/migrate-bench")]
    sqlite_dir: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// One measured phase, in a child process.
    #[command(hide = true)]
    Phase(phases::PhaseArgs),
}

fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(Command::Phase(phase)) = &args.command {
        println!("{}", phases::run(phase)?.to_line());
        return Ok(());
    }
    let started = Instant::now();
    if args.beside_app {
        return beside_app(&args, started);
    }
    let mut rows = args.rows.clone();
    if args.huge {
        rows.push(10_000_000);
    }
    let diesel_dir = run::diesel_dir()?;
    let mut report = report::Report {
        rows: rows.clone(),
        versions: Vec::new(),
        loads: Vec::new(),
        migrations: Vec::new(),
        overhead: Vec::new(),
        total_seconds: 0.0,
    };
    for backend in &args.databases {
        let server = server(&args, *backend);
        let mut version = server.version()?;
        if args.sqlite_wal && *backend == Backend::Sqlite {
            version.push_str(" (WAL mode)");
        }
        report.versions.push((*backend, version));
        for &n in rows.iter().filter(|_| !args.skip_migrations) {
            let (load, migrations) = run::migrations(&server, n, args.naive_max_rows)?;
            report.loads.push((*backend, n, load));
            report.migrations.extend(migrations);
        }
        if !args.skip_overhead {
            report.overhead.push(run::overhead(&server, &diesel_dir)?);
        }
    }
    report.total_seconds = started.elapsed().as_secs_f64();
    print!("{}", report.markdown());
    Ok(())
}

fn server(args: &Args, backend: Backend) -> Server {
    Server {
        backend,
        base: match backend {
            Backend::Postgres => args.postgres.clone(),
            Backend::Mysql => args.mysql.clone(),
            Backend::Sqlite => args.sqlite_dir.clone(),
        },
    }
}

/// `--beside-app`: each N on each database, then at 10M on PostgreSQL with `--huge`.
fn beside_app(args: &Args, started: Instant) -> Result<()> {
    let options = migrate_core::RunOptions {
        lock_wait: migrate_core::LockWait {
            timeout: std::time::Duration::from_millis(args.ddl_lock_timeout),
            ..migrate_core::LockWait::default()
        },
        batch_time: args.batch_time.map(std::time::Duration::from_millis),
        batch_pause: args.batch_pause.map(std::time::Duration::from_millis),
        max_commit_time: args.max_commit_time.map(std::time::Duration::from_millis),
        ..migrate_core::RunOptions::default()
    };
    let live = (!args.live_forms.is_empty()).then(|| {
        (
            live::Config {
                kinds: args.live_writes.clone(),
                period: std::time::Duration::from_millis(args.live_period.max(1)),
            },
            args.live_forms.clone(),
        )
    });
    // The baseline first: both forms then start from the same state of the machine's caches.
    let both = beside::Plan {
        forms: args.forms.clone(),
        lock_queue: true,
        options: options.clone(),
        sqlite_wal: args.sqlite_wal,
        probe_dir: args.sqlite_dir.clone().into(),
        alone: std::time::Duration::from_secs(args.app_alone),
        live: live.clone(),
    };
    let mut report = beside_report::BesideReport {
        measured: Vec::new(),
        lock_timeout_ms: args.ddl_lock_timeout,
        versions: Vec::new(),
        total_seconds: 0.0,
        load: (beside_report::load_average(), String::new()),
    };
    for backend in &args.databases {
        let server = server(args, *backend);
        let mut version = server.version()?;
        if args.sqlite_wal && *backend == Backend::Sqlite {
            version.push_str(" (WAL mode)");
        }
        report.versions.push((*backend, version));
        for &n in &args.rows {
            report
                .measured
                .push((*backend, n, beside::run(&server, n, &both)?));
        }
        if args.huge && *backend == Backend::Postgres {
            // At 10M only the target that is stated there: the online form's waits.
            let online = beside::Plan {
                forms: vec![beside::Form::Online],
                lock_queue: false,
                options: options.clone(),
                sqlite_wal: false,
                probe_dir: args.sqlite_dir.clone().into(),
                alone: std::time::Duration::from_secs(args.app_alone),
                live: live.clone(),
            };
            let n = 10_000_000;
            report
                .measured
                .push((*backend, n, beside::run(&server, n, &online)?));
        }
        // The tables so far, so that a long run that has to be stopped still leaves them.
        report.total_seconds = started.elapsed().as_secs_f64();
        eprintln!("{} so far:\n{}", backend.label(), report.markdown());
    }
    report.total_seconds = started.elapsed().as_secs_f64();
    report.load.1 = beside_report::load_average();
    print!("{}", report.markdown());
    // A lost or failed write must not pass silently: the run fails.
    let (lost, failed, untouched) = report.live_alarms();
    if lost + failed + untouched > 0 {
        return Err(format!(
            "the live application's writes: {lost} LOST, {failed} FAILED, {untouched} values wrong in rows it never wrote (see the report)"
        )
        .into());
    }
    Ok(())
}
