//! The populate step of the column helpers ([`Fill`]): one `UPDATE` inside a migration's
//! transaction, keyset batches of short transactions when the migration runs online.

use super::backfill::{batch_end, describe, key_value, statement};
use super::batching::{BatchDone, Batching, batched_step, drive};
use super::fill_count;
use super::key::{discover, discover_if_exists};
use super::row_sync;
use crate::error::{Error, Result};
use crate::migration::Migration;
use migrate_sql::Fill;
use migrate_sql::helpers::batch;

/// Runs `fill` as the migration runs: one statement in one transaction, else online.
pub(super) fn run(m: &mut Migration<'_>, fill: &Fill) -> Result<()> {
    if m.is_online() {
        return online(m, fill);
    }
    let sql = fill.statement(m.dialect());
    let changed = m.step(
        |_| Ok(vec![sql.clone()]),
        |conn| conn.execute(&sql).map_err(|e| Error::statement(&sql, &e)),
    )?;
    m.mark_changing();
    if !m.is_dry_run() {
        m.note(fill_count(&fill.report, changed as i64));
    }
    Ok(())
}

/// Fills in batches by the table's key, each batch one transaction that also records its last
/// key, so that a stopped run resumes after the last committed batch and no row is set twice
/// (as `backfill!` does). Rows are locked only while their batch runs.
fn online(m: &mut Migration<'_>, fill: &Fill) -> Result<()> {
    let dialect = m.dialect();
    let requested: Option<Vec<&str>> = fill
        .key
        .as_ref()
        .map(|k| k.iter().map(String::as_str).collect());
    let requested = requested.as_deref();
    let label = format!("fill {}", fill.table);
    let m_id = m.id();
    let mut filled = 0u64;
    batched_step(
        m,
        |conn| {
            // Read in the check before a run too: a table without a usable key is refused
            // before anything changes.
            let unknown_key = || {
                Ok(vec![format!(
                    "-- in batches by the table's primary key, each one transaction, each like this over one key range:\n{}",
                    fill.statement(dialect)
                )])
            };
            let Some(conn) = conn else {
                return unknown_key();
            };
            let Some(key) = discover_if_exists(conn, &fill.table, requested)? else {
                return unknown_key();
            };
            let placeholder: Vec<String> = key.columns.iter().map(|_| ":last".to_owned()).collect();
            let first = fill
                .batch(dialect, &key, None, &placeholder)
                .map_err(key_value)?;
            // Named as step 0 here: the dry run does not number the steps it shows.
            let triggers = row_sync::install_statements(conn, (m_id, 0), fill, &key)?;
            Ok(vec![format!(
                "-- in batches by {}, each one transaction, like:\n{first}\n-- first, triggers that give the rows the application writes meanwhile the same values (dropped with the columns they read, or at the end of the migration):\n{}",
                describe(&key),
                triggers.join(";\n")
            )])
        },
        |batches| {
            let key = discover(batches.conn(), &fill.table, requested)?;
            // Before the first batch: every row written from now on gets its values from the
            // triggers, every row written before from a batch.
            let step = batches.step();
            let install = row_sync::install_statements(batches.conn(), step, fill, &key)?;
            let mut locked = vec![fill.table.as_str()];
            locked.extend(fill.join.as_ref().map(|j| j.source_table.as_str()));
            batches.with_lock_wait(|conn| row_sync::run_ddl(conn, &locked, &install))?;
            let count_sql = batch::count_remaining(
                dialect,
                &fill.table,
                &key,
                batches.resume_key(),
                fill.condition.as_deref(),
            )
            .map_err(key_value)?;
            filled = drive(
                batches,
                &label,
                &count_sql,
                Batching::default(),
                |conn, after, size| {
                    let end_sql = batch::next_batch_end(dialect, &fill.table, &key, after, size)
                        .map_err(key_value)?;
                    let Some(last_key) = batch_end(conn, &end_sql, key.columns.len())? else {
                        return Ok(None);
                    };
                    if let Some(lock) = fill
                        .lock_joined(dialect, &key, after, &last_key)
                        .map_err(key_value)?
                    {
                        conn.query_text(&lock).map_err(|e| statement(&lock, e))?;
                    }
                    let recheck = fill
                        .recheck_joined(dialect, &key, after, &last_key)
                        .map_err(key_value)?;
                    if recheck.is_some() {
                        // PostgreSQL breaks a deadlock by failing the session that waited a
                        // second first: a batch that gives up on a row lock sooner is the one
                        // rolled back (and tried again), not the application's rename.
                        let short = "SET LOCAL lock_timeout = '200ms'";
                        conn.execute(short).map_err(|e| statement(short, e))?;
                    }
                    let update = fill
                        .batch(dialect, &key, after, &last_key)
                        .map_err(key_value)?;
                    let rows = conn.execute(&update).map_err(|e| statement(&update, e))?;
                    if let Some(recheck) = &recheck {
                        conn.execute(recheck).map_err(|e| statement(recheck, e))?;
                    }
                    Ok(Some(BatchDone {
                        last_key,
                        rows: rows as u64,
                    }))
                },
            )?;
            Ok(())
        },
    )?;
    if !m.is_dry_run() {
        m.note(fill_count(&fill.report, filled as i64));
    }
    Ok(())
}
