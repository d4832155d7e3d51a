//! The `migrate` command, as a library: a crate's `migrate` binary is two lines.
//!
//! ```no_run
//! // src/bin/migrate.rs
//! # mod shop { pub mod migrations { migrate_core::migration_set! { pub static MIGRATIONS; } } }
//! fn main() -> std::process::ExitCode {
//!     migrate_cli::Cli::new(&shop::migrations::MIGRATIONS)
//!         .default_database_url("sqlite://shop.db")
//!         .run()
//! }
//! ```
//!
//! `cargo run --bin migrate -- --help` lists the commands. The database URL comes from
//! `--database-url`, else `DATABASE_URL` (also read from a `.env` file), else the binary's default.

mod args;
mod commands;
mod dotenv;
mod exit;
mod fleet_output;
mod output;
mod redact;
mod schema_file;
mod set_files;

use clap::Parser;
use migrate_core::{DatabaseUrl, MigrationSet};
use std::ffi::OsString;
use std::process::ExitCode;

pub use exit::exit_code;

/// The `migrate` command for one migration set.
#[derive(Debug, Clone)]
pub struct Cli {
    set: &'static MigrationSet,
    default_database_url: Option<&'static str>,
}

impl Cli {
    /// The command for the migrations of `set`.
    ///
    /// Taking the set by reference is what links the crate that defines the migrations into the
    /// binary, so none of its migrations can be dropped by the linker.
    pub fn new(set: &'static MigrationSet) -> Self {
        Cli {
            set,
            default_database_url: None,
        }
    }

    /// The URL used when neither `--database-url` nor `DATABASE_URL` (or `.env`) gives one.
    pub fn default_database_url(mut self, url: &'static str) -> Self {
        self.default_database_url = Some(url);
        self
    }

    /// Runs the command with the process's arguments and returns its exit status.
    pub fn run(self) -> ExitCode {
        self.run_from(std::env::args_os())
    }

    /// Runs the command with `args` (the first being the program name).
    pub fn run_from<I, T>(self, args: I) -> ExitCode
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        // `.env` first, so `DATABASE_URL` from it is seen by the argument parser; variables
        // already set win over the file, as everywhere else.
        let dotenv = dotenv::load();
        let args = match args::Args::try_parse_from(args) {
            Ok(args) => args,
            Err(e) => return usage_error(&e),
        };
        if args.database_url.len() > 1 && !matches!(args.command, args::Command::Fleet(_)) {
            use clap::CommandFactory;
            let error = args::Args::command().error(
                clap::error::ErrorKind::ArgumentConflict,
                "--database-url was given more than once: only `migrate fleet` takes several databases",
            );
            return usage_error(&error);
        }
        install_signal_handler();
        let mut out = output::Output::new(args.color, args.quiet);
        output::init_logging(args.verbose, out.color_enabled_stderr());
        let outcome = dotenv.and_then(|_| commands::run(&self, &args, &mut out));
        let code = match outcome {
            Ok(code) => code,
            Err(error) => {
                out.error(&error);
                ExitCode::from(exit::exit_code(error.kind()))
            }
        };
        // Output that could not be written never stopped the work; say so now, if possible.
        out.report_lost_output();
        code
    }

    /// The URL `--database-url` (or the environment, or `.env`) gives; the binary's default only
    /// when no URL was configured anywhere.
    fn database_url(&self, given: Option<&str>) -> migrate_core::Result<DatabaseUrl> {
        // A set-but-empty DATABASE_URL is a mistake in the deployment, not a request for the
        // default database.
        let empty = || {
            migrate_core::Error::Configuration {
            message: "the database URL is set but empty (DATABASE_URL or --database-url)".into(),
            hint: "set it to the database's URL, unset DATABASE_URL to use the binary's default, or pass --database-url".into(),
        }
        };
        let from_env = std::env::var("DATABASE_URL").ok();
        match given.or(from_env.as_deref()) {
            Some(url) if url.trim().is_empty() => return Err(empty()),
            Some(url) => return url.parse().inspect(redact::remember),
            None if std::env::var_os("DATABASE_URL").is_some() => return Err(empty()),
            None => {}
        }
        match self.default_database_url {
            Some(url) => url.parse().inspect(redact::remember),
            None => Err(migrate_core::Error::InvalidUrl {
                url: String::new(),
                reason: "no database URL given: pass --database-url, set DATABASE_URL (or put it in .env)".into(),
            }),
        }
    }
}

/// Prints an argument error (or `--help`/`--version`) with any credential in it hidden: clap
/// echoes unexpected arguments, which may be a database URL.
fn usage_error(error: &clap::Error) -> ExitCode {
    use std::io::Write;
    let text = redact::redact(&error.render().to_string());
    let status = if error.use_stderr() {
        let _ = write!(std::io::stderr(), "{text}");
        exit::USAGE
    } else {
        let _ = write!(std::io::stdout(), "{text}");
        0
    };
    ExitCode::from(status)
}

/// SIGINT/SIGTERM ask running migrations to stop at the next safe point (after a committed batch,
/// or between migrations); a second signal stops at once, which the database survives by rolling
/// back the open transaction.
fn install_signal_handler() {
    use std::io::Write;
    // Writes may fail (a closed terminal): they must not stop the handler.
    let installed = ctrlc::set_handler(|| {
        if migrate_core::interrupt::requested() {
            let _ = writeln!(std::io::stderr(), "\nstopping now");
            std::process::exit(130);
        }
        migrate_core::interrupt::request();
        let _ = writeln!(
            std::io::stderr(),
            "\nstopping after the current batch or migration (signal again to stop now) ..."
        );
    });
    if let Err(error) = installed {
        tracing::warn!("cannot handle SIGINT/SIGTERM: {error}");
    }
}
