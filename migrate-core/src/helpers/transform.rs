//! `transform_rows!`: compute a column in Rust, row by row, written back in bulk.
//!
//! Rows are read in batches by key (typed, through the struct the macro generates), each value
//! is computed in Rust, and each batch is written back with ONE statement joining the table to
//! the batch's values — not one UPDATE per row, which costs a round trip per row.
//!
//! Online, the application keeps writing meanwhile, and Rust cannot run in a trigger: a change
//! log ([`super::change_log`]) notes the keys of the rows it inserts, or whose columns the
//! transform reads it updates, from before the first batch on; after the last batch those rows
//! are computed again, the last pass while writes to the table wait. The log's triggers stay
//! until the migration ends. Not for a transform that reads a column it writes
//! (`n = n + 1`): computing a row twice would apply it twice.

use super::backfill::{describe, key_value, statement};
use super::batching::{BatchDone, Batching, drive};
use super::change_log;
use super::key::{discover, discover_if_exists};
use super::read_types::{self, ReadColumn};
use crate::connection::AnyConnection;
use crate::error::Result;
use crate::migration::Migration;
use migrate_sql::helpers::batch;
use migrate_sql::helpers::batch::BatchRows;
use migrate_sql::helpers::change_log::ChangeLog;
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
    // A transform that reads a column it writes (`n = n + 1`) is not computed twice: a second
    // computation would apply it twice. Its rows the application writes meanwhile are not
    // logged.
    let in_place = write.iter().any(|(c, _)| read.contains(c));
    let online = m.is_online();
    let logged = online && !in_place;
    if logged {
        // Noted for a finished step too: a resumed run drops the log the stopped one left.
        m.sync_table(transform.table);
    }
    // The columns it computes that a later step makes NOT NULL: from its last pass on, the
    // application's NULLs there are refused, as that step's constraint will refuse them, instead
    // of failing it (nothing computes the rows the application writes after that pass).
    let made_not_null = m.made_not_null(transform.table);
    let guarded: Vec<String> = write
        .iter()
        .map(|(c, _)| c.clone())
        .filter(|c| made_not_null.contains(c))
        .collect();
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
            let total_sql =
                batch::count_remaining(dialect, transform.table, &key, batches.resume_key(), None)
                    .map_err(key_value)?;
            let writer = Writer {
                dialect,
                table: transform.table,
                key: &key,
                write: &write,
                mariadb: is_mariadb(batches.conn())?,
            };
            // Before the first batch: from now on the application's inserts, and its updates of
            // the columns read, are logged, to be computed again after the walk.
            let written: Vec<String> = write.iter().map(|(c, _)| c.clone()).collect();
            let log = ChangeLog::new(
                dialect,
                transform.table,
                row_sync_name(batches.step()),
                &key,
                &read,
                &written,
            );
            if logged {
                change_log::install(batches, &log)?;
            }
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
                    writer.write_back(conn, rows, after, &mut compute)
                },
            )?;
            if in_place && online {
                batches.note(&format!(
                    "{label}: reads a column it writes, so the rows the application wrote during the transform are not computed again (that would apply it twice)"
                ));
            }
            if logged {
                let guard = migrate_sql::helpers::row_sync::not_null_guard(
                    dialect,
                    transform.table,
                    &format!("{}_g", row_sync_name(batches.step())),
                    &guarded,
                );
                let caught = change_log::catch_up(
                    batches,
                    &log,
                    key.columns.len(),
                    &guard,
                    |conn, keys| {
                        let select = batch::select_keys(
                            dialect,
                            transform.table,
                            &key,
                            &read,
                            &as_text,
                            keys,
                        )
                        .map_err(key_value)?;
                        let rows: Vec<R> =
                            load(conn, &select).map_err(|e| statement(&select, e))?;
                        Ok(writer
                            .write_back(conn, rows, None, &mut compute)?
                            .map_or(0, |done| done.rows))
                    },
                )?;
                batches.note(&format!(
                    "{label}: caught up {} rows the application wrote during the transform ({} passes, the last with writes to {} held off)",
                    caught.rows, caught.passes, transform.table
                ));
            }
            Ok(())
        },
    )
}

fn row_sync_name((id, step): (crate::vocabulary::MigrationId, u32)) -> String {
    migrate_sql::helpers::row_sync::name(id, step)
}

/// Writes computed rows back, one statement per batch.
struct Writer<'a> {
    dialect: Dialect,
    table: &'a str,
    key: &'a migrate_sql::helpers::key::Key,
    write: &'a [(String, ColumnType)],
    mariadb: bool,
}

impl Writer<'_> {
    /// Computes `rows` (read in key order, all after `after`) and writes them with one
    /// statement bounded by `(after, last row]`; `None` when there is no row.
    fn write_back<R>(
        &self,
        conn: &mut AnyConnection,
        rows: Vec<R>,
        after: Option<&[String]>,
        compute: &mut impl FnMut(R, Dialect) -> Result<(RowKey, Vec<String>)>,
    ) -> Result<Option<BatchDone>> {
        if rows.is_empty() {
            return Ok(None);
        }
        let arity = self.key.columns.len();
        let mut values = Vec::with_capacity(rows.len());
        for row in rows {
            let (row_key, row_values) = compute(row, self.dialect)?;
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
        let update = if self.mariadb {
            batch::bulk_update_mariadb(self.table, self.key, self.write, &rows)
        } else {
            batch::bulk_update(self.dialect, self.table, self.key, self.write, &rows)
        }
        .map_err(key_value)?;
        conn.execute(&update).map_err(|e| statement(&update, e))?;
        Ok(Some(BatchDone {
            last_key,
            rows: values.len() as u64,
        }))
    }
}

fn is_mariadb(conn: &mut AnyConnection) -> Result<bool> {
    if conn.dialect() != Dialect::Mysql {
        return Ok(false);
    }
    let sql = "SELECT VERSION() AS v";
    let version = conn.query_text(sql).map_err(|e| statement(sql, e))?;
    Ok(version.iter().any(|v| v.contains("MariaDB")))
}
