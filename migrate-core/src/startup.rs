//! Running the migrations when the application starts: one call on the connection it holds.
//!
//! [`ApplyMigrations::apply_migrations`] is implemented for Diesel's `PgConnection`,
//! `MysqlConnection` and `SqliteConnection` (so also for an r2d2 `PooledConnection`, which
//! dereferences to one) and for [`AnyConnection`]. It does what `migrate up` does: prepares the
//! session the same way, holds the migration lock, adopts a Diesel history on the first run
//! (see [`Runner::adopt_diesel_history_on_first_run`]), applies every pending migration, and reports through
//! `tracing` (the [`LogObserver`](crate::LogObserver): one `info` line per migration, batches
//! at `debug`). [`ApplyMigrations::apply_migrations_with`] takes the options `migrate up` takes
//! on its command line, as the same [`RunOptions`].
//!
//! An application with many databases (a schema, database or file per tenant) migrates them all
//! with [`Fleet`](crate::Fleet), several at once, each as this call would.
//!
//! The runner works on an owning [`AnyConnection`]; the application's connection is moved into
//! one for the call and moved back afterwards (`replace_with`). Panics in migration code are
//! caught and become errors before they reach that point, so the process aborts only if the
//! runtime itself panics while it holds the connection.

use crate::connection::AnyConnection;
use crate::error::Result;
use crate::registry::{MigrationSet, Registry};
use crate::runner::{RunOptions, Runner};
use crate::vocabulary::MigrationId;

/// A migration that [`apply_migrations`](ApplyMigrations::apply_migrations) applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppliedMigration {
    /// Its id.
    pub id: MigrationId,
    /// Its name.
    pub name: &'static str,
}

/// Applies a migration set's pending migrations on a connection the application already holds.
///
/// ```no_run
/// use diesel::prelude::*;
/// use migrate_core::ApplyMigrations;
///
/// mod migrations {
///     migrate_core::migration_set! {
///         /// The application's migrations.
///         pub static MIGRATIONS;
///     }
/// }
///
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let mut conn = PgConnection::establish("postgres://postgres@127.0.0.1/app")?;
///     let applied = conn.apply_migrations(&migrations::MIGRATIONS)?;
///     for m in &applied {
///         println!("applied {} {}", m.id, m.name);
///     }
///     Ok(())
/// }
/// ```
pub trait ApplyMigrations {
    /// Applies every pending migration of `set`, in order, and returns those it applied, with
    /// the default [`RunOptions`] (those of `migrate up` without options).
    ///
    /// Fails, applying nothing, when `migrate up` would refuse (an applied migration was edited
    /// or is unknown to this binary, one failed part-way, a migration merged below the newest
    /// applied one): the error says what to do, as the command does.
    fn apply_migrations(&mut self, set: &'static MigrationSet) -> Result<Vec<AppliedMigration>> {
        self.apply_migrations_with(set, &RunOptions::default())
    }

    /// [`apply_migrations`](Self::apply_migrations) with the options of a run: each field of
    /// [`RunOptions`] is one of `migrate up`'s (`lock_timeout` is `--lock-timeout`,
    /// `lock_wait` `--ddl-lock-timeout` and `--ddl-attempts`, `large_table_rows`
    /// `--large-table-rows`, `batch_time`, `batch_pause` and `max_commit_time` the batch pacing,
    /// `out_of_order`, `allow_changed` and `allow_missing` the refusals it lifts).
    ///
    /// ```no_run
    /// use diesel::prelude::*;
    /// use migrate_core::{ApplyMigrations, LockWait, RunOptions};
    /// use std::time::Duration;
    ///
    /// mod migrations {
    ///     migrate_core::migration_set! {
    ///         /// The application's migrations.
    ///         pub static MIGRATIONS;
    ///     }
    /// }
    ///
    /// fn main() -> Result<(), Box<dyn std::error::Error>> {
    ///     let mut conn = PgConnection::establish("postgres://postgres@127.0.0.1/app")?;
    ///     let options = RunOptions {
    ///         // Another instance migrating: wait 10 s for it, not a minute.
    ///         lock_timeout: Duration::from_secs(10),
    ///         // A statement waits 200 ms for a table's lock, and is tried 3 times.
    ///         lock_wait: LockWait { timeout: Duration::from_millis(200), attempts: 3 },
    ///         // Room for the application's writes between the batches of online fills.
    ///         batch_pause: Some(Duration::from_millis(50)),
    ///         // Warn about a migration in one transaction on a table of 100,000 rows or more.
    ///         large_table_rows: 100_000,
    ///         ..RunOptions::default()
    ///     };
    ///     conn.apply_migrations_with(&migrations::MIGRATIONS, &options)?;
    ///     Ok(())
    /// }
    /// ```
    fn apply_migrations_with(
        &mut self,
        set: &'static MigrationSet,
        options: &RunOptions,
    ) -> Result<Vec<AppliedMigration>>;
}

