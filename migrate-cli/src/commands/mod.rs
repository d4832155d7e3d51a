//! One module per group of subcommands.

mod adopt;
mod apply;
mod fleet;
mod inspect;
mod new;

use crate::Cli;
use crate::args::SafetyArgs;
use crate::args::{Args, Command, NewArgs};
use crate::output::Output;
use crate::schema_file::SchemaConfig;
use crate::set_files::{self, UndeclaredFile, locate_set_file};
use migrate_core::HistoryTable;
use migrate_core::{AnyConnection, DatabaseUrl, Registry, Result, Runner};
use migrate_core::{LockWait, RunOptions};
use std::process::ExitCode;
use std::time::Duration;

pub fn run(cli: &Cli, args: &Args, out: &mut Output) -> Result<ExitCode> {
    let registry = cli.set.registry()?;
    let undeclared = undeclared_files(cli, args, &registry);
    // `check` reports them as problems (a non-zero exit); every other command warns.
    if !matches!(args.command, Command::Check(_)) {
        for file in &undeclared {
            out.warning(&file.message());
        }
    }
    let session = Session {
        cli,
        args,
        registry,
        undeclared,
    };
    match &args.command {
        Command::Up(up) => apply::up(&session, up, out),
        Command::Down(down) => apply::down(&session, down, out),
        Command::Redo(safety) => apply::redo(&session, safety, out),
        Command::Resolve(resolve) => apply::resolve(&session, resolve, out),
        Command::Status(json) => inspect::status(&session, json.json, out),
        Command::History(json) => inspect::history(&session, json.json, out),
        Command::Check(check) => inspect::check(&session, check, out),
        Command::New(new) => new::new(&session, new, out),
        Command::AdoptDiesel => adopt::adopt_diesel(&session, out),
        Command::PrintSchema => inspect::print_schema(&session, out),
        Command::Fleet(fleet) => fleet::run(&session, fleet, out),
    }
}

/// The migration files in the set's directory that no `mod` line declares, when the source is
/// here to look at (a deployed binary without its source has nothing to compare).
fn undeclared_files(cli: &Cli, args: &Args, registry: &Registry) -> Vec<UndeclaredFile> {
    let set_file = match &args.command {
        Command::New(NewArgs {
            module_file: Some(file),
            ..
        }) => file.clone(),
        _ => match locate_set_file(cli.set) {
            Ok(file) => file,
            Err(_) => return Vec::new(),
        },
    };
    set_files::undeclared_files(cli.set, &set_file, registry)
}

/// What every subcommand works with.
pub struct Session<'a> {
    cli: &'a Cli,
    args: &'a Args,
    registry: Registry,
    /// Migration files the build ignores because their `mod` line is missing.
    undeclared: Vec<UndeclaredFile>,
}

impl Session<'_> {
    fn url(&self) -> Result<DatabaseUrl> {
        self.cli
            .database_url(self.args.database_url.first().map(String::as_str))
    }

    /// A connection for `up`, which creates a SQLite database file that does not exist yet.
    fn connect(&self) -> Result<AnyConnection> {
        let url = self.url()?;
        tracing::info!(%url, "connecting");
        AnyConnection::establish(&url)
    }

    /// A connection for every other command: a SQLite path that names no file is a mistake
    /// (a mistyped path), not a new empty database.
    fn connect_existing(&self) -> Result<AnyConnection> {
        let url = self.url()?;
        tracing::info!(%url, "connecting");
        AnyConnection::establish_existing(&url)
    }

    /// After `up`, `down` or `redo`: rewrites `schema.rs` when `diesel.toml` asks for it, as
    /// `diesel migration run` does. The migrations stay applied if this fails.
    fn keep_schema_in_step(&self, conn: &mut AnyConnection, out: &mut Output) -> Result<()> {
        let Some(config) = SchemaConfig::find()? else {
            return Ok(());
        };
        let written = config
            .write(conn, &self.args.history_table)
            .map_err(|e| match e {
                migrate_core::Error::Configuration { message, hint } => {
                    migrate_core::Error::Configuration {
                        message: format!(
                            "the migrations ran, but schema.rs was not regenerated: {message}"
                        ),
                        hint,
                    }
                }
                other => other,
            })?;
        if let Some(file) = written {
            out.line(&format!("wrote {}", file.display()));
        }
        Ok(())
    }

    fn history(&self) -> HistoryTable {
        HistoryTable::new(&self.args.history_table)
    }

    /// A runner over `conn` with the command's history table, lock timeout and `safety`
    /// overrides, reporting to `out`.
    fn runner<'r>(
        &'r self,
        conn: &'r mut AnyConnection,
        safety: &SafetyArgs,
        out: &'r mut Output,
    ) -> Runner<'r> {
        let runner = Runner::new(conn, &self.registry).history_table(self.history());
        let runner = match self.url() {
            Ok(url) => runner.reconnect_url(url),
            Err(_) => runner,
        };
        runner.options(self.run_options(safety)).observer(out)
    }

    /// The run's options from the command line, with `safety` overrides.
    fn run_options(&self, safety: &SafetyArgs) -> RunOptions {
        RunOptions {
            allow_changed: safety.allow_changed,
            allow_missing: safety.allow_missing,
            out_of_order: false,
            lock_timeout: Duration::from_secs(self.args.lock_timeout),
            lock_wait: LockWait {
                timeout: Duration::from_millis(self.args.ddl_lock_timeout),
                attempts: self.args.ddl_attempts,
            },
            large_table_rows: self.args.large_table_rows,
            batch_time: self.args.batch_time.map(Duration::from_millis),
            batch_pause: self.args.batch_pause.map(Duration::from_millis),
            max_commit_time: self.args.max_commit_time.map(Duration::from_millis),
        }
    }
}
