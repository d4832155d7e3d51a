//! The SQL each supported database speaks.
//!
//! This crate is the single place where dialect differences live. The `#[migration]` macro and the
//! helper macros call it at compile time to turn a portable description into PostgreSQL, MySQL and
//! SQLite statements; the runtime calls it for the history table and for statements built from
//! run-time values. Keeping one code path means the SQL a `--dry-run` prints, the SQL a snapshot test
//! pins and the SQL that runs are the same text.
//!
//! It has no dependencies, so the proc-macro crate stays cheap to build.

pub mod checksum;
pub mod dialect;
pub mod expr;
pub mod helpers;
pub mod ident;
pub mod literal;
pub mod locks;
pub mod runtime;
mod sqlite_text;
pub mod step;
pub mod types;
pub mod version;

pub use checksum::Checksum;
pub use dialect::Dialect;
pub use expr::{Expr, Untranslatable};
pub use ident::{IdentError, quote_ident, quote_table, split_table, validate_ident};
pub use literal::{LiteralError, quote_str};
pub use step::{Assignment, Check, ColumnName, Fill, Join, Step, TableChange};
pub use types::ColumnType;
