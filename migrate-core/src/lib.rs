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

pub mod connection;
mod descriptor;
mod error;
pub mod helpers;
pub mod history;
pub mod interrupt;
mod lock;
mod migration;
mod panic;
pub mod registry;
pub mod runner;
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite_rebuild;
pub mod status;

pub use connection::{AnyConnection, DatabaseUrl};
pub use descriptor::{Down, MigrationDescriptor, MigrationFn, MigrationId, SourceLocation};
pub use error::{Error, ErrorKind, Result};
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

/// The helper macros, re-exported with their documentation. Each expands at compile time to the
/// SQL of every enabled dialect and returns `Result<_>` when called; inside a
/// `#[migration(reversible)]` function each also knows its inverse.
mod helper_macros {
    /// Adds a column, fills it from an expression, verifies and constrains it: the article's
    /// *add → populate → constrain* pattern in one step.
    ///
    /// `add_column!(m, table.column TYPE [NOT NULL] [= expression] [, key = id])`
    ///
    /// The column is added nullable, filled with one `UPDATE`, checked for NULLs (a failure names
    /// the rows, with their `key`, before anything is constrained), then made NOT NULL (on SQLite
    /// by rebuilding the table). The expression uses the portable syntax: column names, literals,
    /// arithmetic, comparisons, `if`/`else` (CASE), and functions such as `year`, `concat`,
    /// `coalesce`, `lower`, `trim`, `length`, `substring`, `split_part`, `now`. Its inverse drops
    /// the column.
    ///
    /// ```no_run
    /// use migrate_core::prelude::*;
    ///
    /// /// Add the year each user signed up.
    /// #[migration(id = 6, reversible)]
    /// fn add_created_year(m: &mut Migration) -> Result<()> {
    ///     add_column!(m, users.created_year INTEGER NOT NULL = year(created_at))?;
    ///     add_column!(m, users.age_group VARCHAR(20) NOT NULL =
    ///         if age < 18 { "minor" } else if age < 65 { "adult" } else { "senior" })?;
    ///     Ok(())
    /// }
    /// ```
    pub use migrate_macros::add_column;

    /// Drops a column. Not invertible: a `reversible` migration cannot use it.
    ///
    /// ```no_run
    /// # use migrate_core::prelude::*;
    /// #[migration(id = 12, irreversible)]
    /// fn drop_legacy_flag(m: &mut Migration) -> Result<()> {
    ///     drop_column!(m, users.legacy_flag)?;
    ///     Ok(())
    /// }
    /// ```
    pub use migrate_macros::drop_column;

    /// Renames a column; its inverse renames it back.
    ///
    /// ```no_run
    /// # use migrate_core::prelude::*;
    /// #[migration(id = 13, reversible)]
    /// fn rename_total(m: &mut Migration) -> Result<()> {
    ///     rename_column!(m, orders.total_cents => amount_cents)?;
    ///     Ok(())
    /// }
    /// ```
    pub use migrate_macros::rename_column;

    /// Sets a column with one set-based `UPDATE` (for large tables prefer [`backfill!`]).
    /// Invertible only for a column the same migration adds.
    ///
    /// ```no_run
    /// # use migrate_core::prelude::*;
    /// #[migration(id = 14, irreversible)]
    /// fn normalize_names(m: &mut Migration) -> Result<()> {
    ///     update!(m, customers.name = trim(name), filter = name != trim(name))?;
    ///     Ok(())
    /// }
    /// ```
    pub use migrate_macros::update;

    /// Splits a text column into 2 to 4 columns at a separator, losslessly.
    ///
    /// `split_column!(m, table.source TYPE [NOT NULL] => part TYPE [NOT NULL], ..., separator = "sep" [, key = id])`
    ///
    /// Each part but the last takes the text up to the next separator, the last takes all the
    /// rest; parts after the last separator found are NULL. So "Mary Ann Smith" gives "Mary" and
    /// "Ann Smith", "Cher" gives "Cher" and NULL, and [`merge_columns!`] (the inverse) restores
    /// every value byte for byte. Rows the parts cannot hold (a NOT NULL part that would be NULL,
    /// a part longer than its VARCHAR) are counted and named before anything changes. The source
    /// column is dropped.
    ///
    /// ```no_run
    /// # use migrate_core::prelude::*;
    /// #[migration(id = 5, reversible)]
    /// fn split_full_name(m: &mut Migration) -> Result<()> {
    ///     split_column!(m, users.full_name VARCHAR(100) NOT NULL
    ///         => first_name VARCHAR(50) NOT NULL, last_name VARCHAR(100),
    ///         separator = " ")?;
    ///     Ok(())
    /// }
    /// ```
    pub use migrate_macros::split_column;

