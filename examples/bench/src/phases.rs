//! The child side: runs one phase on one database and measures it.

use crate::child::{Measured, peak_kib};
use crate::database::Result;
use crate::writer::{Writer, stats};
use crate::{load, naive, overhead, work};
use migrate_core::{AnyConnection, MigrationDescriptor, MigrationId, Observer, Progress, Runner};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What a child process does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Phase {
    /// Create the base schema (migrations 1–4) and load the rows.
    Load,
    /// Apply migration `id` through the framework.
    Ours,
    /// The article's loop for migration `id` (9 or 10).
    Naive,
    /// One set-based UPDATE doing the work of migration `id`.
    Limit,
    /// 1000 trivial migrations with our runner.
    OverheadOurs,
    /// The same 1000 migrations with diesel_migrations.
    OverheadDiesel,
}

/// The arguments of the hidden `phase` subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct PhaseArgs {
    /// What to do.
    #[arg(value_enum)]
    pub phase: Phase,
    /// The database.
    #[arg(long)]
    pub url: String,
    /// Rows loaded (N).
    #[arg(long, default_value_t = 0)]
    pub rows: u64,
    /// The migration measured.
    #[arg(long, default_value_t = 0)]
    pub id: u64,
    /// Run a concurrent writer during the work.
    #[arg(long)]
    pub writer: bool,
    /// The diesel_migrations directory.
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

impl PhaseArgs {
    /// The command-line arguments that give these `PhaseArgs` back.
    pub fn to_args(&self) -> Vec<String> {
        let phase = clap::ValueEnum::to_possible_value(&self.phase)
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default();
        let mut args = vec![
            phase,
            "--url".into(),
            self.url.clone(),
            "--rows".into(),
            self.rows.to_string(),
            "--id".into(),
            self.id.to_string(),
        ];
        if self.writer {
            args.push("--writer".into());
        }
        if let Some(dir) = &self.dir {
            args.push("--dir".into());
            args.push(dir.display().to_string());
        }
        args
    }
}

/// Runs the phase and measures it, peak memory included.
pub fn run(args: &PhaseArgs) -> Result<Measured> {
    let mut measured = match args.phase {
        Phase::Load => {
            let mut conn = connect(&args.url)?;
            let started = Instant::now();
            load::load(&mut conn, args.rows)?;
            seconds(started.elapsed())
        }
        Phase::Ours => ours(args)?,
        Phase::Naive => naive(args)?,
        Phase::Limit => limit(args)?,
        Phase::OverheadOurs => Measured {
            seconds: overhead::ours(&args.url)?,
            ..Measured::default()
        },
        Phase::OverheadDiesel => Measured {
            seconds: overhead::diesel(&args.url, args.dir.as_deref().ok_or("--dir is needed")?)?,
            ..Measured::default()
        },
    };
    measured.peak_kib = peak_kib()?;
    Ok(measured)
}

fn connect(url: &str) -> Result<AnyConnection> {
    Ok(AnyConnection::establish(&url.parse()?)?)
}

fn seconds(elapsed: Duration) -> Measured {
    Measured {
        seconds: elapsed.as_secs_f64(),
        ..Measured::default()
    }
}

fn writer(args: &PhaseArgs) -> Result<Option<Writer>> {
    if !args.writer {
        return Ok(None);
    }
    Ok(Some(Writer::start(
        &args.url,
        work::table(args.id),
        args.rows,
    )?))
}

/// Keeps the final progress report of the migration's batched step, and when it came.
#[derive(Default)]
struct StepRecorder {
    finished: Option<(Progress, Instant)>,
}

impl Observer for StepRecorder {
    fn progress(&mut self, _migration: &MigrationDescriptor, progress: &Progress) {
        if progress.finished {
            self.finished = Some((progress.clone(), Instant::now()));
        }
    }
}

/// The migration through the framework. A batched helper's own time and longest batch come
/// from its final progress report; the writer is measured over that step only.
fn ours(args: &PhaseArgs) -> Result<Measured> {
    let mut conn = connect(&args.url)?;
    let registry = shop::migrations::MIGRATIONS.registry()?;
    let writer = writer(args)?;
    let mut step = StepRecorder::default();
    let started = Instant::now();
    Runner::new(&mut conn, &registry)
        .observer(&mut step)
        .up(Some(MigrationId(args.id)))?;
    let ended = Instant::now();
    let mut measured = seconds(ended - started);
    let mut window = (started, ended);
    if let Some((progress, at)) = step.finished {
        measured.helper_seconds = Some(progress.elapsed.as_secs_f64());
        measured.longest_ms = Some(progress.longest_batch.as_secs_f64() * 1000.0);
        window = (at - progress.elapsed, at);
    }
    if let Some(writer) = writer {
        measured.writer = stats(&writer.finish()?, window.0, window.1);
    }
    Ok(measured)
}

/// The article's loop, after adding the column (untimed).
fn naive(args: &PhaseArgs) -> Result<Measured> {
    let mut conn = connect(&args.url)?;
    for statement in work::prepare(args.id, conn.dialect()) {
        conn.batch_execute(statement)?;
    }
    let started = Instant::now();
    match args.id {
        9 => naive::row_by_row(&mut conn)?,
        10 => naive::select_limit_loop(&mut conn)?,
        other => return Err(format!("migration {other} has no naive baseline").into()),
    }
    Ok(seconds(started.elapsed()))
}

/// The single set-based UPDATE, after adding the columns (untimed); its one transaction is the
/// longest.
fn limit(args: &PhaseArgs) -> Result<Measured> {
    let mut conn = connect(&args.url)?;
    let dialect = conn.dialect();
    for statement in work::prepare(args.id, dialect) {
        conn.batch_execute(statement)?;
    }
    let writer = writer(args)?;
    let started = Instant::now();
    conn.execute(work::set_based_update(args.id, dialect))?;
    let ended = Instant::now();
    let mut measured = seconds(ended - started);
    measured.longest_ms = Some(measured.seconds * 1000.0);
    if let Some(writer) = writer {
        measured.writer = stats(&writer.finish()?, started, ended);
    }
    Ok(measured)
}
