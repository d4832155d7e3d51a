//! What `fleet up` and `fleet status` print: on a terminal, a line per database in flight above
//! a progress bar of the fleet (nothing while it runs elsewhere: the summary follows); then a
//! table of every database, or JSON.

use crate::exit::{exit_code, worst};
use crate::output::{Output, Style, format_duration};
use migrate_core::{
    DatabaseOutcome, DatabaseResult, DatabaseStatus, FleetObserver, FleetReport, FleetTarget,
    MigrationDescriptor, MigrationId, MigrationState, MigrationStatus, Progress,
};
use serde_json::{Value, json};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

/// The live view of a fleet run on a terminal.
pub struct FleetProgress {
    display: Option<Display>,
}

struct Display {
    multi: indicatif::MultiProgress,
    overall: indicatif::ProgressBar,
    /// The line of each database in flight, by index.
    lines: Mutex<Vec<Option<indicatif::ProgressBar>>>,
    counts: Mutex<Counts>,
    name_width: usize,
}

#[derive(Default)]
struct Counts {
    applied: usize,
    up_to_date: usize,
    failed: usize,
}

impl Counts {
    fn add(&mut self, result: &DatabaseResult) {
        match result {
            DatabaseResult::Applied(_) => self.applied += 1,
            DatabaseResult::UpToDate => self.up_to_date += 1,
            DatabaseResult::Failed { .. } => self.failed += 1,
            DatabaseResult::NotStarted => {}
        }
    }
}

/// The widest database name shown whole; longer names are cut.
const NAME_WIDTH: usize = 40;

impl FleetProgress {
    /// Drawn on stdout (stderr with `--json`, which keeps stdout for the data) when that is a
    /// terminal and not `--quiet`.
    pub fn new(targets: &[FleetTarget], json: bool, quiet: bool) -> FleetProgress {
        let terminal = if json {
            std::io::stderr().is_terminal()
        } else {
            std::io::stdout().is_terminal()
        };
        if quiet || !terminal {
            return FleetProgress { display: None };
        }
        let target = if json {
            indicatif::ProgressDrawTarget::stderr_with_hz(10)
        } else {
            indicatif::ProgressDrawTarget::stdout_with_hz(10)
        };
        let multi = indicatif::MultiProgress::with_draw_target(target);
        let overall = multi.add(indicatif::ProgressBar::new(targets.len() as u64));
        overall.set_style(style(OVERALL));
        overall.enable_steady_tick(Duration::from_millis(200));
        let name_width = targets
            .iter()
            .map(|t| t.name.chars().count())
            .max()
            .unwrap_or(0)
            .min(NAME_WIDTH);
        FleetProgress {
            display: Some(Display {
                multi,
                overall,
                lines: Mutex::new(vec![None; targets.len()]),
                counts: Mutex::new(Counts::default()),
                name_width,
            }),
        }
    }

    /// Clears the view, before the summary is printed.
    pub fn finish(&self) {
        if let Some(display) = &self.display {
            display.overall.finish_and_clear();
        }
    }

    fn set_line(&self, index: usize, message: String) {
        if let Some(display) = &self.display
            && let Some(Some(line)) = lock(&display.lines).get(index)
        {
            line.set_message(message);
        }
    }
}

/// The templates: one line per database in flight, and the fleet's bar under them.
const LINE: &str = "  {prefix} {msg}";
const OVERALL: &str = "[{bar:30}] {pos}/{len} databases, {elapsed} {msg}";

