//! Database migrations written as Rust functions, checked at compile time and run through Diesel.
//!
//! A migration is a function annotated with [`#[migration]`](macro@migration). The attribute
//! checks it at compile time and registers it; a [`MigrationSet`] names the module that holds a
//! crate's migrations, and the `migrate` command (crate `migrate-cli`) applies them.
//!
//! ```no_run
//! use migrate_core::prelude::*;
//!
//! migration_set! {
//!     /// The migrations of this crate.
//!     pub static MIGRATIONS;
//! }
//!
//! /// Add a nullable status column to orders.
//! #[migration(id = 11, down = drop_status)]
//! fn add_status(m: &mut Migration) -> Result<()> {
//!     m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
//!     Ok(())
//! }
//!
//! fn drop_status(m: &mut Migration) -> Result<()> {
//!     m.execute("ALTER TABLE orders DROP COLUMN status")?;
//!     Ok(())
//! }
//!
//! # fn main() -> Result<()> {
//! let url: DatabaseUrl = "sqlite::memory:".parse()?;
//! let mut conn = AnyConnection::establish(&url)?;
//! let registry = MIGRATIONS.registry()?;
//! Runner::new(&mut conn, &registry).up(None)?;
//! # Ok(())
//! # }
//! ```
//!
//! # Features
//! One per database: `postgres`, `mysql` and `sqlite` (SQLite is compiled in, bundled). All three
//! are on by default.

#[cfg(not(any(feature = "postgres", feature = "mysql", feature = "sqlite")))]
compile_error!("migrate-core needs at least one of the features `postgres`, `mysql`, `sqlite`");

// Modules in layers, each using only those above it in this list (no circles):
// the vocabulary; errors and reports; the connection; what is built on a connection (history,
// lock, catalog reads); the `Migration` handle and the helpers; the descriptors and registry of
// migrations; what observes and compares them; the runner.
mod vocabulary;

mod error;
pub mod interrupt;
mod panic;
mod report;
mod sql;

mod connection;

mod ddl_effect;
pub mod diesel_schema;
mod history;
mod lock;
mod lock_wait;
mod pacing;
#[cfg(feature = "sqlite")]
mod sqlite_rebuild;

mod helpers;
mod migration;
mod sql_migration;

mod descriptor;
mod registry;

mod lock_warning;
mod observer;
mod status;

mod runner;

mod startup;

mod fleet;