    /// Merges 2 to 4 text columns into one, joining them with a separator up to the first NULL
    /// part; the parts are dropped. The inverse of [`split_column!`]; declare the parts' types to
    /// make it invertible itself.
    ///
    /// Rows it would lose text from (a NULL part followed by a non-NULL one) and, for a NOT NULL
    /// target, rows whose first part is NULL are named before anything changes. Its own inverse
    /// (a split) cuts at the first separators, so it restores the parts exactly only where no part
    /// but the last contains the separator.
    ///
    /// ```no_run
    /// # use migrate_core::prelude::*;
    /// #[migration(id = 15, reversible)]
    /// fn merge_names(m: &mut Migration) -> Result<()> {
    ///     merge_columns!(m, users.(first_name VARCHAR(50) NOT NULL, last_name VARCHAR(100))
    ///         => full_name VARCHAR(100) NOT NULL, separator = " ")?;
    ///     Ok(())
    /// }
    /// ```
    pub use migrate_macros::merge_columns;

    /// Adds a column holding a value copied from a related table (denormalizing a join).
    ///
    /// `denormalize!(m, table.column TYPE [NOT NULL] = source.value on source.key = table.foreign_key)`
    ///
    /// Each dialect's own UPDATE-with-join fills it in one pass. With NOT NULL, rows that found no
    /// value (orphans) are counted and named before the constraint is added. Its inverse drops
    /// the column.
    ///
    /// ```no_run
    /// # use migrate_core::prelude::*;
    /// #[migration(id = 7, reversible)]
    /// fn denormalize_customer_name(m: &mut Migration) -> Result<()> {
    ///     denormalize!(m, orders.customer_name VARCHAR(100) NOT NULL
    ///         = customers.name on customers.id = orders.customer_id)?;
    ///     Ok(())
    /// }
    /// ```
    pub use migrate_macros::denormalize;

    /// Verifies the rows, then adds a constraint: NOT NULL, CHECK, UNIQUE or FOREIGN KEY.
    ///
    /// Violating rows are counted and named (by `key`) in a clear error instead of a raw database
    /// error. SQLite, which cannot alter constraints, rebuilds the table the way Alembic's batch
    /// mode does (new table, copy, drop, rename), keeping data, indexes, triggers and foreign
    /// keys. Its inverse is [`unconstrain!`].
    ///
    /// ```no_run
    /// # use migrate_core::prelude::*;
    /// #[migration(id = 16, reversible)]
    /// fn constrain_orders(m: &mut Migration) -> Result<()> {
    ///     constrain!(m, orders.status NOT NULL)?;
    ///     constrain!(m, orders CHECK orders_total_nonnegative (total_cents >= 0))?;
    ///     constrain!(m, customers UNIQUE customers_name_key (name))?;
    ///     constrain!(m, orders FOREIGN KEY orders_customer_fk (customer_id) REFERENCES customers (id))?;
    ///     Ok(())
    /// }
    /// ```
    pub use migrate_macros::constrain;

    /// Removes a constraint; the arguments are those of [`constrain!`].
    ///
    /// ```no_run
    /// # use migrate_core::prelude::*;
    /// #[migration(id = 17, reversible)]
    /// fn relax_status(m: &mut Migration) -> Result<()> {
    ///     unconstrain!(m, orders.status NOT NULL)?;
    ///     Ok(())
    /// }
    /// ```
    pub use migrate_macros::unconstrain;

