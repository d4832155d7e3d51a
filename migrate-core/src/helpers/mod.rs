//! The runtime half of the data-migration helper macros.
//!
//! A helper macro expands, at compile time, to the [`Step`]s of every enabled dialect; at run
//! time [`run`] picks the connection's dialect and runs them as journaled steps of the migration.
//! The batched helpers ([`backfill`], [`transform`]) walk the table by key, one short
//! transaction per batch.
//!
//! A migration declared `transaction = false` runs its helpers online: fills in keyset batches
//! ([`fill`]) and schema changes that hold their table's exclusive lock only for an instant
//! ([`online_ddl`]). A migration in one transaction runs each as one statement, atomically.

mod alter;
pub mod backfill;
mod batching;
mod change_log;
mod fill;
mod key;
mod online_ddl;
pub mod read_types;
pub(crate) mod row_sync;
pub mod transform;
mod value;

pub use batching::Batching;
pub use value::{SqlValue, parse_text};

use crate::error::{Error, Result};
use crate::migration::Migration;
use migrate_sql::Dialect;
use migrate_sql::{Step, TableChange};

/// Runs the steps a helper macro generated for the migration's dialect.
///
/// `steps` is called with the dialect and returns its steps (the macro expands to a `match`
/// over the dialects, so only the connection's steps are built).
pub fn run(m: &mut Migration<'_>, steps: impl FnOnce(Dialect) -> Result<Vec<Step>>) -> Result<()> {
    let dry_run = m.is_dry_run();
    for step in steps(m.dialect())? {
        match step {
            Step::Execute { sql, report } => {
                let online = m.is_online();
                let mut locked = None;
                let changed = m.step(
                    |_| Ok(vec![sql.clone()]),
                    |conn| online_ddl::execute(conn, &sql, online, &mut locked),
                )?;
                m.mark_changing();
                if let Some(locked) = locked {
                    m.note(locked);
                }
                if let (Some(report), false) = (report, dry_run) {
                    m.note(fill_count(&report, changed as i64));
                }
            }
            Step::Fill(fill) => {
                // Noted for a finished step too: a resumed run drops what it installed.
                if m.is_online() {
                    m.sync_table(&fill.table);
                    if let Some(join) = &fill.join {
                        m.sync_table(&join.source_table);
                    }
                }
                fill::run(m, &fill)?
            }
            Step::DropColumn {
                table,
                column,
                sql,
                report,
            } => row_sync::drop_column_step(m, &table, &column, &sql, &report)?,
            Step::Verify(check) => {
                if let Some(column) = &check.before_not_null {
                    m.note_not_null(column);
                }
                let shown = format!("-- verify that no row matches: {}", check.count_sql);
                let online = m.is_online();
                m.step(|_| Ok(vec![shown]), |conn| verify(conn, &check, online))?;
                if let (Some(confirmed), false) = (&check.confirmed, m.is_dry_run()) {
                    m.note(confirmed);
                }
            }
            Step::Report { sql, label } => {
                let shown = format!("-- report: {sql}");
                let count: Option<i64> =
                    m.step(|_| Ok(vec![shown]), |conn| count(conn, &sql).map(Some))?;
                if let Some(count) = count {
                    m.note(fill_count(&label, count));
                }
            }
            Step::Sample { sql, label } => {
                let shown = format!("-- {label} {sql}");
                let rows: Vec<String> = m.step(
                    |_| Ok(vec![shown]),
                    |conn| {
                        conn.query_text(&sql)
                            .map_err(|e| Error::statement(&sql, &e))
                    },
                )?;
                if !dry_run {
                    m.note(label);
                    for row in rows {
                        m.note(format!("  {row}"));
                    }
                }
            }
            Step::AlterTable { table, change }
                if m.is_online() && m.dialect() == Dialect::Postgres =>
            {
                online_ddl::postgres(m, &table, &change)?;
                if !m.is_dry_run() {
                    m.note(alter::done(&table, &change));
                }
            }
            Step::AlterTable {
                table,
                change: TableChange::SetNotNull { column },
            } if m.is_online()
                && m.dialect() == Dialect::Sqlite
                && m.synced_tables().contains(&table) =>
            {
                // Until its triggers are dropped, a NOT NULL would refuse the application's
                // inserts that the triggers complete only after the row is written.
                m.defer_not_null(&table, &column);
                let shown = format!(
                    "-- `{table}.{column}` is made NOT NULL when the triggers that fill it are dropped"
                );
                m.step(|_| Ok(vec![shown]), |_| Ok(()))?;
            }
            Step::AlterTable { table, change } => {
                let describe = alter::describe(m.dialect(), &table, &change);
                let online = m.is_online();
                let mut locked = None;
                m.step(
                    |conn| match conn {
                        Some(conn) => alter::plan(conn, &table, &change),
                        None => Ok(vec![describe]),
                    },
                    |conn| {
                        for statement in alter::plan(conn, &table, &change)? {
                            online_ddl::execute(conn, &statement, online, &mut locked)?;
                        }
                        Ok(())
                    },
                )?;
                m.mark_changing();
                if let Some(locked) = locked {
                    m.note(locked);
                }
                if !m.is_dry_run() {
                    m.note(alter::done(&table, &change));
                }
            }
        }
    }
    Ok(())
}

