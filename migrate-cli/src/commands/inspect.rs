//! `status`, `history` and `check`: the commands that only read.

use super::Session;
use crate::args::CheckArgs;
use crate::output::{Output, Style};
use crate::schema_file::SchemaConfig;
use migrate_core::{LockWarning, MigrationState, MigrationStatus, Result, RunOptions, Runner};
use serde_json::{Value, json};
use std::process::ExitCode;

/// Exit status of `status` and `check` when something needs an operator.
const NEEDS_ATTENTION: u8 = 6;

fn statuses(session: &Session) -> Result<Vec<MigrationStatus>> {
    let mut conn = session.connect_existing()?;
    Runner::new(&mut conn, &session.registry)
        .history_table(session.history())
        .status()
}

fn status_json(status: &MigrationStatus) -> Value {
    let entry = status.entry.as_ref();
    json!({
        "id": status.id.0,
        "name": status.name,
        "state": status.state.name(),
        "applied_at": status.applied_at(),
        "execution_ms": entry.and_then(|e| e.execution_ms),
        "checksum": status.descriptor.map(|d| d.checksum()),
        "recorded_checksum": entry.map(|e| e.checksum.as_str()),
        "description": status.descriptor.map(|d| d.description()),
        "detail": status.detail(),
    })
}

fn state_style(state: MigrationState) -> Style {
    match state {
        MigrationState::Applied => Style::Green,
        MigrationState::Pending | MigrationState::Interrupted | MigrationState::Running => {
            Style::Yellow
        }
        MigrationState::Changed | MigrationState::Missing | MigrationState::Failed => Style::Red,
    }
}