impl ApplyMigrations for AnyConnection {
    fn apply_migrations_with(
        &mut self,
        set: &'static MigrationSet,
        options: &RunOptions,
    ) -> Result<Vec<AppliedMigration>> {
        let registry = set.registry()?;
        apply(self, &registry, options)
    }
}

/// Applies what is pending.
fn apply(
    conn: &mut AnyConnection,
    registry: &Registry,
    options: &RunOptions,
) -> Result<Vec<AppliedMigration>> {
    let mut runner = Runner::new(conn, registry).options(options.clone());
    let applied = runner.up(None)?;
    Ok(applied
        .into_iter()
        .filter_map(|id| registry.get(id))
        .map(|m| AppliedMigration {
            id: m.id(),
            name: m.name(),
        })
        .collect())
}

/// Runs [`apply`] on a connection the application lent: the same session setup as the command,
/// undone afterwards where it would show (PostgreSQL's application name).
fn apply_lent(
    conn: &mut AnyConnection,
    registry: &Registry,
    options: &RunOptions,
) -> Result<Vec<AppliedMigration>> {
    conn.prepare_session()
        .map_err(|e| crate::error::Error::database("preparing the session", e))?;
    let outcome = apply(conn, registry, options);
    let reset = match conn.dialect() {
        crate::Dialect::Postgres => Some(migrate_sql::runtime::session::POSTGRES_RESET),
        // The lock waits the run shortened; strict mode and utf8mb4 stay (documented).
        crate::Dialect::Mysql => Some(migrate_sql::runtime::session::MYSQL_RESET),
        crate::Dialect::Sqlite => None,
    };
    if let Some(reset) = reset
        && let Err(error) = conn.batch_execute(reset)
    {
        tracing::warn!("cannot reset the session settings after migrating: {error}");
    }
    outcome
}

/// `impl ApplyMigrations` for one of Diesel's connection types, lent to the runner inside the
/// `AnyConnection` variant that owns that type.
macro_rules! lend_connection {
    ($feature:literal, $ty:ty, $variant:ident) => {
        #[cfg(feature = $feature)]
        impl ApplyMigrations for $ty {
            fn apply_migrations_with(
                &mut self,
                set: &'static MigrationSet,
                options: &RunOptions,
            ) -> Result<Vec<AppliedMigration>> {
                let registry = set.registry()?;
                replace_with::replace_with_or_abort_and_return(self, |conn| {
                    let mut any = AnyConnection::$variant(conn);
                    let outcome = apply_lent(&mut any, &registry, options);
                    match any {
                        AnyConnection::$variant(conn) => (outcome, conn),
                        // The runner never replaces the connection it is given (it reconnects
                        // on a separate one), so the variant is the one built above.
                        #[allow(unreachable_patterns)]
                        _ => unreachable!("the runner replaced the connection it was lent"),
                    }
                })
            }
        }
    };
}

lend_connection!("postgres", diesel::PgConnection, Postgres);
lend_connection!("mysql", diesel::MysqlConnection, Mysql);
lend_connection!("sqlite", diesel::SqliteConnection, Sqlite);
