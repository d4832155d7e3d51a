//! `transform_rows!`: compute a column in Rust, row by row, written back in bulk.
//!
//! Rows are read in batches by key (typed, through the struct the macro generates), each value
//! is computed in Rust, and each batch is written back with ONE statement joining the table to
//! the batch's values — not one UPDATE per row, which costs a round trip per row.

use super::backfill::{describe, key_value, statement};
use super::batching::{BatchDone, Batching, drive};
use super::key::{discover, discover_if_exists};
use super::read_types::{self, ReadColumn};
use crate::connection::AnyConnection;
use crate::error::Result;
use crate::migration::Migration;
use migrate_sql::helpers::batch;
use migrate_sql::helpers::batch::BatchRows;
use migrate_sql::helpers::key::MAX_KEY_COLUMNS;
use migrate_sql::{ColumnType, Dialect};

/// Rows a transform can read: the struct `transform_rows!` generates implements Diesel's
/// `QueryableByName` for every backend this build supports.
pub trait LoadRow: row_bounds::Postgres + row_bounds::Mysql + row_bounds::Sqlite {}

impl<T: row_bounds::Postgres + row_bounds::Mysql + row_bounds::Sqlite> LoadRow for T {}

/// One bound per enabled backend; `where` clauses cannot be `cfg`-gated, supertraits can.
mod row_bounds {
    #[cfg(feature = "postgres")]
    pub trait Postgres: diesel::QueryableByName<diesel::pg::Pg> {}
    #[cfg(feature = "postgres")]
    impl<T: diesel::QueryableByName<diesel::pg::Pg>> Postgres for T {}
    #[cfg(not(feature = "postgres"))]
    pub trait Postgres {}
    #[cfg(not(feature = "postgres"))]
    impl<T> Postgres for T {}

    #[cfg(feature = "mysql")]
    pub trait Mysql: diesel::QueryableByName<diesel::mysql::Mysql> {}
    #[cfg(feature = "mysql")]
    impl<T: diesel::QueryableByName<diesel::mysql::Mysql>> Mysql for T {}
    #[cfg(not(feature = "mysql"))]
    pub trait Mysql {}
    #[cfg(not(feature = "mysql"))]
    impl<T> Mysql for T {}

    #[cfg(feature = "sqlite")]
    pub trait Sqlite: diesel::QueryableByName<diesel::sqlite::Sqlite> {}
    #[cfg(feature = "sqlite")]
    impl<T: diesel::QueryableByName<diesel::sqlite::Sqlite>> Sqlite for T {}
    #[cfg(not(feature = "sqlite"))]
    pub trait Sqlite {}
    #[cfg(not(feature = "sqlite"))]
    impl<T> Sqlite for T {}
}

fn load<R: LoadRow + 'static>(conn: &mut AnyConnection, sql: &str) -> diesel::QueryResult<Vec<R>> {
    use diesel::RunQueryDsl;
    match conn {
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => diesel::sql_query(sql).load(c),
        #[cfg(feature = "mysql")]
        AnyConnection::Mysql(c) => diesel::sql_query(sql).load(c),
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => diesel::sql_query(sql).load(c),
    }
}

/// What a transform reads and writes.
#[derive(Debug, Clone)]
pub struct Transform {
    /// The table.
    pub table: &'static str,
    /// The key to walk it by (`key = ...`); its primary key when `None`.
    pub key: Option<&'static [&'static str]>,
    /// The columns read (the struct's fields, besides the key).
    pub read: &'static [&'static str],
    /// The same columns with the type each parameter reads and whether it is an `Option`.
    pub read_types: &'static [ReadColumn],
    /// The columns written, with their types.
    pub write: &'static [(&'static str, ColumnType)],
    /// Batch size and pace.
    pub batching: Batching,
}

/// A row's key as the batch read it: text columns `__k0` ... `__k7`, the unused ones `None`.
pub type RowKey = [Option<String>; MAX_KEY_COLUMNS];

