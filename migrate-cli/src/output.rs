//! What the command prints: one line per migration, notes under it, errors with hints. Colours
//! as `anstream` decides for the stream (a terminal, and neither `NO_COLOR` nor `TERM=dumb`;
//! `CLICOLOR_FORCE` forces them), unless `--color always|never` says otherwise.
//!
//! Output is never a reason to stop a migration: a closed pipe (`migrate up | head -1`) or a full
//! disk (`>/dev/full`) must not turn into a panic or an error inside a migration's transaction.
//! Every write goes through [`Output::write_stdout`] / [`Output::write_stderr`], which remember the
//! first failure of each stream, stop writing to it, and let the run finish;
//! [`Output::report_lost_output`] mentions it at the end.

use crate::args::ColorChoice;
use crate::redact::redact;
use migrate_core::{Direction, Error, LockWarning, MigrationDescriptor, Observer, Progress};
use std::io::{IsTerminal, Write};
use std::time::Duration;

/// The styles used in output.
#[derive(Clone, Copy)]
pub enum Style {
    Green,
    Yellow,
    Red,
    Dim,
    Bold,
}

impl Style {
    fn anstyle(self) -> anstyle::Style {
        use anstyle::{AnsiColor, Effects};
        let color = |c: AnsiColor| anstyle::Style::new().fg_color(Some(c.into()));
        match self {
            Style::Green => color(AnsiColor::Green),
            Style::Yellow => color(AnsiColor::Yellow),
            Style::Red => color(AnsiColor::Red).effects(Effects::BOLD),
            Style::Dim => anstyle::Style::new().effects(Effects::DIMMED),
            Style::Bold => anstyle::Style::new().effects(Effects::BOLD),
        }
    }
}

/// The command's output streams and their settings.
pub struct Output {
    color_stdout: bool,
    color_stderr: bool,
    quiet: bool,
    /// A "applying ..." line was started on a terminal and awaits its result.
    line_open: bool,
    /// The progress line of a batched step, on screen until anything else is printed.
    bar: Option<indicatif::ProgressBar>,
    interactive: bool,
    /// The first write error on stdout; nothing more is written there after it.
    stdout_failed: Option<std::io::Error>,
    /// The first write error on stderr.
    stderr_failed: Option<std::io::Error>,
}

fn color_enabled(choice: ColorChoice, stream: &impl anstream::stream::RawStream) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => anstream::AutoStream::choice(stream) != anstream::ColorChoice::Never,
    }
}

impl Output {
    pub fn new(choice: ColorChoice, quiet: bool) -> Self {
        let interactive = std::io::stdout().is_terminal();
        Output {
            color_stdout: color_enabled(choice, &std::io::stdout()),
            color_stderr: color_enabled(choice, &std::io::stderr()),
            quiet,
            line_open: false,
            bar: None,
            interactive,
            stdout_failed: None,
            stderr_failed: None,
        }
    }

    /// Writes `text` to stdout, credentials hidden, and flushes; a failure is remembered, never
    /// returned.
    fn write_stdout(&mut self, text: &str) {
        if self.stdout_failed.is_some() {
            return;
        }
        let text = redact(text);
        let mut stdout = std::io::stdout().lock();
        if let Err(error) = stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
        {
            self.stdout_failed = Some(error);
        }
    }

    /// Writes `text` to stderr, credentials hidden; a failure is remembered, never returned.
    fn write_stderr(&mut self, text: &str) {
        if self.stderr_failed.is_some() {
            return;
        }
        let text = redact(text);
        if let Err(error) = std::io::stderr().lock().write_all(text.as_bytes()) {
            self.stderr_failed = Some(error);
        }
    }