pub use connection::{AnyConnection, DatabaseUrl, redact_credentials};
pub use descriptor::{Down, MigrationDescriptor, MigrationFn};
pub use error::{Error, ErrorKind, Result};
pub use history::{EntryState, HistoryEntry, HistoryTable};
pub use lock_wait::LockWait;
pub use lock_warning::{DEFAULT_LARGE_TABLE_ROWS, LockWarning, RowEstimate};
/// Embeds a Diesel migrations directory into the migration set, at compile time.
///
/// ```text
/// embed_diesel_migrations!(["migrations"] [, databases = [postgres, mysql, sqlite]]
///                          [, unchecked = ["<version>_<name>/down.sql", ...]]);
/// ```
///
/// Written in the module that declares (or is under) the [`MigrationSet`], it registers one
/// migration per `<version>_<name>` directory, next to the set's Rust migrations:
///
/// - the id is the version with its dashes removed, read as a number (`2024-01-31-120000_x` and
///   `20240131120000_x` both have id `20240131120000`; Diesel's `00000000000000_diesel_initial_setup`
///   has id 1); ids order as Diesel orders versions, and a directory where they would not is
///   refused (see `migrate_sql::version`). Rust migrations added later take timestamp ids
///   (`migrate new` writes them) to run after the directory's;
/// - `up.sql` runs as one batch (several statements, as Diesel runs it); `down.sql`, when there
///   is one, reverts it (without one the migration is irreversible); `metadata.toml`'s
///   `run_in_transaction = false` runs it outside a transaction;
/// - every file is parsed at compile time by the parser of each enabled database, or of those
///   `databases` names when the SQL is written for some only (it then refuses to run on the
///   others). A file the parser rejects is checked statement by statement as
///   `m.execute("...")` literals are (well-known statements the parser cannot read, such as
///   `DROP INDEX CONCURRENTLY`, pass); other valid SQL the parser does not know is listed in
///   `unchecked` and runs unchecked (a name there that is no file of the directory is an
///   error). A statement PostgreSQL refuses in a transaction (`CONCURRENTLY`, `VACUUM`) in a
///   migration without `run_in_transaction = false` fails the build, as it would fail Diesel;
/// - the checksum is that of `up.sql`'s bytes, so `status` shows an edited file as `changed`;
/// - `__diesel_schema_migrations` is adopted, not re-run: see
///   [`Runner::adopt_diesel_history`].
///
/// The path is relative to the crate's `Cargo.toml`. Editing a file rebuilds the crate; to
/// rebuild when a directory is *added*, add a `build.rs` with
/// `println!("cargo:rerun-if-changed=migrations");` (as `diesel_migrations` advises too).
///
/// ```ignore
/// // src/migrations/mod.rs
/// migrate_core::migration_set! {
///     /// The application's migrations: Diesel's SQL directory, then Rust ones.
///     pub static MIGRATIONS;
/// }
///
/// migrate_core::embed_diesel_migrations!("migrations");
///
/// mod m20250301090000_split_names;
/// ```
pub use migrate_macros::embed_diesel_migrations;
/// Registers a function as a migration, checked at compile time.
///
/// ```text
/// #[migration(id = N, down = function | reversible | irreversible [, transaction = false] [, name = "..."])]
/// fn name(m: &mut Migration) -> Result<()> { ... }
/// ```
///
/// - `id`: a positive integer, unique in the [`MigrationSet`]; it fixes the order. Two
///   migrations with one id in one module do not compile; across modules,
///   [`MigrationSet::registry`] rejects them, naming both places.
/// - `down = function`: the function that reverts it (same signature); `reversible`: derive the
///   down migration from the helper macros in the body (each helper knows its inverse; a helper
///   without one is a compile error naming it); `irreversible`: there is none, and `down` stops
///   before it. Exactly one of the three.
/// - `transaction = false`: run outside one transaction, statement by statement, each step
///   recorded in the history so that an interrupted run resumes after its last finished step.
///   Required by the batched helpers ([`backfill!`], [`transform_rows!`]).
/// - `name`: defaults to the function's name; the first paragraph of the doc comment is the
///   description shown by `migrate status --json`.
///
/// The signature must be `fn(&mut Migration) -> Result<()>` (not `async`, generic or a method).
/// Every string literal given to `m.execute("...")` is checked at compile time against each
/// enabled database: its parser, then what that database's grammar accepts (`MODIFY COLUMN` is
/// MySQL's, `ON CONFLICT` is not, ...). So are the literals of the `down` function and of the
/// functions the migration hands `m` to, when they are defined in the same module of the same
/// file. Under `if m.dialect() == Dialect::X` (or a `match` on it) a literal is checked for X
/// only; write per-database SQL with [`sql!`], and what no parser here follows with
/// [`unchecked!`]. On PostgreSQL, `CONCURRENTLY` and the other statements that refuse a
/// transaction block need `transaction = false`. The checksum of the function's tokens (not its
/// doc comment, whitespace or comments) is recorded when it is applied, so an edit afterwards is
/// detected.
///
/// ```no_run
/// use migrate_core::prelude::*;
///
/// /// Add a nullable status column to orders.
/// #[migration(id = 11, down = drop_status)]
/// fn add_status(m: &mut Migration) -> Result<()> {
///     m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
///     Ok(())
/// }
///
/// fn drop_status(m: &mut Migration) -> Result<()> {
///     m.execute("ALTER TABLE orders DROP COLUMN status")?;
///     Ok(())
/// }
///
/// /// Add the year of creation; the down migration (dropping it) is derived.
/// #[migration(id = 12, reversible)]
/// fn add_created_year(m: &mut Migration) -> Result<()> {
///     add_column!(m, users.created_year INTEGER NOT NULL = year(created_at))?;
///     Ok(())
/// }
/// ```
pub use migrate_macros::migration;
pub use migrate_sql::locks::{Hold, TableHold};
pub use observer::{LogObserver, Observer};
pub use pacing::Pacing;
pub use report::Progress;
pub use vocabulary::{Direction, MigrationId, SourceLocation};