fn style(template: &str) -> indicatif::ProgressStyle {
    // The templates are constants, tested to parse; the default style is only a fallback.
    indicatif::ProgressStyle::with_template(template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ")
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `name` cut or padded to `width` characters.
fn fit(name: &str, width: usize) -> String {
    let count = name.chars().count();
    if count <= width {
        format!("{name}{}", " ".repeat(width - count))
    } else {
        let kept: String = name.chars().take(width.saturating_sub(1)).collect();
        format!("{kept}…")
    }
}

impl FleetObserver for FleetProgress {
    fn database_started(&self, index: usize, target: &FleetTarget) {
        migrate_core::LogObserver::default().database_started(index, target);
        let Some(display) = &self.display else {
            return;
        };
        let line = display.multi.insert_before(
            &display.overall,
            indicatif::ProgressBar::new_spinner()
                .with_style(style(LINE))
                .with_prefix(fit(&target.name, display.name_width))
                .with_message("connecting"),
        );
        if let Some(slot) = lock(&display.lines).get_mut(index) {
            *slot = Some(line);
        }
    }

    fn migration_started(&self, index: usize, migration: &MigrationDescriptor) {
        self.set_line(
            index,
            format!("applying {} {}", migration.id(), migration.name()),
        );
    }

    fn progress(&self, index: usize, migration: &MigrationDescriptor, progress: &Progress) {
        let rows = match progress.total {
            Some(total) => format!("{} of {total} rows", progress.done),
            None => format!("{} rows", progress.done),
        };
        self.set_line(
            index,
            format!(
                "applying {} {}: {}, {rows}",
                migration.id(),
                migration.name(),
                progress.label
            ),
        );
    }

    fn waiting_for_lock(&self, index: usize, holder: &str) {
        self.set_line(
            index,
            format!("waiting for the migration lock, held by {holder}"),
        );
    }

    fn database_finished(&self, index: usize, outcome: &DatabaseOutcome) {
        // At `info` (-v): the summary reports every failure, so the log does not repeat them.
        let database = &outcome.target.name;
        match &outcome.result {
            DatabaseResult::Failed { error, .. } => tracing::info!(%database, "failed: {error}"),
            DatabaseResult::Applied(applied) => {
                tracing::info!(%database, "applied {}", applied.len())
            }
            DatabaseResult::UpToDate => tracing::info!(%database, "up to date"),
            DatabaseResult::NotStarted => {}
        }
        let Some(display) = &self.display else {
            return;
        };
        if let Some(line) = lock(&display.lines).get_mut(index).and_then(Option::take) {
            line.finish_and_clear();
            display.multi.remove(&line);
        }
        if let Some(error) = outcome.error() {
            let _ = display
                .multi
                .println(format!("failed: {}: {error}", outcome.target.name));
        }
        let mut counts = lock(&display.counts);
        counts.add(&outcome.result);
        display.overall.set_message(format!(
            "({} applied, {} up to date, {} failed)",
            counts.applied, counts.up_to_date, counts.failed
        ));
        display.overall.inc(1);
    }
}

/// The end of `fleet up`: every database's outcome.
pub struct UpSummary<'r> {
    pub report: &'r FleetReport,
    pub elapsed: Duration,
    pub jobs: u16,
}

impl UpSummary<'_> {
    /// The worst exit status of the databases (see the README's table), 130 if interrupted.
    pub fn exit_status(&self) -> u8 {
        let failures = self
            .report
            .failed()
            .filter_map(DatabaseOutcome::error)
            .map(|e| exit_code(e.kind()));
        let interrupted = self.report.interrupted.then_some(130);
        worst(failures.chain(interrupted))
    }

    fn counts(&self) -> (Counts, usize) {
        let mut counts = Counts::default();
        for outcome in &self.report.outcomes {
            counts.add(&outcome.result);
        }
        (counts, self.report.not_started().count())
    }

    /// A table on stdout; with `--quiet`, only each failure on stderr.
    pub fn print(&self, out: &mut Output, quiet: bool) {
        if quiet {
            for outcome in &self.report.outcomes {
                if let Some(error) = outcome.error() {
                    let message = format!("{}: {error}", outcome.target.name);
                    out.error_text(&message, error.hint().as_deref());
                }
            }
            return;
        }
        let width = name_width(self.report.outcomes.iter().map(|o| &o.target));
        out.data(&format!(
            "{}  {:<26}  TIME",
            fit("DATABASE", width),
            "RESULT"
        ));
        for outcome in &self.report.outcomes {
            let (result, style) = result_text(outcome);
            let result = out.paint(style, &format!("{result:<26}"));
            let time = match outcome.result {
                DatabaseResult::NotStarted => String::new(),
                _ => format_duration(outcome.elapsed),
            };
            out.data(&format!(
                "{}  {result}  {time}",
                fit(&outcome.target.name, width)
            ));
            if let Some(error) = outcome.error() {
                out.data(&format!("    {} {error}", out.paint(Style::Red, "error:")));
                if let Some(hint) = error.hint() {
                    out.data(&format!("    {} {hint}", out.paint(Style::Bold, "hint:")));
                }
            }
            for warning in &outcome.warnings {
                out.data(&format!(
                    "    {} {warning}",
                    out.paint(Style::Yellow, "warning:")
                ));
            }
        }
        let (counts, not_started) = self.counts();
        let mut line = format!(
            "{} database(s) in {} (--jobs {}): {} applied, {} up to date, {} failed",
            self.report.outcomes.len(),
            format_duration(self.elapsed),
            self.jobs,
            counts.applied,
            counts.up_to_date,
            counts.failed
        );
        if not_started > 0 {
            let why = if self.report.interrupted {
                "interrupted"
            } else {
                "stopped after a failure"
            };
            line.push_str(&format!(", {not_started} not started ({why})"));
        }
        out.data(&line);
    }

    /// `{"databases": [...], "summary": {...}, "exit_status": N}`.
    pub fn json(&self) -> Value {
        let databases: Vec<Value> = self
            .report
            .outcomes
            .iter()
            .map(|outcome| {
                let result = match outcome.result {
                    DatabaseResult::Applied(_) => "applied",
                    DatabaseResult::UpToDate => "up_to_date",
                    DatabaseResult::Failed { .. } => "failed",
                    DatabaseResult::NotStarted => "not_started",
                };
                let applied: Vec<Value> = outcome
                    .applied()
                    .iter()
                    .map(|m| json!({"id": m.id.0, "name": m.name}))
                    .collect();
                json!({
                    "name": outcome.target.name,
                    "url": outcome.target.url.to_string(),
                    "result": result,
                    "applied": applied,
                    "elapsed_ms": outcome.elapsed.as_millis() as u64,
                    "error": outcome.error().map(|e| json!({
                        "message": e.to_string(),
                        "hint": e.hint(),
                        "exit_status": exit_code(e.kind()),
                    })),
                    "warnings": outcome.warnings,
                })
            })
            .collect();
        let (counts, not_started) = self.counts();
        json!({
            "databases": databases,
            "summary": {
                "databases": self.report.outcomes.len(),
                "applied": counts.applied,
                "up_to_date": counts.up_to_date,
                "failed": counts.failed,
                "not_started": not_started,
                "interrupted": self.report.interrupted,
                "elapsed_ms": self.elapsed.as_millis() as u64,
                "jobs": self.jobs,
            },
            "exit_status": self.exit_status(),
        })
    }
}

