//! The parent side: prepares the databases and runs each phase in a child process.
//!
//! For each database and N: load the base data once; then for each migration 5–10, run the
//! baselines on fresh copies of the base (which stands just before that migration), and finally
//! the migration itself on the base, which moves it on to the next one.

use crate::child::{self, Measured};
use crate::database::{Backend, Result, Server};
use crate::phases::{Phase, PhaseArgs};
use crate::{overhead, work};
use std::path::Path;

const BASE: &str = "bench_base";
const COPY: &str = "bench_copy";

/// The figures of one migration at one N on one database.
#[derive(Debug, Clone)]
pub struct MigrationResult {
    /// The database.
    pub backend: Backend,
    /// N.
    pub rows: u64,
    /// The migration.
    pub id: u64,
    /// Through the framework.
    pub ours: Measured,
    /// The article's loop (9 and 10, N up to `--naive-max-rows`).
    pub naive: Option<Measured>,
    /// One set-based UPDATE.
    pub limit: Measured,
}

/// The runner-overhead figures of one database.
#[derive(Debug, Clone)]
pub struct OverheadResult {
    /// The database.
    pub backend: Backend,
    /// Our runner.
    pub ours: Measured,
    /// diesel_migrations.
    pub diesel: Measured,
}

fn phase(phase: Phase, url: &str, rows: u64, id: u64, writer: bool) -> Result<Measured> {
    let args = PhaseArgs {
        phase,
        url: url.to_owned(),
        rows,
        id,
        writer,
        dir: None,
    };
    child::run(&args.to_args())
}

/// Loads N rows and measures migrations 5–10 with their baselines; the naive ones only up to
/// `naive_max_rows`.
pub fn migrations(
    server: &Server,
    rows: u64,
    naive_max_rows: u64,
) -> Result<(Measured, Vec<MigrationResult>)> {
    let label = server.backend.label();
    let base = server.create(BASE)?;
    let load = phase(Phase::Load, &base, rows, 0, false)?;
    eprintln!("{label} N={rows}: loaded in {:.1} s", load.seconds);
    let mut results = Vec::new();
    for id in work::MIGRATIONS {
        let writer = work::is_batched(id) && server.backend != Backend::Sqlite;
        let naive = if work::is_batched(id) && rows <= naive_max_rows {
            let copy = server.copy(BASE, COPY)?;
            Some(phase(Phase::Naive, &copy, rows, id, false)?)
        } else {
            None
        };
        let copy = server.copy(BASE, COPY)?;
        let limit = phase(Phase::Limit, &copy, rows, id, writer)?;
        server.drop(COPY)?;
        let ours = phase(Phase::Ours, &base, rows, id, writer)?;
        eprintln!(
            "{label} N={rows} migration {id}: ours {:.2} s (helper {}), naive {}, limit {:.2} s",
            ours.seconds,
            ours.helper_seconds
                .map_or("-".into(), |s| format!("{s:.2} s")),
            naive
                .as_ref()
                .map_or("-".into(), |n| format!("{:.2} s", n.seconds)),
            limit.seconds
        );
        results.push(MigrationResult {
            backend: server.backend,
            rows,
            id,
            ours,
            naive,
            limit,
        });
    }
    server.drop(BASE)?;
    Ok((load, results))
}

/// Rounds of the runner-overhead measurement: the two runners alternate, and each one's median
/// round is kept, so that a moment of load on this shared machine does not decide the result.
const OVERHEAD_ROUNDS: usize = 3;

/// Applies the 1000 trivial migrations with each runner, each time on a fresh database.
pub fn overhead(server: &Server, diesel_dir: &Path) -> Result<OverheadResult> {
    let mut ours = Vec::new();
    let mut diesel = Vec::new();
    for _ in 0..OVERHEAD_ROUNDS {
        let url = server.create(BASE)?;
        ours.push(phase(Phase::OverheadOurs, &url, 0, 0, false)?);
        let url = server.create(BASE)?;
        let args = PhaseArgs {
            phase: Phase::OverheadDiesel,
            url,
            rows: 0,
            id: 0,
            writer: false,
            dir: Some(diesel_dir.to_owned()),
        };
        diesel.push(child::run(&args.to_args())?);
    }
    server.drop(BASE)?;
    let (ours, diesel) = (median(ours), median(diesel));
    eprintln!(
        "{}: 1000 trivial migrations: ours {:.2} s, diesel_migrations {:.2} s",
        server.backend.label(),
        ours.seconds,
        diesel.seconds
    );
    Ok(OverheadResult {
        backend: server.backend,
        ours,
        diesel,
    })
}

fn median(mut rounds: Vec<Measured>) -> Measured {
    rounds.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    rounds.swap_remove(rounds.len() / 2)
}

/// Writes the diesel_migrations directories once for all databases.
pub fn diesel_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join("migrate-bench-diesel-migrations");
    overhead::write_diesel_migrations(&dir)?;
    Ok(dir)
}
