//! `transform_rows!`: compute a column in Rust, row by row, written back in bulk.
//!
//! Rows are read in batches by key (typed, through the struct the macro generates), each value
//! is computed in Rust, and each batch is written back with ONE statement joining the table to
//! the batch's values — not one UPDATE per row, which costs a round trip per row.

use super::backfill::statement;
use super::batching::BatchDone;
use super::batching::{Batching, drive};
use crate::connection::AnyConnection;
use crate::error::Result;
use crate::migration::Migration;
use migrate_sql::helpers::batch;
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
    /// Its integer primary key.
    pub key: &'static str,
    /// The columns read (the struct's fields, besides the key).
    pub read: &'static [&'static str],
    /// The columns written, with their types.
    pub write: &'static [(&'static str, ColumnType)],
    /// Batch size and pace.
    pub batching: Batching,
}

/// Runs `compute` over every row of `transform.table`, as one resumable step of `m`.
/// `compute` gets a row and the dialect and returns the row's key and the values to write, as
/// SQL literals of that dialect (see [`SqlValue`](super::SqlValue)).
pub fn run<R: LoadRow + 'static>(
    m: &mut Migration<'_>,
    transform: Transform,
    mut compute: impl FnMut(R, Dialect) -> Result<(i64, Vec<String>)>,
) -> Result<()> {
    let dialect = m.dialect();
    let read: Vec<String> = transform.read.iter().map(|c| (*c).to_owned()).collect();
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
    let shown_select = batch::select_batch(
        dialect,
        transform.table,
        transform.key,
        &read,
        Some(0),
        1000,
    );
    let example: Vec<(i64, Vec<String>)> =
        vec![(1, write.iter().map(|_| "<computed>".to_owned()).collect())];
    let shown_update =
        batch::bulk_update(dialect, transform.table, transform.key, &write, &example);
    super::batching::batched_step(
        m,
        |_| {
            Ok(vec![format!(
                "-- in batches by {key}, each one transaction: read the rows, compute in Rust, write back with one statement:\n{shown_select};\n{shown_update}",
                key = transform.key
            )])
        },
        |batches| {
            let total_sql = batch::count_remaining(
                dialect,
                transform.table,
                transform.key,
                batches.resume_key(),
                None,
            );
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
                        transform.key,
                        &read,
                        after,
                        size,
                    );
                    let rows: Vec<R> = load(conn, &select).map_err(|e| statement(&select, e))?;
                    if rows.is_empty() {
                        return Ok(None);
                    }
                    let mut values = Vec::with_capacity(rows.len());
                    for row in rows {
                        values.push(compute(row, dialect)?);
                    }
                    let last_key = values.iter().map(|(k, _)| *k).max().unwrap_or_default();
                    let update = if mariadb {
                        batch::bulk_update_mariadb(transform.table, transform.key, &write, &values)
                    } else {
                        batch::bulk_update(dialect, transform.table, transform.key, &write, &values)
                    };
                    conn.execute(&update).map_err(|e| statement(&update, e))?;
                    Ok(Some(BatchDone {
                        last_key,
                        rows: values.len() as u64,
                    }))
                },
            )
        },
    )
}

/// Whether the server is MariaDB, which takes a faster statement for a batch of values.
fn is_mariadb(conn: &mut AnyConnection) -> Result<bool> {
    if conn.dialect() != Dialect::Mysql {
        return Ok(false);
    }
    let sql = "SELECT VERSION() AS v";
    let version = conn.query_text(sql).map_err(|e| statement(sql, e))?;
    Ok(version.iter().any(|v| v.contains("MariaDB")))
}