fn name_width<'t>(targets: impl Iterator<Item = &'t FleetTarget>) -> usize {
    targets
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp("DATABASE".len(), NAME_WIDTH)
}

fn result_text(outcome: &DatabaseOutcome) -> (String, Style) {
    match &outcome.result {
        DatabaseResult::Applied(applied) => {
            let range = match (applied.first(), applied.last()) {
                (Some(first), Some(last)) if first.id != last.id => {
                    format!(" ({}–{})", first.id, last.id)
                }
                (Some(first), _) => format!(" ({})", first.id),
                _ => String::new(),
            };
            (format!("applied {}{range}", applied.len()), Style::Green)
        }
        DatabaseResult::UpToDate => ("up to date".to_owned(), Style::Dim),
        DatabaseResult::Failed { applied, .. } if applied.is_empty() => {
            ("failed".to_owned(), Style::Red)
        }
        DatabaseResult::Failed { applied, .. } => (
            format!("failed after applying {}", applied.len()),
            Style::Red,
        ),
        DatabaseResult::NotStarted => ("not started".to_owned(), Style::Yellow),
    }
}

/// What `fleet status` shows of one database.
struct Position<'s> {
    /// The newest applied migration.
    at: Option<&'s MigrationStatus>,
    applied: usize,
    pending: usize,
    attention: Vec<&'s MigrationStatus>,
}

fn position(statuses: &[MigrationStatus]) -> Position<'_> {
    Position {
        at: statuses
            .iter()
            .filter(|s| s.state == MigrationState::Applied)
            .max_by_key(|s| s.id),
        applied: statuses
            .iter()
            .filter(|s| s.state == MigrationState::Applied)
            .count(),
        pending: statuses
            .iter()
            .filter(|s| s.state == MigrationState::Pending)
            .count(),
        attention: statuses
            .iter()
            .filter(|s| !matches!(s.state, MigrationState::Applied | MigrationState::Pending))
            .collect(),
    }
}

/// The end of `fleet status`.
pub struct StatusSummary<'s> {
    pub statuses: &'s [DatabaseStatus],
}

/// Exit status of `status` when something needs an operator.
const NEEDS_ATTENTION: u8 = 6;