/// `count_rows!`: counts with `sql` (per dialect), notes `label` with `{n}` replaced, and returns
/// the count (0 in `--dry-run`).
pub fn count_rows(
    m: &mut Migration<'_>,
    label: &str,
    sql: impl FnOnce(Dialect) -> Result<String>,
) -> Result<i64> {
    let sql = sql(m.dialect())?;
    let shown = format!("-- count: {sql}");
    let counted: Option<i64> = m.step(|_| Ok(vec![shown]), |conn| count(conn, &sql).map(Some))?;
    match counted {
        Some(n) => {
            m.note(fill_count(label, n));
            Ok(n)
        }
        None => Ok(0),
    }
}

/// Puts `count` into a message template: `{n} rows` reads "1 row" for one.
pub(crate) fn fill_count(template: &str, count: i64) -> String {
    let text = if count == 1 {
        template.replace("{n} rows", "1 row")
    } else {
        template.to_owned()
    };
    text.replace("{n}", &count.to_string())
}

/// Counts with a query returning one integer column `n`.
pub(crate) fn count(conn: &mut crate::connection::AnyConnection, sql: &str) -> Result<i64> {
    conn.query_i64(sql)
        .map_err(|e| Error::statement(sql, &e))
        .map(|rows| rows.first().copied().unwrap_or(0))
}

/// Fails with the count and sample keys of the rows violating `check`. In an `online`
/// migration the rows may be the application's, written while the migration ran: the hint says
/// what fixes that too.
fn verify(
    conn: &mut crate::connection::AnyConnection,
    check: &migrate_sql::Check,
    online: bool,
) -> Result<()> {
    let violations = count(conn, &check.count_sql)?;
    if violations == 0 {
        return Ok(());
    }
    // The sample names rows by key; a table without the key column still gets the count.
    let samples = conn.query_text(&check.sample_sql).unwrap_or_default();
    let ids = samples.join(", ");
    let more = if violations > samples.len() as i64 {
        ", ..."
    } else {
        ""
    };
    Err(Error::DataCheck {
        message: format!(
            "{} ({} {ids}{more})",
            fill_count(&check.problem, violations),
            if samples.len() == 1 { "id" } else { "ids" }
        ),
        hint: if online {
            format!(
                "{}; if the application wrote them while this online migration ran (it writes rows without what this step requires), deploy the version of the application that writes it first, or move this step to a later migration, then run the same command again",
                check.hint
            )
        } else {
            check.hint.clone()
        },
    })
}
