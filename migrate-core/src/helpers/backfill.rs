//! `backfill!`: set a column on every row of a large table, in short batches by key.

use super::batching::{BatchDone, Batching, drive};
use super::key::{discover, discover_if_exists};
use crate::connection::{AnyConnection, with_connection};
use crate::error::{Error, Result};
use crate::migration::Migration;
use diesel::sql_types::{Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use migrate_sql::Dialect;
use migrate_sql::helpers::batch;
use migrate_sql::helpers::key::Key;

/// One backfill, in one dialect's SQL (the macro renders the value and condition at compile
/// time).
#[derive(Debug, Clone)]
pub struct Backfill {
    /// The table.
    pub table: &'static str,
    /// The key to walk it by (`key = ...`); its primary key when `None`.
    pub key: Option<&'static [&'static str]>,
    /// The column set, for output.
    pub column: &'static str,
    /// `"column" = value`, in the dialect's SQL.
    pub assignments: String,
    /// Which rows to set, in the dialect's SQL; all when `None`.
    pub condition: Option<String>,
    /// Batch size and pace.
    pub batching: Batching,
}

/// Runs a backfill as one step of `m`, resumable after its last committed batch. The key is
/// read from the catalog first (also in `--dry-run` and in the check that precedes a run), so
/// a table without a usable key is refused before anything changes.
pub fn run(
    m: &mut Migration<'_>,
    backfill: impl FnOnce(Dialect) -> Result<Backfill>,
) -> Result<()> {
    let dialect = m.dialect();
    let spec = backfill(dialect)?;
    let label = format!("backfill {}.{}", spec.table, spec.column);
    super::batching::batched_step(
        m,
        |conn| {
            let key = match conn {
                Some(conn) => discover_if_exists(conn, spec.table, spec.key)?,
                None => None,
            };
            let (by, first) = match key {
                Some(key) => {
                    let by = describe(&key);
                    let placeholder: Vec<String> =
                        key.columns.iter().map(|_| ":last".to_owned()).collect();
                    let first = batch::backfill_batch(
                        dialect,
                        spec.table,
                        &key,
                        &spec.assignments,
                        spec.condition.as_deref(),
                        None,
                        &placeholder,
                    )
                    .map_err(key_value)?;
                    (by, first)
                }
                None => (
                    "the table's primary key".to_owned(),
                    format!(
                        "UPDATE {} SET {} WHERE <key in the batch's range>{}",
                        migrate_sql::quote_table(dialect, spec.table),
                        spec.assignments,
                        spec.condition
                            .as_deref()
                            .map(|c| format!(" AND ({c})"))
                            .unwrap_or_default()
                    ),
                ),
            };
            Ok(vec![format!(
                "-- in batches by {by}, each one transaction, like:\n{first}"
            )])
        },
        |batches| {
            let key = discover(batches.conn(), spec.table, spec.key)?;
            let total_sql = batch::count_remaining(
                dialect,
                spec.table,
                &key,
                batches.resume_key(),
                spec.condition.as_deref(),
            )
            .map_err(key_value)?;
            drive(
                batches,
                &label,
                &total_sql,
                spec.batching,
                |conn, after, size| {
                    let end_sql = batch::next_batch_end(dialect, spec.table, &key, after, size)
                        .map_err(key_value)?;
                    let Some(last_key) = batch_end(conn, &end_sql, key.columns.len())? else {
                        return Ok(None);
                    };
                    let update = batch::backfill_batch(
                        dialect,
                        spec.table,
                        &key,
                        &spec.assignments,
                        spec.condition.as_deref(),
                        after,
                        &last_key,
                    )
                    .map_err(key_value)?;
                    let rows = conn.execute(&update).map_err(|e| statement(&update, e))?;
                    Ok(Some(BatchDone {
                        last_key,
                        rows: rows as u64,
                    }))
                },
            )
            .map(drop)
        },
    )
}

/// "`id`" or "(`a`, `b`)", for output.
pub(super) fn describe(key: &Key) -> String {
    let names: Vec<String> = key
        .columns
        .iter()
        .map(|c| format!("`{}`", c.name))
        .collect();
    match names.as_slice() {
        [one] => one.clone(),
        many => format!("({})", many.join(", ")),
    }
}

/// The key columns (`__k0`...) of the row `sql` returns, `None` when it returns none.
pub(super) fn batch_end(
    conn: &mut AnyConnection,
    sql: &str,
    columns: usize,
) -> Result<Option<Vec<String>>> {
    let rows: Vec<KeyText> = load_keys(conn, sql).map_err(|e| statement(sql, e))?;
    Ok(rows.into_iter().next().map(|row| row.values(columns)))
}

/// A key read as text columns `__k0` ... `__k7` (the unused ones NULL).
#[derive(QueryableByName)]
pub(super) struct KeyText {
    #[diesel(sql_type = Nullable<Text>)]
    __k0: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    __k1: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    __k2: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    __k3: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    __k4: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    __k5: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    __k6: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    __k7: Option<String>,
}

impl KeyText {
    /// The first `columns` values (a key column is NOT NULL, so they are all set).
    pub(super) fn values(self, columns: usize) -> Vec<String> {
        [
            self.__k0, self.__k1, self.__k2, self.__k3, self.__k4, self.__k5, self.__k6, self.__k7,
        ]
        .into_iter()
        .take(columns)
        .map(Option::unwrap_or_default)
        .collect()
    }
}

fn load_keys(conn: &mut AnyConnection, sql: &str) -> diesel::QueryResult<Vec<KeyText>> {
    with_connection!(conn, c => diesel::sql_query(sql).load(c))
}

/// A key value no literal can hold (a NUL character in a text key).
pub(super) fn key_value(error: migrate_sql::LiteralError) -> Error {
    Error::UnstorableValue(format!("a key value cannot be written as SQL: {error}"))
}

pub(super) fn statement(sql: &str, e: diesel::result::Error) -> Error {
    Error::statement(sql, &e)
}
