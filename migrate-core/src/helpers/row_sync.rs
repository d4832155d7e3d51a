//! The triggers of online fills at run time (their SQL is [`migrate_sql::helpers::row_sync`]):
//! installed before a fill's first batch, dropped in the same transaction (MySQL: under the
//! same `LOCK TABLES`) as the `DROP COLUMN` of a column they read, and the rest when the
//! migration ends. Between the two, every row the application writes gets the fill's values.
//!
//! A run that stops keeps them: the resumed run finds them in place, so no write of the time in
//! between goes unsynced.

use crate::connection::{AnyConnection, with_connection};
use crate::error::{Error, Result};
use crate::migration::Migration;
use crate::vocabulary::MigrationId;
use diesel::sql_types::{Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use migrate_sql::helpers::key::Key;
use migrate_sql::helpers::row_sync::{self, RowSync, mentions};
use migrate_sql::{Dialect, Fill};

/// The statements that install the triggers of `fill`, step `step` of migration `id`.
pub(super) fn install_statements(
    conn: &mut AnyConnection,
    (id, step): (MigrationId, u32),
    fill: &Fill,
    key: &Key,
) -> Result<Vec<String>> {
    let dialect = conn.dialect();
    let columns = super::read_types::column_names(conn, &fill.table)?;
    let sync = RowSync::new(dialect, fill, row_sync::name(id, step), key, &columns);
    Ok(sync.install())
}

/// Runs `statements` that change the triggers of `tables`: in one transaction where DDL is
/// transactional, so that no write falls between dropping and creating a trigger; on MySQL
/// under `LOCK TABLES ... WRITE` (see [`mysql_locked`]).
pub(super) fn run_ddl(
    conn: &mut AnyConnection,
    tables: &[&str],
    statements: &[String],
) -> Result<()> {
    if statements.is_empty() {
        return Ok(());
    }
    let run = |conn: &mut AnyConnection| {
        for sql in statements {
            conn.batch_execute(sql)
                .map_err(|e| Error::statement(sql, &e))?;
        }
        Ok(())
    };
    match conn.dialect() {
        Dialect::Mysql => mysql_locked(conn, tables, run),
        Dialect::Postgres | Dialect::Sqlite => conn.in_transaction(run),
    }
}

/// MySQL/MariaDB: runs `work` while this session holds `tables` with `LOCK TABLES ... WRITE`
/// (with the tables their triggers use, which the server locks with them), so that no
/// statement of the application runs on them meanwhile. Two reasons: MySQL commits each
/// statement by itself, so a write could fall between dropping a trigger and dropping the
/// column it reads; and MariaDB fails a statement that opens a table while a trigger of it
/// that names another table is created or dropped ("Table '...' doesn't exist", MDEV-26048),
/// which the application's writes would otherwise meet at the start and end of every online
/// fill. The application waits for the lock for as long as the statements take.
pub(super) fn mysql_locked<T>(
    conn: &mut AnyConnection,
    tables: &[&str],
    work: impl FnOnce(&mut AnyConnection) -> Result<T>,
) -> Result<T> {
    if tables.is_empty() {
        return work(conn);
    }
    let list: Vec<String> = tables
        .iter()
        .map(|t| format!("{} WRITE", migrate_sql::quote_table(Dialect::Mysql, t)))
        .collect();
    let lock = format!("LOCK TABLES {}", list.join(", "));
    conn.batch_execute(&lock)
        .map_err(|e| Error::statement(&lock, &e))?;
    let outcome = work(conn);
    let unlocked = conn
        .batch_execute("UNLOCK TABLES")
        .map_err(|e| Error::statement("UNLOCK TABLES", &e));
    let value = outcome?;
    unlocked?;
    Ok(value)
}

#[derive(QueryableByName)]
struct Installed {
    #[diesel(sql_type = Text)]
    drop_sql: String,
    #[diesel(sql_type = Nullable<Text>)]
    body: Option<String>,
}

/// One of a migration's triggers, as the catalog has it.
struct Found {
    /// The statements that drop it (and its PostgreSQL function).
    drop_sql: String,
    /// Its definition.
    body: String,
}

/// Migration `id`'s triggers on `table`: those that read `column`, or all of them.
fn found(
    conn: &mut AnyConnection,
    id: MigrationId,
    table: &str,
    column: Option<&str>,
) -> Result<Vec<Found>> {
    let dialect = conn.dialect();
    let sql = row_sync::installed(dialect, table, &row_sync::prefix(id));
    let found: Vec<Installed> = with_connection!(conn, c => diesel::sql_query(&sql).load(c))
        .map_err(|e| Error::statement(&sql, &e))?;
    Ok(found
        .into_iter()
        .map(|t| Found {
            drop_sql: t.drop_sql,
            body: t.body.unwrap_or_default(),
        })
        .filter(|t| column.is_none_or(|column| mentions(dialect, &t.body, column)))
        .collect())
}

/// The statements that drop migration `id`'s triggers on `table`: those that read `column`, or
/// all of them.
pub(super) fn drops(
    conn: &mut AnyConnection,
    id: MigrationId,
    table: &str,
    column: Option<&str>,
) -> Result<Vec<String>> {
    Ok(found(conn, id, table, column)?
        .into_iter()
        .map(|t| t.drop_sql)
        .collect())
}

/// SQLite: makes `columns` of `table` NOT NULL, after checking that no row holds NULL there.
///
/// An online SQLite migration defers this from its step to the moment the triggers that fill
/// the column are dropped (with the column they read, or at the end), in the same
/// transaction: SQLite's triggers can only set a row after it is written (`AFTER INSERT`), so
/// a NOT NULL column would refuse the application's inserts that the trigger would have
/// completed. Skips a column already NOT NULL (a resumed run).
fn apply_deferred_not_null(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[String],
) -> Result<()> {
    if columns.is_empty() {
        return Ok(());
    }
    let dialect = conn.dialect();
    let nullable = super::read_types::nullable_columns(conn, table)?;
    for column in columns.iter().filter(|c| nullable.contains(c)) {
        let count = format!(
            "SELECT COUNT(*) AS n FROM {} WHERE {} IS NULL",
            migrate_sql::quote_table(dialect, table),
            migrate_sql::quote_ident(dialect, column)
        );
        let nulls = super::count(conn, &count)?;
        if nulls > 0 {
            return Err(Error::DataCheck {
                message: format!(
                    "cannot make `{table}.{column}` NOT NULL: it is NULL in {nulls} row{}, which the application wrote while the migration ran without giving it a value",
                    if nulls == 1 { "" } else { "s" }
                ),
                hint: format!(
                    "deploy a version of the application that writes `{column}`, or make it NOT NULL in a later migration; then run the same command again"
                ),
            });
        }
        let change = migrate_sql::TableChange::SetNotNull {
            column: column.clone(),
        };
        for statement in super::alter::plan(conn, table, &change)? {
            conn.execute(&statement)
                .map_err(|e| Error::statement(&statement, &e))?;
        }
    }
    Ok(())
}

/// Runs `change` (a statement that removes a column of `table`) after dropping the triggers
/// that read the column, so that none of them fails on the next write: in the same
/// transaction, or on MySQL, where each statement commits by itself, under the same `LOCK
/// TABLES ... WRITE`, so that no write falls between (the triggers also give the columns the
/// new rows need).
fn drop_column(
    conn: &mut AnyConnection,
    drops: &[String],
    table: &str,
    change: impl FnOnce(&mut AnyConnection) -> Result<usize>,
) -> Result<usize> {
    if drops.is_empty() {
        return change(conn);
    }
    if conn.dialect() != Dialect::Mysql {
        run_ddl(conn, &[table], drops)?;
        return change(conn);
    }
    mysql_locked(conn, &[table], |conn| {
        run_ddl(conn, &[], drops)?;
        change(conn)
    })
}

/// `drop_column!` (and the last step of a split or merge) as a step of `m`: `sql` drops
/// `table.column`, after the triggers of this migration that read the column, in the same
/// transaction or lock ([`drop_column`]); on SQLite the NOT NULL deferred for the columns those
/// triggers filled is applied in between ([`apply_deferred_not_null`]).
pub(super) fn drop_column_step(
    m: &mut Migration<'_>,
    table: &str,
    column: &str,
    sql: &str,
    report: &str,
) -> Result<()> {
    let online = m.is_online();
    let synced = m.synced_tables().iter().any(|t| t == table);
    let deferred = m.deferred_not_null(table);
    let (id, dialect) = (m.id(), m.dialect());
    let mut locked = None;
    let (_, applied): (usize, Vec<String>) = m.step(
        |_| Ok(vec![sql.to_owned()]),
        |conn| {
            let found = if synced {
                found(conn, id, table, Some(column))?
            } else {
                Vec::new()
            };
            let drops: Vec<String> = found.iter().map(|t| t.drop_sql.clone()).collect();
            let apply: Vec<String> = deferred
                .iter()
                .filter(|c| found.iter().any(|t| mentions(dialect, &t.body, c)))
                .cloned()
                .collect();
            let changed = drop_column(conn, &drops, table, |conn| {
                apply_deferred_not_null(conn, table, &apply)?;
                super::online_ddl::execute(conn, sql, online, &mut locked)
            })?;
            Ok((changed, apply))
        },
    )?;
    m.applied_not_null(table, &applied);
    m.mark_changing();
    if let Some(locked) = locked {
        m.note(locked);
    }
    if !m.is_dry_run() {
        for column in &applied {
            m.note(format!("`{table}`: made `{column}` NOT NULL"));
        }
        m.note(report);
    }
    Ok(())
}

/// Drops the triggers the migration's online fills left (and the change logs of its online
/// transforms), once its last step has run, and makes the columns whose NOT NULL SQLite
/// deferred NOT NULL in the same transaction. Idempotent, so outside the journal: a run stopped
/// after it repeats it.
pub(crate) fn finish(m: &mut Migration<'_>) -> Result<()> {
    if !m.is_online() || m.is_dry_run() {
        return Ok(());
    }
    let id = m.id();
    let tables = m.synced_tables();
    let deferred: Vec<(String, Vec<String>)> = tables
        .iter()
        .map(|t| (t.clone(), m.deferred_not_null(t)))
        .collect();
    m.outside_journal(|conn| {
        // One transaction where DDL is transactional: no write falls between a trigger gone
        // and the NOT NULL it made possible.
        let all = |conn: &mut AnyConnection| {
            drop_left(conn, id, &tables)?;
            for (table, columns) in &deferred {
                apply_deferred_not_null(conn, table, columns)?;
            }
            Ok(())
        };
        match conn.dialect() {
            Dialect::Mysql => all(conn),
            Dialect::Postgres | Dialect::Sqlite => conn.in_transaction(all),
        }
    })?;
    for (table, columns) in &deferred {
        m.applied_not_null(table, columns);
    }
    Ok(())
}

/// Drops migration `id`'s triggers and change logs on `tables`: at the end of its run, or when
/// a stopped run is resolved by hand (`resolve --mark-applied` / `--mark-reverted`), which
/// nothing resumes to drop them.
pub(crate) fn drop_left(
    conn: &mut AnyConnection,
    id: MigrationId,
    tables: &[String],
) -> Result<()> {
    for table in tables {
        let drops = drops(conn, id, table, None)?;
        run_ddl(conn, &[table], &drops)?;
    }
    // The change logs of online transforms after every trigger: a trigger that writes to a
    // dropped log would fail the application's writes.
    for table in tables {
        let drops = super::change_log::drops(conn, id, table)?;
        run_ddl(conn, &[], &drops)?;
    }
    Ok(())
}