    /// Says, on stderr, that some output could not be written (a broken pipe is the reader's
    /// choice, as with `| head`, and is only logged).
    pub fn report_lost_output(&mut self) {
        let Some(error) = &self.stdout_failed else {
            return;
        };
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            tracing::info!("stdout was closed before all output was written");
            return;
        }
        let text = format!(
            "some output could not be written to stdout ({error}); the command itself ran to completion"
        );
        self.warning(&text);
    }

    pub fn color_enabled_stderr(&self) -> bool {
        self.color_stderr
    }

    /// `text` in `style` on stdout, if colours are on.
    pub fn paint(&self, style: Style, text: &str) -> String {
        paint(self.color_stdout, style, text)
    }

    /// Prints a line on stdout (suppressed by --quiet).
    pub fn line(&mut self, text: &str) {
        if self.quiet {
            return;
        }
        self.close_line();
        self.write_stdout(&format!("{text}\n"));
    }

    /// Prints data on stdout, even with --quiet (JSON, dry-run SQL, tables asked for).
    pub fn data(&mut self, text: &str) {
        self.close_line();
        self.write_stdout(&format!("{text}\n"));
    }

    pub fn warning(&mut self, text: &str) {
        self.close_line();
        let warning = paint(self.color_stderr, Style::Yellow, "warning:");
        self.write_stderr(&format!("{warning} {text}\n"));
    }

    pub fn error(&mut self, error: &Error) {
        self.error_text(&error.to_string(), error.hint().as_deref());
    }

    /// An error given as its text and hint, on stderr (even with --quiet).
    pub fn error_text(&mut self, message: &str, hint: Option<&str>) {
        self.close_line();
        let mut text = format!(
            "{} {message}\n",
            paint(self.color_stderr, Style::Red, "error:")
        );
        if let Some(hint) = hint {
            let label = paint(self.color_stderr, Style::Bold, "hint:");
            text.push_str(&format!("  {label} {hint}\n"));
        }
        self.write_stderr(&text);
    }

    fn close_line(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if self.line_open {
            self.write_stdout("\n");
            self.line_open = false;
        }
    }
}

fn paint(enabled: bool, style: Style, text: &str) -> String {
    if enabled {
        let style = style.anstyle();
        format!("{style}{text}{style:#}")
    } else {
        text.to_owned()
    }
}

/// `12,345,678`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The progress line: rows done (of how many), rate and time left.
fn progress_line(progress: &Progress) -> String {
    let seconds = progress.elapsed.as_secs_f64().max(1e-3);
    let rate = progress.done as f64 / seconds;
    let mut line = format!("  {}: {} rows", progress.label, thousands(progress.done));
    if let Some(total) = progress.total.filter(|t| *t > 0) {
        let percent = (progress.done as f64 * 100.0 / total as f64).min(100.0);
        line.push_str(&format!(" of {} ({percent:.0}%)", thousands(total)));
        if rate > 0.0 && progress.done < total {
            let left = Duration::from_secs_f64((total - progress.done) as f64 / rate);
            line.push_str(&format!(", {} left", format_duration(left)));
        }
    }
    line.push_str(&format!(", {} rows/s", thousands(rate as u64)));
    line
}

/// The progress line on a terminal: rows done (of how many), rate and time left, redrawn at most
/// ten times a second, on stdout like the rest of the run's output.
fn progress_bar(progress: &Progress) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        progress.total.filter(|t| *t > 0),
        indicatif::ProgressDrawTarget::stdout_with_hz(10),
    )
    .with_elapsed(progress.elapsed)
    .with_prefix(progress.label.clone());
    bar.set_style(progress_style(progress.total.is_some_and(|t| t > 0)));
    bar
}

/// The templates of the progress line, with and without a known total.
const PROGRESS_WITH_TOTAL: &str =
    "  {prefix}: {human_pos} rows of {human_len} ({percent}%), {left} left, {rate} rows/s";
const PROGRESS_WITHOUT_TOTAL: &str = "  {prefix}: {human_pos} rows, {rate} rows/s";

fn progress_style(with_total: bool) -> indicatif::ProgressStyle {
    let template = if with_total {
        PROGRESS_WITH_TOTAL
    } else {
        PROGRESS_WITHOUT_TOTAL
    };
    // The templates are constants, tested to parse; the default style is only a fallback.
    indicatif::ProgressStyle::with_template(template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
        // Rate and time left over the whole step so far (as in the summary and the log line),
        // not indicatif's recent-steps estimate, which swings with batch sizes.
        .with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&thousands(overall_rate(state) as u64));
            },
        )
        .with_key(
            "left",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let rate = overall_rate(state);
                let rest = state.len().unwrap_or(0).saturating_sub(state.pos());
                let left = if rate > 0.0 {
                    format_duration(Duration::from_secs_f64(rest as f64 / rate))
                } else {
                    "?".to_owned()
                };
                let _ = w.write_str(&left);
            },
        )
}

/// Rows per second since the step started.
fn overall_rate(state: &indicatif::ProgressState) -> f64 {
    state.pos() as f64 / state.elapsed().as_secs_f64().max(1e-3)
}

