//! The change log of an online `transform_rows!` at run time (its SQL is
//! [`migrate_sql::helpers::change_log`]): created with its triggers before the walk's first
//! batch, read after the last one by catch-up passes that compute the logged rows again, the
//! last pass under a lock that keeps the application's writes out, and dropped with the
//! migration's sync triggers when the migration ends ([`super::row_sync::finish`]).
//!
//! A catch-up pass is one transaction that records no resume key: it reads the oldest logged
//! keys, selects those rows (locking them), computes them with the transform's closure, writes
//! them back and deletes the entries it read. A pass that stops half way leaves the log as it
//! was, and computing a row twice gives it the same values.

use super::backfill::{KeyText, statement};
use super::batching::Batches;
use super::row_sync;
use crate::connection::{AnyConnection, with_connection};
use crate::error::{Error, Result};
use crate::vocabulary::MigrationId;
use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};
use migrate_sql::Dialect;
use migrate_sql::helpers::change_log::{self, ChangeLog};

/// The most logged entries one pass takes.
const PASS_ENTRIES: u64 = 1_000;

/// Fewer entries than this in a pass, and the next one is the last, under the lock: the
/// application's writes wait only for that few.
const FEW: u64 = 100;

/// Creates the log and its triggers (again, on a resumed run: the log keeps its entries).
pub(super) fn install(batches: &mut Batches<'_>, log: &ChangeLog<'_>) -> Result<()> {
    let statements = log.install();
    let (create, triggers) = statements.split_at(1.min(statements.len()));
    batches.with_lock_wait(|conn| {
        row_sync::run_ddl(conn, &[], create)?;
        row_sync::run_ddl(conn, &[log.table()], triggers)
    })
}

/// What the catch-up did.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct CaughtUp {
    /// The rows computed again (rows logged but deleted since are not among them).
    pub(super) rows: u64,
    /// The passes, the locked one included.
    pub(super) passes: u64,
}

/// Computes again every row the log names until it is empty, the last pass while the
/// application cannot write the table, which ends by running `guard` (the statements that
/// refuse NULLs a later NOT NULL will refuse). `write` gets the connection (inside the pass's
/// transaction, or under MySQL's `LOCK TABLES`) and the distinct logged keys, and returns the
/// number of rows it wrote.
pub(super) fn catch_up(
    batches: &mut Batches<'_>,
    log: &ChangeLog<'_>,
    arity: usize,
    guard: &[String],
    mut write: impl FnMut(&mut AnyConnection, &[Vec<String>]) -> Result<u64>,
) -> Result<CaughtUp> {
    let mut done = CaughtUp::default();
    loop {
        let (entries, rows) = batches.transaction(|conn| pass(conn, log, arity, &mut write))?;
        done.rows += rows;
        done.passes += 1;
        if entries < FEW {
            break;
        }
    }
    let mut last = 0;
    match batches.conn().dialect() {
        Dialect::Mysql => {
            // LOCK TABLES ends any transaction, and starting one would release the tables:
            // the pass's statements commit one by one, and no other session writes meanwhile.
            let lock = log.lock().unwrap_or_default();
            batches.with_lock_wait(|conn| {
                conn.batch_execute(&lock)
                    .map_err(|e| Error::statement(&lock, &e))?;
                let outcome = drain(conn, log, arity, &mut write)
                    .and_then(|rows| row_sync::run_ddl(conn, &[], guard).map(|()| rows));
                let unlocked = conn
                    .batch_execute("UNLOCK TABLES")
                    .map_err(|e| Error::statement("UNLOCK TABLES", &e));
                last = outcome?;
                unlocked
            })?;
        }
        Dialect::Postgres | Dialect::Sqlite => {
            // SQLite's transaction begins IMMEDIATE: it is the only writer already.
            last = batches.transaction(|conn| {
                if let Some(lock) = log.lock() {
                    conn.batch_execute(&lock)
                        .map_err(|e| Error::statement(&lock, &e))?;
                }
                let rows = drain(conn, log, arity, &mut write)?;
                row_sync::run_ddl(conn, &[], guard)?;
                Ok(rows)
            })?;
        }
    }
    done.rows += last;
    done.passes += 1;
    Ok(done)
}

/// Passes until the log is empty; returns the rows written.
fn drain(
    conn: &mut AnyConnection,
    log: &ChangeLog<'_>,
    arity: usize,
    write: &mut impl FnMut(&mut AnyConnection, &[Vec<String>]) -> Result<u64>,
) -> Result<u64> {
    let mut rows = 0;
    loop {
        let (entries, written) = pass(conn, log, arity, write)?;
        rows += written;
        if entries < PASS_ENTRIES {
            return Ok(rows);
        }
    }
}

/// One pass: the oldest entries, their rows computed again, the entries deleted. Returns the
/// entries read and the rows written.
fn pass(
    conn: &mut AnyConnection,
    log: &ChangeLog<'_>,
    arity: usize,
    write: &mut impl FnMut(&mut AnyConnection, &[Vec<String>]) -> Result<u64>,
) -> Result<(u64, u64)> {
    let read = log.read(PASS_ENTRIES);
    let entries: Vec<Entry> = with_connection!(conn, c => diesel::sql_query(&read).load(c))
        .map_err(|e| statement(&read, e))?;
    if entries.is_empty() {
        return Ok((0, 0));
    }
    let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
    let mut keys: Vec<Vec<String>> = entries.into_iter().map(|e| e.key.values(arity)).collect();
    keys.sort();
    keys.dedup();
    let rows = write(conn, &keys)?;
    // Only the entries read: one a transaction still open wrote may have a smaller number.
    let delete = log.delete(&seqs);
    conn.execute(&delete).map_err(|e| statement(&delete, e))?;
    Ok((seqs.len() as u64, rows))
}

/// One logged entry: its number and the key as text columns `__k0` ... `__k7`.
#[derive(QueryableByName)]
struct Entry {
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(embed)]
    key: KeyText,
}

#[derive(QueryableByName)]
struct Installed {
    #[diesel(sql_type = Text)]
    drop_sql: String,
}

/// The statements that drop migration `id`'s change logs in the schema of `table`.
pub(super) fn drops(conn: &mut AnyConnection, id: MigrationId, table: &str) -> Result<Vec<String>> {
    let sql = change_log::installed(
        conn.dialect(),
        table,
        &migrate_sql::helpers::row_sync::prefix(id),
    )
    .map_err(super::backfill::key_value)?;
    let found: Vec<Installed> = with_connection!(conn, c => diesel::sql_query(&sql).load(c))
        .map_err(|e| Error::statement(&sql, &e))?;
    Ok(found.into_iter().map(|t| t.drop_sql).collect())
}