/// One SQL statement written for each database, each text parsed at compile time by that
/// database's parser. A build must give a text for every database it enables (features of
/// migrate-core). Also usable inside a helper's expression as a raw fragment.
///
/// ```
/// use migrate_core::{Dialect, sql};
/// let create = sql! {
///     postgres: "CREATE TABLE t (id SERIAL PRIMARY KEY)",
///     mysql: "CREATE TABLE t (id INTEGER AUTO_INCREMENT PRIMARY KEY)",
///     sqlite: "CREATE TABLE t (id INTEGER PRIMARY KEY)",
/// };
/// assert_eq!(create.get(Dialect::Sqlite), Some("CREATE TABLE t (id INTEGER PRIMARY KEY)"));
/// ```
pub use migrate_macros::sql;

/// A SQL text that is deliberately not checked at compile time: the way past the check for a
/// statement the database accepts but no parser here follows (every string literal given to
/// `m.execute` is otherwise checked against each enabled database). It must be one string
/// literal, so the text stays in the migration and its checksum covers it. Run it under
/// `if m.dialect() == Dialect::X` when it is written for one database.
///
/// ```no_run
/// use migrate_core::prelude::*;
///
/// #[migration(id = 13, irreversible)]
/// fn set_search_path(m: &mut Migration) -> Result<()> {
///     if m.dialect() == Dialect::Postgres {
///         m.execute(unchecked!("ALTER ROLE app SET search_path = app, public"))?;
///     }
///     Ok(())
/// }
/// ```
pub use migrate_macros::unchecked;

#[doc(inline)]
pub use helper_macros::*;

/// The helper macros. Each expands at compile time to the SQL of every enabled dialect and
/// returns `Result<_>` when called; inside a `#[migration(reversible)]` function each also knows
/// its inverse.
mod helper_macros {
    // `migration` and `sql` are re-exported with their documentation above; this glob brings
    // the helper macros, documented where they are defined (the table of helpers in
    // migrate-macros).
    pub use migrate_macros::*;
}
pub use fleet::{
    DatabaseOutcome, DatabaseResult, DatabaseStatus, Fleet, FleetObserver, FleetReport, FleetTarget,
};
pub use migrate_sql::{ColumnType, Dialect};
pub use migration::Migration;
pub use registry::{MigrationSet, Registry};
pub use runner::{
    Adoption, DownTarget, DryRunScript, Resolution, RunOptions, Runner, dry_run_offline,
};
pub use sql::{DialectSql, Sql};
pub use startup::{AppliedMigration, ApplyMigrations};
pub use status::{MigrationState, MigrationStatus};

/// Everything a migrations module needs: `use migrate_core::prelude::*;`.
pub mod prelude {
    pub use crate::helper_macros::*;
    pub use crate::{
        AnyConnection, DatabaseUrl, Dialect, Error, Migration, MigrationSet, Result, Runner,
        migration, migration_set, sql,
    };
}

/// Items the macros' expansions name. Not public API: they change without notice.
#[doc(hidden)]
pub mod __private {
    /// The helper runtime the helper macros' expansions call.
    pub mod helpers {
        pub use crate::helpers::{
            Batching, SqlValue, backfill, count_rows, parse_text, read_types, run, transform,
        };
    }
    pub use crate::descriptor::{Down, MigrationDescriptor, MigrationFn};
    pub use crate::sql::DialectSql;
    /// What the `embed_diesel_migrations!` expansion runs.
    pub use crate::sql_migration::run as run_sql_file;
    pub use crate::vocabulary::MigrationId;
    #[cfg(feature = "bigdecimal")]
    pub use bigdecimal;
    #[cfg(feature = "chrono")]
    pub use chrono;
    pub use diesel;
    pub use inventory;
    pub use migrate_sql::Dialect;
    pub use migrate_sql::{Assignment, Check, ColumnName, Fill, Join, Step, TableChange};
    #[cfg(feature = "serde_json")]
    pub use serde_json;
    #[cfg(feature = "uuid")]
    pub use uuid;
}