pub fn format_duration(elapsed: Duration) -> String {
    let ms = elapsed.as_secs_f64() * 1000.0;
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// Reports a run as it goes: on a terminal, "applying N name ..." then its result on the same
/// line; elsewhere one line per finished migration.
impl Observer for Output {
    fn migration_started(&mut self, migration: &MigrationDescriptor, direction: Direction) {
        if self.quiet || !self.interactive {
            return;
        }
        self.close_line();
        let verb = match direction {
            Direction::Up => "applying",
            Direction::Down => "reverting",
        };
        self.write_stdout(&format!(
            "{verb:>9} {} {} ...",
            migration.id(),
            migration.name()
        ));
        self.line_open = true;
    }

    fn migration_finished(
        &mut self,
        migration: &MigrationDescriptor,
        direction: Direction,
        elapsed: Duration,
    ) {
        if self.quiet {
            return;
        }
        let (verb, style) = match direction {
            Direction::Up => ("applied", Style::Green),
            Direction::Down => ("reverted", Style::Yellow),
        };
        let took = self.paint(Style::Dim, &format!("({})", format_duration(elapsed)));
        if self.line_open {
            self.line_open = false;
            let ok = self.paint(style, "ok");
            self.write_stdout(&format!(" {ok} {took}\n"));
        } else {
            let verb = self.paint(style, &format!("{verb:>9}"));
            self.write_stdout(&format!(
                "{verb} {} {} {took}\n",
                migration.id(),
                migration.name()
            ));
        }
    }

    fn note(&mut self, _migration: &MigrationDescriptor, text: &str) {
        if self.quiet {
            return;
        }
        self.close_line();
        for line in text.lines() {
            let line = self.paint(Style::Dim, line);
            self.write_stdout(&format!("          {line}\n"));
        }
    }

    fn waiting_for_lock(&mut self, holder: &str) {
        if !self.quiet {
            self.close_line();
            self.write_stderr(&format!(
                "waiting for the migration lock, held by {holder} ...\n"
            ));
        }
    }

    /// On stderr, before the migration's "applying" line (not with --quiet).
    fn lock_warning(&mut self, warning: &LockWarning) {
        if !self.quiet {
            self.warning(&warning.to_string());
        }
    }

    /// On a terminal, one line redrawn in place (indicatif); elsewhere nothing (the summary note follows),
    /// except a log line every 10 batches at `-v`.
    fn progress(&mut self, migration: &MigrationDescriptor, progress: &Progress) {
        if !self.interactive {
            if progress.batches.is_multiple_of(10) || progress.finished {
                tracing::info!(migration = %migration.id(), "{}", progress_line(progress).trim());
            }
            return;
        }
        if self.quiet {
            return;
        }
        if progress.finished {
            self.close_line();
            return;
        }
        if self.line_open {
            self.write_stdout("\n");
            self.line_open = false;
        }
        let bar = self.bar.get_or_insert_with(|| progress_bar(progress));
        if let Some(total) = progress.total.filter(|t| *t > 0)
            && bar.length() != Some(total)
        {
            bar.set_length(total);
        }
        bar.set_position(progress.done);
    }
}

/// Sends `tracing` output to stderr: warnings by default, more with -v, `RUST_LOG` overrides.
pub fn init_logging(verbose: u8, color: bool) {
    use tracing_subscriber::EnvFilter;
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(crate::redact::RedactedStderr::default)
        .with_ansi(color)
        .with_target(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_templates_parse() {
        for template in [PROGRESS_WITH_TOTAL, PROGRESS_WITHOUT_TOTAL] {
            assert!(
                indicatif::ProgressStyle::with_template(template).is_ok(),
                "{template}"
            );
        }
    }

    #[test]
    fn paint_only_when_enabled() {
        assert_eq!(paint(false, Style::Green, "ok"), "ok");
        assert_eq!(paint(true, Style::Green, "ok"), "\x1b[32mok\x1b[0m");
        assert_eq!(
            paint(true, Style::Red, "error:"),
            "\x1b[1m\x1b[31merror:\x1b[0m"
        );
    }

    #[test]
    fn an_explicit_choice_wins_over_the_stream() {
        // A buffer is not a terminal: `auto` gives no colours, unless the environment forces them.
        let forced = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0");
        let buffer: Vec<u8> = Vec::new();
        assert_eq!(color_enabled(ColorChoice::Auto, &buffer), forced);
        assert!(color_enabled(ColorChoice::Always, &buffer));
        assert!(!color_enabled(ColorChoice::Never, &buffer));
    }

    #[test]
    fn progress_shows_rows_rate_and_time_left() {
        let progress = Progress {
            label: "backfill orders.status".into(),
            done: 250_000,
            total: Some(1_000_000),
            elapsed: Duration::from_secs(5),
            batches: 25,
            longest_batch: Duration::from_millis(90),
            finished: false,
        };
        assert_eq!(
            progress_line(&progress),
            "  backfill orders.status: 250,000 rows of 1,000,000 (25%), 15.00 s left, 50,000 rows/s"
        );
    }
}