impl StatusSummary<'_> {
    /// 6 when a database needs attention (as `status`), else the worst error reading one.
    pub fn exit_status(&self) -> u8 {
        worst(self.statuses.iter().map(|s| match &s.statuses {
            Ok(statuses) if statuses.iter().any(|s| s.state.needs_attention()) => NEEDS_ATTENTION,
            Ok(_) => 0,
            Err(error) => exit_code(error.kind()),
        }))
    }

    pub fn print(&self, out: &mut Output) {
        let width = name_width(self.statuses.iter().map(|s| &s.target));
        let at_width = self
            .statuses
            .iter()
            .filter_map(|s| s.statuses.as_ref().ok())
            .filter_map(|s| position(s).at)
            .map(|s| s.id.to_string().len() + 1 + s.name.chars().count())
            .max()
            .unwrap_or(0)
            .max("nothing applied".len());
        out.data(&format!(
            "{}  {:<at_width$}  PENDING  STATE",
            fit("DATABASE", width),
            "AT"
        ));
        // How many databases are at each migration, newest first.
        let mut groups: Vec<(Option<MigrationId>, String, usize)> = Vec::new();
        for status in self.statuses {
            let name = fit(&status.target.name, width);
            let statuses = match &status.statuses {
                Ok(statuses) => statuses,
                Err(error) => {
                    let error = out.paint(Style::Red, &format!("error: {error}"));
                    out.data(&format!("{name}  {:<at_width$}  {:>7}  {error}", "", ""));
                    continue;
                }
            };
            let position = position(statuses);
            let at = position.at.map_or_else(
                || "nothing applied".to_owned(),
                |s| format!("{} {}", s.id, s.name),
            );
            let state = if !position.attention.is_empty() {
                let what: Vec<String> = position
                    .attention
                    .iter()
                    .map(|s| format!("{} {}", s.id, s.state.name()))
                    .collect();
                out.paint(Style::Red, &what.join(", "))
            } else if position.pending > 0 {
                out.paint(Style::Yellow, "pending")
            } else {
                out.paint(Style::Green, "up to date")
            };
            out.data(&format!(
                "{name}  {at:<at_width$}  {:>7}  {state}",
                position.pending
            ));
            let id = position.at.map(|s| s.id);
            match groups.iter_mut().find(|(a, _, _)| *a == id) {
                Some((_, _, n)) => *n += 1,
                None => groups.push((id, at, 1)),
            }
        }
        let unreadable = self.statuses.iter().filter(|s| s.statuses.is_err()).count();
        groups.sort_by_key(|group| std::cmp::Reverse(group.0));
        let mut parts: Vec<String> = groups
            .iter()
            .map(|(id, at, n)| match id {
                Some(_) => format!("{n} at {at}"),
                None => format!("{n} with nothing applied"),
            })
            .collect();
        if unreadable > 0 {
            parts.push(format!("{unreadable} unreadable"));
        }
        out.data(&format!(
            "{} database(s): {}",
            self.statuses.len(),
            parts.join(", ")
        ));
    }

    /// One object per database: `name`, `url`, `at` (`{id, name}` or null), `applied`,
    /// `pending`, `attention` (`[{id, name, state}]`), `error` (or null).
    pub fn json(&self) -> Value {
        let rows: Vec<Value> = self
            .statuses
            .iter()
            .map(|status| {
                let base = json!({
                    "name": status.target.name,
                    "url": status.target.url.to_string(),
                });
                let mut row = match &status.statuses {
                    Ok(statuses) => {
                        let position = position(statuses);
                        json!({
                            "at": position.at.map(|s| json!({"id": s.id.0, "name": s.name})),
                            "applied": position.applied,
                            "pending": position.pending,
                            "attention": position.attention.iter().map(|s| json!({
                                "id": s.id.0, "name": s.name, "state": s.state.name(),
                            })).collect::<Vec<_>>(),
                            "error": Value::Null,
                        })
                    }
                    Err(error) => json!({
                        "at": Value::Null,
                        "applied": Value::Null,
                        "pending": Value::Null,
                        "attention": [],
                        "error": {
                            "message": error.to_string(),
                            "hint": error.hint(),
                            "exit_status": exit_code(error.kind()),
                        },
                    }),
                };
                if let (Some(row), Some(base)) = (row.as_object_mut(), base.as_object()) {
                    for (key, value) in base {
                        row.insert(key.clone(), value.clone());
                    }
                }
                row
            })
            .collect();
        Value::Array(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse() {
        for template in [LINE, OVERALL] {
            assert!(
                indicatif::ProgressStyle::with_template(template).is_ok(),
                "{template}"
            );
        }
    }

    #[test]
    fn names_are_fitted_to_the_column() {
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("ünï", 3), "ünï");
    }
}
