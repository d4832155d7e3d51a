//! `backfill!`: set a column on every row of a large table, in short batches by key.

use super::batching::BatchDone;
use super::batching::{Batching, drive};
use crate::error::{Error, Result};
use crate::migration::Migration;
use migrate_sql::Dialect;
use migrate_sql::helpers::batch;

/// One backfill, in one dialect's SQL (the macro renders the value and condition at compile
/// time).
#[derive(Debug, Clone)]
pub struct Backfill {
    /// The table.
    pub table: &'static str,
    /// Its integer primary key.
    pub key: &'static str,
    /// The column set, for output.
    pub column: &'static str,
    /// `"column" = value`, in the dialect's SQL.
    pub assignments: String,
    /// Which rows to set, in the dialect's SQL; all when `None`.
    pub condition: Option<String>,
    /// Batch size and pace.
    pub batching: Batching,
}

/// Runs a backfill as one step of `m`, resumable after its last committed batch.
pub fn run(
    m: &mut Migration<'_>,
    backfill: impl FnOnce(Dialect) -> Result<Backfill>,
) -> Result<()> {
    let dialect = m.dialect();
    let spec = backfill(dialect)?;
    let label = format!("backfill {}.{}", spec.table, spec.column);
    let shown = batch::backfill_batch(
        dialect,
        spec.table,
        spec.key,
        &spec.assignments,
        spec.condition.as_deref(),
        Some(0),
        1000,
    );
    super::batching::batched_step(
        m,
        |_| {
            Ok(vec![format!(
                "-- in batches by {key}, each one transaction, like:\n{shown}",
                key = spec.key
            )])
        },
        |batches| {
            let total_sql = batch::count_remaining(
                dialect,
                spec.table,
                spec.key,
                batches.resume_key(),
                spec.condition.as_deref(),
            );
            drive(
                batches,
                &label,
                &total_sql,
                spec.batching,
                |conn, after, size| {
                    let end_sql = batch::next_batch_end(dialect, spec.table, spec.key, after, size);
                    let Some(last_key) = conn
                        .query_optional_i64(&end_sql)
                        .map_err(|e| statement(&end_sql, e))?
                    else {
                        return Ok(None);
                    };
                    let update = batch::backfill_batch(
                        dialect,
                        spec.table,
                        spec.key,
                        &spec.assignments,
                        spec.condition.as_deref(),
                        after,
                        last_key,
                    );
                    let rows = conn.execute(&update).map_err(|e| statement(&update, e))?;
                    Ok(Some(BatchDone {
                        last_key,
                        rows: rows as u64,
                    }))
                },
            )
        },
    )
}

pub(super) fn statement(sql: &str, e: diesel::result::Error) -> Error {
    Error::statement(sql, &e)
}