pub fn status(session: &Session, json: bool, out: &mut Output) -> Result<ExitCode> {
    let (statuses, to_adopt) = {
        let mut conn = session.connect_existing()?;
        let mut runner = Runner::new(&mut conn, &session.registry).history_table(session.history());
        (runner.status()?, runner.diesel_history_to_adopt()?)
    };
    let attention = statuses.iter().any(|s| s.state.needs_attention());
    if json {
        let rows: Vec<Value> = statuses.iter().map(status_json).collect();
        out.data(&Value::Array(rows).to_string());
    } else if statuses.is_empty() {
        out.data(&format!(
            "no migrations are defined in `{}`",
            session.cli.set.module()
        ));
    } else {
        let width = statuses
            .iter()
            .map(|s| s.name.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let id_width = id_width(&statuses);
        out.data(&format!(
            "{:>id_width$}  {:<width$}  {:<11}  APPLIED AT",
            "ID", "NAME", "STATE"
        ));
        for s in &statuses {
            let state = out.paint(state_style(s.state), &format!("{:<11}", s.state.name()));
            let applied_at = s.applied_at().unwrap_or("");
            out.data(&format!(
                "{:>id_width$}  {:<width$}  {state}  {applied_at}",
                s.id, s.name
            ));
            if let Some(detail) = s.detail() {
                out.data(&format!(
                    "{:>id_width$}  {}",
                    "",
                    out.paint(Style::Dim, &detail)
                ));
            }
        }
        if let Some(adoption) = to_adopt {
            out.data(&format!(
                "Diesel applied {} of these (__diesel_schema_migrations): the first `up` records them as applied without running them (`migrate adopt-diesel` does only that)",
                adoption.adopted.len()
            ));
        }
    }
    Ok(if attention {
        ExitCode::from(NEEDS_ATTENTION)
    } else {
        ExitCode::SUCCESS
    })
}

/// The width of the id column: six, or the longest id (timestamp ids have fourteen digits).
fn id_width(statuses: &[MigrationStatus]) -> usize {
    statuses
        .iter()
        .map(|s| s.id.to_string().len())
        .max()
        .unwrap_or(0)
        .max(6)
}

pub fn history(session: &Session, json: bool, out: &mut Output) -> Result<ExitCode> {
    let applied: Vec<MigrationStatus> = statuses(session)?
        .into_iter()
        .filter(|s| s.entry.is_some())
        .collect();
    if json {
        let rows: Vec<Value> = applied.iter().map(status_json).collect();
        out.data(&Value::Array(rows).to_string());
        return Ok(ExitCode::SUCCESS);
    }
    if applied.is_empty() {
        out.data("no migration has been applied");
        return Ok(ExitCode::SUCCESS);
    }
    let width = applied
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let id_width = id_width(&applied);
    out.data(&format!(
        "{:>id_width$}  {:<width$}  {:<20}  {:>10}  STATE",
        "ID", "NAME", "APPLIED AT", "DURATION"
    ));
    for s in &applied {
        let entry = s.entry.as_ref();
        let duration = entry
            .and_then(|e| e.execution_ms)
            .map_or_else(String::new, |ms| format!("{ms} ms"));
        out.data(&format!(
            "{:>id_width$}  {:<width$}  {:<20}  {duration:>10}  {}",
            s.id,
            s.name,
            s.applied_at().unwrap_or(""),
            out.paint(state_style(s.state), s.state.name())
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// `print-schema`: what `up` writes to diesel.toml's `[print_schema] file`, on stdout, with its
/// `schema` and `filter` when there is one.
pub fn print_schema(session: &Session, out: &mut Output) -> Result<ExitCode> {
    let config = SchemaConfig::find()?.unwrap_or_default();
    let mut conn = session.connect_existing()?;
    let text = config.generate(&mut conn, &session.args.history_table)?;
    out.data(text.trim_end_matches('\n'));
    Ok(ExitCode::SUCCESS)
}

pub fn check(session: &Session, args: &CheckArgs, out: &mut Output) -> Result<ExitCode> {
    // The registry was built (and duplicate ids rejected) before any command ran.
    let mut problems: Vec<String> = Vec::new();
    if session.registry.is_empty() {
        problems.push(format!(
            "no migrations are defined under `{}`: check that the migration modules are declared with `mod` in it",
            session.cli.set.module()
        ));
    }
    problems.extend(session.undeclared.iter().map(|file| file.message()));
    let statuses = statuses(session)?;
    for s in statuses.iter().filter(|s| s.state.needs_attention()) {
        let mut line = format!("migration {} `{}` is {}", s.id, s.name, s.state);
        if let Some(detail) = s.detail() {
            line.push_str(&format!(": {detail}"));
        }
        problems.push(line);
    }
    let pending: Vec<&MigrationStatus> = statuses
        .iter()
        .filter(|s| {
            matches!(
                s.state,
                MigrationState::Pending | MigrationState::Interrupted
            )
        })
        .collect();
    if args.require_up_to_date && !pending.is_empty() {
        problems.push(format!(
            "{} migration(s) are not applied: {}",
            pending.len(),
            pending
                .iter()
                .map(|s| s.id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if args.schema {
        match SchemaConfig::find()? {
            None => problems
                .push("--schema: no diesel.toml with a [print_schema] `file` was found".to_owned()),
            Some(config) => {
                let mut conn = session.connect_existing()?;
                if let Some(difference) = config.compare(&mut conn, &session.args.history_table)? {
                    problems.push(format!(
                        "{difference}; `migrate up` (or `down`/`redo`) rewrites it"
                    ));
                }
            }
        }
    }
    // Warnings do not fail the check (exit 0): the migration is valid, and may be meant to
    // run in one transaction during a maintenance window.
    let warnings = if pending.is_empty() {
        Vec::new()
    } else {
        lock_warnings(session)?
    };
    if args.json {
        out.data(
            &json!({
                "ok": problems.is_empty(),
                "migrations": session.registry.len(),
                "pending": pending.iter().map(|s| s.id.0).collect::<Vec<_>>(),
                "problems": problems,
                "warnings": warnings.iter().map(warning_json).collect::<Vec<_>>(),
            })
            .to_string(),
        );
    } else {
        for warning in &warnings {
            out.data(&format!(
                "{} {warning}",
                out.paint(Style::Yellow, "warning:")
            ));
        }
        if problems.is_empty() {
            let warned = match warnings.len() {
                0 => String::new(),
                1 => ", 1 lock warning".to_owned(),
                n => format!(", {n} lock warnings"),
            };
            out.line(&format!(
                "ok: {} migrations, {} pending, nothing needs attention{warned}",
                session.registry.len(),
                pending.len()
            ));
        }
        for problem in &problems {
            out.data(&format!("{} {problem}", out.paint(Style::Red, "problem:")));
        }
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(NEEDS_ATTENTION)
    })
}

/// The pending migrations' lock warnings, from a recording pass of each on the database.
fn lock_warnings(session: &Session) -> Result<Vec<LockWarning>> {
    let mut conn = session.connect_existing()?;
    Runner::new(&mut conn, &session.registry)
        .history_table(session.history())
        .options(RunOptions {
            large_table_rows: session.args.large_table_rows,
            ..RunOptions::default()
        })
        .lock_warnings_up(None)
}

fn warning_json(warning: &LockWarning) -> Value {
    json!({
        "id": warning.id.0,
        "name": warning.name,
        "table": warning.table(),
        "statement": warning.hold.statement,
        "lock": warning.lock(),
        "rows": warning.rows.rows(),
        "rows_from": warning.rows.source(),
        "message": warning.to_string(),
    })
}
