//! What the command prints: one line per migration, notes under it, errors with hints. Colours
//! only on a terminal, never with `NO_COLOR` set.

use crate::args::ColorChoice;
use migrate_core::{Direction, Error, MigrationDescriptor, Observer};
use std::io::{IsTerminal, Write};
use std::time::Duration;

/// ANSI styles used in output.
#[derive(Clone, Copy)]
pub enum Style {
    Green,
    Yellow,
    Red,
    Dim,
    Bold,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Green => "32",
            Style::Yellow => "33",
            Style::Red => "1;31",
            Style::Dim => "2",
            Style::Bold => "1",
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
    interactive: bool,
}

fn color_enabled(choice: ColorChoice, is_terminal: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => is_terminal && !no_color,
    }
}

impl Output {
    pub fn new(choice: ColorChoice, quiet: bool) -> Self {
        let interactive = std::io::stdout().is_terminal();
        Output {
            color_stdout: color_enabled(choice, interactive),
            color_stderr: color_enabled(choice, std::io::stderr().is_terminal()),
            quiet,
            line_open: false,
            interactive,
        }
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
        println!("{text}");
    }

    /// Prints data on stdout, even with --quiet (JSON, dry-run SQL, tables asked for).
    pub fn data(&mut self, text: &str) {
        self.close_line();
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{text}");
    }

    pub fn warning(&mut self, text: &str) {
        self.close_line();
        eprintln!(
            "{} {text}",
            paint(self.color_stderr, Style::Yellow, "warning:")
        );
    }

    pub fn error(&mut self, error: &Error) {
        self.close_line();
        eprintln!("{} {error}", paint(self.color_stderr, Style::Red, "error:"));
        if let Some(hint) = error.hint() {
            eprintln!(
                "  {} {hint}",
                paint(self.color_stderr, Style::Bold, "hint:")
            );
        }
    }

    fn close_line(&mut self) {
        if self.line_open {
            println!();
            self.line_open = false;
        }
    }
}

fn paint(enabled: bool, style: Style, text: &str) -> String {
    if enabled {
        format!("\x1b[{}m{text}\x1b[0m", style.code())
    } else {
        text.to_owned()
    }
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
        print!("{verb:>9} {} {} ...", migration.id(), migration.name());
        let _ = std::io::stdout().flush();
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
            println!(" {} {took}", self.paint(style, "ok"));
        } else {
            let verb = self.paint(style, &format!("{verb:>9}"));
            println!("{verb} {} {} {took}", migration.id(), migration.name());
        }
    }

    fn note(&mut self, _migration: &MigrationDescriptor, text: &str) {
        if self.quiet {
            return;
        }
        self.close_line();
        for line in text.lines() {
            println!("          {}", self.paint(Style::Dim, line));
        }
    }

    fn waiting_for_lock(&mut self, holder: &str) {
        if !self.quiet {
            self.close_line();
            eprintln!("waiting for the migration lock, held by {holder} ...");
        }
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
        .with_writer(std::io::stderr)
        .with_ansi(color)
        .with_target(false)
        .try_init();
}
