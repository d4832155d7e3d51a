//! Diesel's `schema.rs`, rebuilt from the migrated database the way `diesel print-schema`
//! (Diesel CLI 2.3) builds it: the same catalog reads, type mapping, `table!`, `joinable!` and
//! `allow_tables_to_appear_in_same_query!` output, before `rustfmt` (which the `migrate` command
//! runs on it, as Diesel CLI does).
//!
//! Supported: PostgreSQL, MySQL/MariaDB and SQLite, the types Diesel itself provides (a column of
//! an enum or domain type, for which Diesel would generate a custom SQL type, is refused with a
//! message), `schema` (PostgreSQL) and table filters. Not supported: doc comments (`with_docs`),
//! `import_types`, `patch_file`, `custom_type_derives`, sorting by name.

mod catalog;
mod names;
mod render;

use crate::connection::AnyConnection;
use crate::error::{Error, Result};
use migrate_sql::Dialect;

pub use render::HEADER;

/// What `[print_schema]` of `diesel.toml` asks for, as far as it is supported.
pub struct SchemaOptions<'a> {
    /// PostgreSQL's schema to print (`schema = "..."`); the default schema (`public`) when
    /// `None`.
    pub schema: Option<&'a str>,
    /// Whether a table is printed (`filter = { only_tables = [...] }` / `except_tables`).
    pub keep_table: &'a dyn Fn(&str) -> bool,
}

/// `schema.rs` for the database `conn` is connected to, before `rustfmt`.
///
/// Fails on a table without a primary key (as Diesel does), and on column types this generator
/// does not map (naming them).
pub fn print_schema(conn: &mut AnyConnection, options: &SchemaOptions<'_>) -> Result<String> {
    if conn.dialect() != Dialect::Postgres && options.schema.is_some() {
        return Err(unsupported(
            "`schema` in [print_schema] is supported on PostgreSQL only here".into(),
        ));
    }
    let tables = catalog::load(conn, options)?;
    Ok(render::render(&tables, options.schema))
}

fn unsupported(message: String) -> Error {
    Error::Configuration {
        message,
        hint:
            "run `diesel print-schema` for this schema, or remove `[print_schema]` from diesel.toml"
                .into(),
    }
}

/// A table's name, in SQL and in Rust (Diesel's `TableName`; its field order is its sort order).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct TableName {
    sql_name: String,
    rust_name: String,
    schema: Option<String>,
    rust_schema: Option<String>,
}

impl TableName {
    fn new(sql_name: String, schema: Option<&str>) -> TableName {
        TableName {
            rust_name: names::rust_name_for_sql_name(&sql_name, None),
            sql_name,
            schema: schema.map(str::to_owned),
            rust_schema: schema.map(|s| names::rust_name_for_sql_name(s, None)),
        }
    }
}

/// A column's type as `table!` writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ColumnType {
    rust_name: String,
    is_array: bool,
    /// MySQL's `UNSIGNED`.
    is_unsigned: bool,
    is_nullable: bool,
    max_length: Option<u64>,
}

#[derive(Debug, Clone)]
struct Column {
    sql_name: String,
    rust_name: String,
    ty: ColumnType,
}

#[derive(Debug, Clone)]
struct Table {
    name: TableName,
    /// The primary key's columns, by their Rust names.
    primary_key: Vec<String>,
    columns: Vec<Column>,
}

/// A foreign key (Diesel's `ForeignKeyConstraint`; its field order is its sort order).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ForeignKey {
    child_table: TableName,
    parent_table: TableName,
    child_columns: Vec<String>,
    child_columns_rust: Vec<String>,
    parent_columns: Vec<String>,
}

/// What `render` prints: the tables, and the foreign keys safe to `joinable!`.
struct Tables {
    tables: Vec<Table>,
    foreign_keys: Vec<ForeignKey>,
}