/// Runs `compute` over every row of `transform.table`, as one resumable step of `m`.
/// `compute` gets a row and the dialect and returns the row's key and the values to write, as
/// SQL literals of the dialect.
pub fn run<R: LoadRow + 'static>(
    m: &mut Migration<'_>,
    transform: Transform,
    mut compute: impl FnMut(R, Dialect) -> Result<(RowKey, Vec<String>)>,
) -> Result<()> {
    let dialect = m.dialect();
    let read: Vec<String> = transform.read.iter().map(|c| (*c).to_owned()).collect();
    // UUIDs, JSON and decimals are read as text and parsed in Rust, the same on every database.
    let as_text: Vec<String> = transform
        .read_types
        .iter()
        .filter(|(_, ty, _)| {
            matches!(
                ty,
                ColumnType::Uuid | ColumnType::Json | ColumnType::Jsonb | ColumnType::Numeric
            )
        })
        .map(|(c, _, _)| (*c).to_owned())
        .collect();
    let write: Vec<(String, ColumnType)> = transform
        .write
        .iter()
        .map(|(c, t)| ((*c).to_owned(), *t))
        .collect();
    let columns = write
        .iter()
        .map(|(c, _)| c.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let label = format!("transform {}.{columns}", transform.table);
    super::batching::batched_step(
        m,
        |conn| {
            let found = match conn {
                Some(conn) => {
                    discover_if_exists(conn, transform.table, transform.key)?.map(|key| (conn, key))
                }
                None => None,
            };
            let Some((conn, key)) = found else {
                return Ok(vec![format!(
                    "-- in batches by the table's primary key, each one transaction: read {} of {}, compute in Rust, write back with one statement",
                    read.join(", "),
                    transform.table
                )]);
            };
            read_types::check(conn, transform.table, transform.read_types)?;
            let select =
                batch::select_batch(dialect, transform.table, &key, &read, &as_text, None, 1000)
                    .map_err(key_value)?;
            let placeholder: Vec<String> = key.columns.iter().map(|_| ":key".to_owned()).collect();
            let example = [(
                placeholder.clone(),
                write.iter().map(|_| "<computed>".to_owned()).collect(),
            )];
            let rows = BatchRows {
                rows: &example,
                after: None,
                last: &placeholder,
            };
            let update = batch::bulk_update(dialect, transform.table, &key, &write, &rows)
                .map_err(key_value)?;
            Ok(vec![format!(
                "-- in batches by {}, each one transaction: read the rows, compute in Rust, write back with one statement:\n{select};\n{update}",
                describe(&key)
            )])
        },
        |batches| {
            let key = discover(batches.conn(), transform.table, transform.key)?;
            read_types::check(batches.conn(), transform.table, transform.read_types)?;
            let arity = key.columns.len();
            let total_sql =
                batch::count_remaining(dialect, transform.table, &key, batches.resume_key(), None)
                    .map_err(key_value)?;
            let mariadb = is_mariadb(batches.conn())?;
            drive(
                batches,
                &label,
                &total_sql,
                transform.batching,
                |conn, after, size| {
                    let select = batch::select_batch(
                        dialect,
                        transform.table,
                        &key,
                        &read,
                        &as_text,
                        after,
                        size,
                    )
                    .map_err(key_value)?;
                    let rows: Vec<R> = load(conn, &select).map_err(|e| statement(&select, e))?;
                    if rows.is_empty() {
                        return Ok(None);
                    }
                    let mut values = Vec::with_capacity(rows.len());
                    for row in rows {
                        let (row_key, row_values) = compute(row, dialect)?;
                        let row_key: Vec<String> = row_key
                            .into_iter()
                            .take(arity)
                            .map(Option::unwrap_or_default)
                            .collect();
                        values.push((row_key, row_values));
                    }
                    // Rows come in key order: the last one ends the batch.
                    let last_key = values.last().map(|(k, _)| k.clone()).unwrap_or_default();
                    let rows = BatchRows {
                        rows: &values,
                        after,
                        last: &last_key,
                    };
                    let update = if mariadb {
                        batch::bulk_update_mariadb(transform.table, &key, &write, &rows)
                    } else {
                        batch::bulk_update(dialect, transform.table, &key, &write, &rows)
                    }
                    .map_err(key_value)?;
                    conn.execute(&update).map_err(|e| statement(&update, e))?;
                    Ok(Some(BatchDone {
                        last_key,
                        rows: values.len() as u64,
                    }))
                },
            )
            .map(drop)
        },
    )
}

fn is_mariadb(conn: &mut AnyConnection) -> Result<bool> {
    if conn.dialect() != Dialect::Mysql {
        return Ok(false);
    }
    let sql = "SELECT VERSION() AS v";
    let version = conn.query_text(sql).map_err(|e| statement(sql, e))?;
    Ok(version.iter().any(|v| v.contains("MariaDB")))
}
