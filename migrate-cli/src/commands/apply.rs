//! `up`, `down`, `redo` and `resolve`: the commands that change the database.

use super::Session;
use crate::args::{DownArgs, DryRunArgs, ResolveArgs, SafetyArgs, UpArgs};
use crate::output::Output;
use migrate_core::{Dialect, Direction, MigrationId, Result};
use migrate_core::{DownTarget, DryRunScript, Resolution, dry_run_offline};
use std::process::ExitCode;

pub fn up(session: &Session, args: &UpArgs, out: &mut Output) -> Result<ExitCode> {
    let to = args.to.map(MigrationId);
    if let Some(dialect) = offline_dialect(&args.dry_run) {
        let scripts = dry_run_offline(&session.registry, dialect, Direction::Up, to)?;
        return Ok(print_scripts(&scripts, out));
    }
    // A dry run must not create the SQLite file that `up` would: with none yet, every migration
    // is pending, as on a new database.
    if args.dry_run.dry_run {
        let url = session.url()?;
        if !url.database_exists() {
            out.data(&format!(
                "-- {url} does not exist yet: showing what `up` would run on a new database"
            ));
            let scripts = dry_run_offline(&session.registry, url.dialect(), Direction::Up, to)?;
            return Ok(print_scripts(&scripts, out));
        }
    }
    let mut conn = if args.dry_run.dry_run {
        session.connect_existing()?
    } else {
        session.connect()?
    };
    if args.dry_run.dry_run {
        let mut runner = session.runner(&mut conn, &args.safety, out);
        let scripts = runner.dry_run_up(to)?;
        // The warnings `up` would print, on stderr: stdout stays the SQL.
        let warnings = runner.lock_warnings(&scripts);
        drop(runner);
        for warning in &warnings {
            out.warning(&warning.to_string());
        }
        return Ok(print_scripts(&scripts, out));
    }
    // The first run over a database Diesel migrated adopts its history; say so before applying.
    let adoption = session
        .runner(&mut conn, &args.safety, out)
        .adopt_diesel_history_on_first_run()?;
    if let Some(adoption) = adoption {
        super::adopt::report(&session.registry, &adoption, out);
    }
    let mut runner = session
        .runner(&mut conn, &args.safety, out)
        .out_of_order(args.out_of_order);
    let applied = runner.up(to)?.len();
    drop(runner);
    out.line(&match applied {
        0 => "nothing to apply: the database is up to date".to_owned(),
        n => format!("applied {}", migrations(n)),
    });
    session.keep_schema_in_step(&mut conn, out)?;
    Ok(ExitCode::SUCCESS)
}

pub fn down(session: &Session, args: &DownArgs, out: &mut Output) -> Result<ExitCode> {
    let target = match (args.to, args.steps) {
        (Some(to), _) => DownTarget::To(MigrationId(to)),
        (None, Some(steps)) => DownTarget::Steps(steps),
        (None, None) => DownTarget::Steps(1),
    };
    if let Some(dialect) = offline_dialect(&args.dry_run) {
        // Without a database, every migration counts as applied.
        let floor = match target {
            DownTarget::To(to) => Some(to),
            DownTarget::Steps(n) => session
                .registry
                .iter()
                .rev()
                .nth(n)
                .map(|m| m.id())
                .or(Some(MigrationId(0))),
        };
        let scripts = dry_run_offline(&session.registry, dialect, Direction::Down, floor)?;
        return Ok(print_scripts(&scripts, out));
    }
    let mut conn = session.connect_existing()?;
    let mut runner = session.runner(&mut conn, &args.safety, out);
    if args.dry_run.dry_run {
        let scripts = runner.dry_run_down(target)?;
        drop(runner);
        return Ok(print_scripts(&scripts, out));
    }
    let reverted = runner.down(target)?.len();
    drop(runner);
    out.line(&match reverted {
        0 => "nothing to revert".to_owned(),
        n => format!("reverted {}", migrations(n)),
    });
    session.keep_schema_in_step(&mut conn, out)?;
    Ok(ExitCode::SUCCESS)
}

pub fn redo(session: &Session, args: &SafetyArgs, out: &mut Output) -> Result<ExitCode> {
    let mut conn = session.connect_existing()?;
    let id = session.runner(&mut conn, args, out).redo()?;
    out.line(&format!("redid migration {id}"));
    session.keep_schema_in_step(&mut conn, out)?;
    Ok(ExitCode::SUCCESS)
}

pub fn resolve(session: &Session, args: &ResolveArgs, out: &mut Output) -> Result<ExitCode> {
    let (resolution, done) = if args.retry {
        (Resolution::Retry, "finished")
    } else if args.mark_applied {
        (Resolution::MarkApplied, "marked as applied")
    } else if args.mark_reverted {
        (
            Resolution::MarkReverted,
            "marked as reverted (removed from the history)",
        )
    } else {
        (Resolution::AcceptChecksum, "recorded with its new checksum")
    };
    let id = MigrationId(args.id);
    let mut conn = session.connect_existing()?;
    let safety = SafetyArgs {
        allow_changed: false,
        allow_missing: false,
    };
    session
        .runner(&mut conn, &safety, out)
        .resolve(id, resolution)?;
    out.line(&format!("migration {id} {done}"));
    Ok(ExitCode::SUCCESS)
}

/// "1 migration", "3 migrations".
pub(super) fn migrations(n: usize) -> String {
    if n == 1 {
        "1 migration".to_owned()
    } else {
        format!("{n} migrations")
    }
}

fn offline_dialect(args: &DryRunArgs) -> Option<Dialect> {
    // clap restricts the value to the three names.
    args.dialect.as_deref().and_then(|d| d.parse().ok())
}

/// Prints dry-run scripts as SQL with a comment header per migration.
fn print_scripts(scripts: &[DryRunScript], out: &mut Output) -> ExitCode {
    if scripts.is_empty() {
        out.data("-- nothing to run");
    }
    for script in scripts {
        let migration = script.migration;
        out.data(&format!(
            "-- {} {} ({})",
            migration.id(),
            migration.name(),
            script.direction
        ));
        for statement in &script.statements {
            let statement = statement.trim_end();
            let end = if statement.ends_with(';') { "" } else { ";" };
            out.data(&format!("{statement}{end}"));
        }
        if let Some(reason) = &script.incomplete {
            out.data(&format!("-- incomplete: {reason}"));
        }
        out.data("");
    }
    ExitCode::SUCCESS
}