    /// Sets a column on a large table in short batches by primary key.
    ///
    /// `backfill!(m, table.column = expression [, filter = condition] [, key = id] [, batch_rows = N] [, target_ms = 40] [, pause_ms = 0])`
    ///
    /// Batches walk the table by key (keyset pagination, never rescanning finished rows), each in
    /// its own transaction that also records the last key done, so a killed run resumes exactly
    /// after its last committed batch. The batch size adapts to take about `target_ms` per batch
    /// unless `batch_rows` fixes it. Progress (rows, rate, time left) shows on a terminal. Needs
    /// `transaction = false`.
    ///
    /// ```no_run
    /// # use migrate_core::prelude::*;
    /// #[migration(id = 10, reversible, transaction = false)]
    /// fn backfill_order_status(m: &mut Migration) -> Result<()> {
    ///     add_column!(m, orders.status VARCHAR(20))?;
    ///     backfill!(m, orders.status = "processed", filter = is_null(status), pause_ms = 5)?;
    ///     Ok(())
    /// }
    /// ```
    pub use migrate_macros::backfill;

    /// Computes columns in Rust: rows are read in batches as typed values, the closure runs per
    /// row, and each batch is written back with one statement.
    ///
    /// `transform_rows!(m, table, |column: Type, ...| -> out: Type { body } [, key = id] [, batch_rows = N] ...)`
    ///
    /// Types are `i16`, `i32`, `i64`, `f32`, `f64`, `bool`, `String` or `Option` of one; several
    /// outputs are written `-> (a: Type, b: Type)`. Batched and resumable like [`backfill!`];
    /// needs `transaction = false`.
    ///
    /// ```no_run
    /// # use migrate_core::prelude::*;
    /// #[migration(id = 9, reversible, transaction = false)]
    /// fn compute_user_score(m: &mut Migration) -> Result<()> {
    ///     add_column!(m, users.score DOUBLE)?;
    ///     transform_rows!(m, users, |posts_count: i32, comments_count: i32| -> score: f64 {
    ///         f64::from(posts_count) * 10.0 + f64::from(comments_count) * 5.0
    ///     })?;
    ///     constrain!(m, users.score NOT NULL)?;
    ///     Ok(())
    /// }
    /// ```
    pub use migrate_macros::transform_rows;

    /// Counts rows (matching a filter), reports the count in the output and returns it.
    ///
    /// ```no_run
    /// # use migrate_core::prelude::*;
    /// # fn f(m: &mut Migration) -> Result<()> {
    /// let remaining = count_rows!(m, orders, filter = is_null(status))?;
    /// if remaining > 0 {
    ///     return Err(Error::msg(format!("{remaining} orders still have no status")));
    /// }
    /// # Ok(()) }
    /// ```
    pub use migrate_macros::count_rows;

    /// Shows a few rows in the output: a spot check after a data change.
    ///
    /// ```no_run
    /// # use migrate_core::prelude::*;
    /// # fn f(m: &mut Migration) -> Result<()> {
    /// spot_check!(m, users(id, first_name, last_name), limit = 5)?;
    /// # Ok(()) }
    /// ```
    pub use migrate_macros::spot_check;

    /// Fails the migration, naming offending rows, unless every row satisfies a condition (a
    /// NULL result counts as a failure).
    ///
    /// ```no_run
    /// # use migrate_core::prelude::*;
    /// # fn f(m: &mut Migration) -> Result<()> {
    /// verify!(m, orders, is_not_null(status), "every order has a status")?;
    /// # Ok(()) }
    /// ```
    pub use migrate_macros::verify;
}
pub use migrate_sql::{ColumnType, Dialect};
pub use migration::{Direction, Migration};
pub use registry::{MigrationSet, Registry};
pub use runner::{Observer, Progress, Runner};
pub use sql::{DialectSql, Sql};
pub use status::{MigrationState, MigrationStatus};

/// Everything a migrations module needs: `use migrate_core::prelude::*;`.
pub mod prelude {
    pub use crate::{
        AnyConnection, DatabaseUrl, Dialect, Error, Migration, MigrationSet, Result, Runner,
        add_column, backfill, constrain, count_rows, denormalize, drop_column, merge_columns,
        migration, migration_set, rename_column, split_column, spot_check, sql, transform_rows,
        unchecked, unconstrain, update, verify,
    };
}

/// Items the macros' expansions name. Not public API: they change without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::descriptor::{Down, MigrationDescriptor, MigrationFn, MigrationId};
    pub use crate::sql::DialectSql;
    pub use diesel;
    pub use inventory;
    pub use migrate_sql::{Check, Step, TableChange};
}
