//! `migrate-bench`: times the shop's data migrations 5–10 through the framework against the
//! reference article's loops and one set-based UPDATE, on PostgreSQL, MariaDB and SQLite, and the
//! runner's own overhead against diesel_migrations. Prints markdown tables (see BENCHMARKS.md).
//!
//! `cargo run --release -p migrate-bench -- --rows 100000,1000000 [--huge] [--databases postgres,mysql,sqlite]`

mod child;
mod database;
mod load;
mod naive;
mod overhead;
mod phases;
mod report;
mod run;
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
    /// Also N = 10,000,000.
    #[arg(long)]
    huge: bool,
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
    /// The directory of the SQLite files.
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
        let server = Server {
            backend: *backend,
            base: match backend {
                Backend::Postgres => args.postgres.clone(),
                Backend::Mysql => args.mysql.clone(),
                Backend::Sqlite => args.sqlite_dir.clone(),
            },
        };
        report.versions.push((*backend, server.version()?));
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
