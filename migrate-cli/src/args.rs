//! The command line.

use clap::{ArgGroup, Args as ClapArgs, Parser, Subcommand, ValueEnum};

// Bounds of the settings: beyond them a value is a mistake (a unit mixed up, a digit too many)
// that would make a run wait for days, and is refused by the argument parser (status 2).

/// `--lock-timeout`: a day.
const MAX_LOCK_TIMEOUT_SECS: u64 = 86_400;
/// `--ddl-lock-timeout`: ten minutes.
const MAX_DDL_LOCK_TIMEOUT_MS: u64 = 600_000;
/// `--ddl-attempts`.
const MAX_DDL_ATTEMPTS: i64 = 100;
/// `--batch-time`, `--batch-pause`, `--max-commit-time`: a minute.
const MAX_BATCH_MS: u64 = 60_000;

/// Apply, revert and inspect database migrations.
#[derive(Debug, Parser)]
#[command(
    name = "migrate",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Args {
    /// Database URL: postgres://user:pass@host/db, mysql://user:pass@host/db, sqlite://file.db or
    /// sqlite::memory: [default: $DATABASE_URL, then .env, then the binary's default]; `fleet`
    /// takes it several times
    // Not clap's `env`: `fleet` must tell URLs given here (its databases) from DATABASE_URL
    // (the server its patterns list tenants on); `Cli::database_url` reads the environment.
    #[arg(long, global = true, value_name = "URL", action = clap::ArgAction::Append)]
    pub database_url: Vec<String>,

    /// Table that records applied migrations
    #[arg(
        long,
        global = true,
        default_value = "_migrate_history",
        value_name = "NAME"
    )]
    pub history_table: String,

    /// Seconds to wait for another run holding the migration lock (at most a day)
    #[arg(long, global = true, default_value_t = 60, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(0..=MAX_LOCK_TIMEOUT_SECS))]
    pub lock_timeout: u64,

    /// Milliseconds a statement waits for a table's lock (held by another session) before its
    /// step rolls back and is tried again, so the application never queues behind a migration
    /// for longer (MySQL/MariaDB count whole seconds: at least 1 s there; at most 10 minutes)
    #[arg(long, global = true, default_value_t = 500, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=MAX_DDL_LOCK_TIMEOUT_MS))]
    pub ddl_lock_timeout: u64,

    /// How many times a step (or a migration run in one transaction) is tried when it times out
    /// waiting for a lock, with growing pauses (at most 100)
    #[arg(long, global = true, default_value_t = 5, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=MAX_DDL_ATTEMPTS))]
    pub ddl_attempts: u32,

    /// Above how many rows a table is large: `check` and `up` warn when a migration run in one
    /// transaction would lock such a table until it commits (row estimate from the catalog)
    #[arg(long, global = true, default_value_t = migrate_core::DEFAULT_LARGE_TABLE_ROWS, value_name = "ROWS")]
    pub large_table_rows: u64,

    /// Milliseconds each batch of a batched helper aims to take, unless the helper sets its own
    /// `target_ms`: it holds its rows' locks and the application's commits wait for its commit
    /// [default: 10 on PostgreSQL, 40 on MySQL and SQLite; at most a minute]
    #[arg(long, global = true, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..=MAX_BATCH_MS))]
    pub batch_time: Option<u64>,

    /// Milliseconds a batched helper rests after each batch, unless it sets its own `pause_ms`:
    /// room for the application's writes [default: 20 on SQLite, 0 on PostgreSQL and MySQL; at
    /// most a minute]
    #[arg(long, global = true, value_name = "MS", value_parser = clap::value_parser!(u64).range(0..=MAX_BATCH_MS))]
    pub batch_pause: Option<u64>,

    /// Milliseconds above which a batch's commit makes its helper back off, resting twice that
    /// commit's time: the server's log flushes are behind and the application's commits wait as
    /// long; 0 never backs off [default: 50; at most a minute]
    #[arg(long, global = true, value_name = "MS", value_parser = clap::value_parser!(u64).range(0..=MAX_BATCH_MS))]
    pub max_commit_time: Option<u64>,

    /// When to use colours [auto: on a terminal; NO_COLOR turns them off, CLICOLOR_FORCE on]
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// More log output on stderr (-v info, -vv debug); RUST_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print only errors
    #[arg(short, long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations in order
    Up(UpArgs),
    /// Revert applied migrations, newest first (one by default)
    Down(DownArgs),
    /// Revert the newest applied migration and apply it again
    Redo(SafetyArgs),
    /// List every known and every applied migration with its state
    Status(JsonArgs),
    /// List applied migrations with when they ran and how long they took
    History(JsonArgs),
    /// Validate the migrations and compare them with the database
    Check(CheckArgs),
    /// Create a new migration with the next id in the migrations module
    New(NewArgs),
    /// Decide about a failed, interrupted, changed or missing migration
    Resolve(ResolveArgs),
    /// Record the migrations Diesel applied (__diesel_schema_migrations) as applied, running none
    AdoptDiesel,
    /// Print the schema.rs that Diesel's print-schema writes for the database
    PrintSchema,
    /// Apply the migrations to many databases (tenants, shards), or show where each one is
    #[command(subcommand)]
    Fleet(FleetCommand),
}

#[derive(Debug, Subcommand)]
pub enum FleetCommand {
    /// Apply pending migrations to every database of the fleet, several at once
    Up(FleetUpArgs),
    /// Show which migration each database of the fleet is at
    Status(FleetStatusArgs),
}

