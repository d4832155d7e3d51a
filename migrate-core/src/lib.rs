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
pub mod history;
mod lock;
mod migration;
pub mod registry;
pub mod runner;
mod sql;
pub mod status;

pub use connection::{AnyConnection, DatabaseUrl};
pub use descriptor::{Down, MigrationDescriptor, MigrationFn, MigrationId, SourceLocation};
pub use error::{Error, ErrorKind, Result};
pub use migrate_macros::{migration, sql};
pub use migrate_sql::Dialect;
pub use migration::{Direction, Migration};
pub use registry::{MigrationSet, Registry};
pub use runner::{Observer, Runner};
pub use sql::{DialectSql, Sql};
pub use status::{MigrationState, MigrationStatus};

/// Everything a migrations module needs: `use migrate_core::prelude::*;`.
pub mod prelude {
    pub use crate::{
        AnyConnection, DatabaseUrl, Dialect, Error, Migration, MigrationSet, Result, Runner,
        migration, migration_set, sql,
    };
}

/// Items the macros' expansions name. Not public API: they change without notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::descriptor::{Down, MigrationDescriptor, MigrationFn, MigrationId};
    pub use crate::sql::DialectSql;
    pub use inventory;
}