/// The databases of a fleet: `--database-url` (repeated), a file of URLs, or tenants matching a
/// pattern (on the server of `--database-url` or DATABASE_URL); several sources add up.
#[derive(Debug, ClapArgs)]
#[command(next_help_heading = "Fleet")]
pub struct FleetTargetArgs {
    /// A file of database URLs, one per line (blank lines and `#` comments skipped)
    #[arg(long, value_name = "FILE")]
    pub url_file: Vec<std::path::PathBuf>,
    /// The PostgreSQL schemas matching PATTERN in the database of --database-url, each a tenant
    /// (`*` matches any characters, `?` one; e.g. 'tenant_*')
    #[arg(long, value_name = "PATTERN")]
    pub schemas: Option<String>,
    /// The MySQL/MariaDB databases matching PATTERN on the server of --database-url, each a tenant
    #[arg(long, value_name = "PATTERN")]
    pub mysql_databases: Option<String>,
    /// The SQLite files matching PATTERN, each a tenant (wildcards in the file name only: 'tenants/*.db')
    #[arg(long, value_name = "PATTERN")]
    pub sqlite_files: Option<String>,
    /// At most N databases at once, each on its own connection
    #[arg(short, long, default_value_t = 4, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: u16,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, ClapArgs)]
pub struct FleetUpArgs {
    #[command(flatten)]
    pub targets: FleetTargetArgs,
    /// Migrate the first K databases first, and start no other if one of them fails
    #[arg(long, default_value_t = 0, value_name = "K")]
    pub canary: usize,
    /// After a failure, go on starting the other databases [default: start no new one]
    #[arg(long)]
    pub keep_going: bool,
    /// Apply up to and including this id
    #[arg(long, value_name = "ID")]
    pub to: Option<u64>,
    /// Also apply migrations older than the newest applied one (merged from another branch)
    #[arg(long)]
    pub out_of_order: bool,
    #[command(flatten)]
    pub safety: SafetyArgs,
}

#[derive(Debug, ClapArgs)]
pub struct FleetStatusArgs {
    #[command(flatten)]
    pub targets: FleetTargetArgs,
}

#[derive(Debug, ClapArgs)]
pub struct UpArgs {
    /// Apply up to and including this id
    #[arg(long, value_name = "ID")]
    pub to: Option<u64>,
    /// Also apply migrations older than the newest applied one (merged from another branch)
    #[arg(long)]
    pub out_of_order: bool,
    #[command(flatten)]
    pub dry_run: DryRunArgs,
    #[command(flatten)]
    pub safety: SafetyArgs,
}

#[derive(Debug, ClapArgs)]
pub struct DownArgs {
    /// Revert every migration newer than this id, leaving it applied (0 reverts all)
    #[arg(long, value_name = "ID", conflicts_with = "steps")]
    pub to: Option<u64>,
    /// Revert this many migrations
    #[arg(long, value_name = "N")]
    pub steps: Option<usize>,
    #[command(flatten)]
    pub dry_run: DryRunArgs,
    #[command(flatten)]
    pub safety: SafetyArgs,
}

#[derive(Debug, ClapArgs)]
pub struct DryRunArgs {
    /// Print the SQL that would run, run nothing
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run: print the SQL of this dialect, without connecting to any database
    #[arg(long, requires = "dry_run", value_name = "DIALECT", value_parser = ["postgres", "mysql", "sqlite"])]
    pub dialect: Option<String>,
}

#[derive(Debug, ClapArgs)]
pub struct SafetyArgs {
    /// Run even though applied migrations were edited since
    #[arg(long)]
    pub allow_changed: bool,
    /// Run even though applied migrations are not in this binary
    #[arg(long)]
    pub allow_missing: bool,
}

#[derive(Debug, ClapArgs)]
pub struct JsonArgs {
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, ClapArgs)]
pub struct CheckArgs {
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
    /// Also fail when migrations are pending (for deploy gates)
    #[arg(long)]
    pub require_up_to_date: bool,
    /// Also fail when the schema.rs of diesel.toml's [print_schema] differs from the database
    #[arg(long)]
    pub schema: bool,
}

#[derive(Debug, ClapArgs)]
pub struct NewArgs {
    /// Name of the migration, in snake_case (becomes the function's name)
    pub name: String,
    /// The file that declares the migration set [default: where `migration_set!` was compiled]
    #[arg(long, value_name = "PATH")]
    pub module_file: Option<std::path::PathBuf>,
    /// Use a timestamp id (YYYYMMDDHHMMSS, UTC) [default when the set already has one]
    #[arg(long, conflicts_with = "sequential")]
    pub timestamp: bool,
    /// Use the next integer id [default when the set has no timestamp id]
    #[arg(long)]
    pub sequential: bool,
}

#[derive(Debug, ClapArgs)]
#[command(group(ArgGroup::new("decision").required(true)))]
pub struct ResolveArgs {
    /// The migration's id
    pub id: u64,
    /// Run it again, skipping the steps it finished
    #[arg(long, group = "decision")]
    pub retry: bool,
    /// Record it as applied (you finished it by hand)
    #[arg(long, group = "decision")]
    pub mark_applied: bool,
    /// Remove it from the history (you undid it by hand, or it no longer exists)
    #[arg(long, group = "decision")]
    pub mark_reverted: bool,
    /// Accept the edited code's checksum (the edit changes nothing in the database)
    #[arg(long, group = "decision")]
    pub accept_checksum: bool,
}
