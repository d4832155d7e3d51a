//! Warnings before the damage: a migration that runs in one transaction (the default) and would
//! hold a large table (an exclusive lock, or the row locks of a whole-table `UPDATE`) until it
//! commits, found before it runs, with the table's size and the fix (`transaction = false`, which
//! runs the helpers online), as strong_migrations and squawk warn Rails and PostgreSQL users.
//!
//! The statements are those the migration would run: it is run in recording mode on the live
//! connection (as `--dry-run` does), [`migrate_sql::locks`] says which table each one locks and
//! how, and the catalog says how many rows that table holds ([`RowEstimate`]). Migrations that
//! run outside a transaction are not assessed: their helpers commit in short steps.

use crate::connection::{AnyConnection, with_connection};
use crate::descriptor::{Down, MigrationDescriptor};
use crate::migration::Migration;
use crate::report::Silent;
use crate::vocabulary::{Direction, MigrationId};
use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Nullable, Text};
use migrate_sql::locks::{Hold, TableHold, holds};
use migrate_sql::runtime::table_size;
use migrate_sql::{Dialect, quote_ident};
use std::fmt;

/// Above how many rows a table is large, unless the run says otherwise.
pub const DEFAULT_LARGE_TABLE_ROWS: u64 = 100_000;

/// How far past the threshold a count goes, as a multiple of it.
const COUNT_BEYOND_THRESHOLD: u64 = 10;

/// How many rows a table holds, and where that number comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowEstimate {
    /// The catalog's estimate: PostgreSQL's `pg_class.reltuples` (as of the last VACUUM,
    /// ANALYZE or CREATE INDEX), MySQL's `information_schema.TABLES.TABLE_ROWS`.
    Catalog(u64),
    /// Counted, because the catalog has no estimate (SQLite keeps none; a PostgreSQL table never
    /// analyzed has -1; a MySQL one may show 0): exact up to ten times the threshold, where the
    /// count stops (then `more_than` is set and the table holds more than `rows`).
    Counted {
        /// The rows counted.
        rows: u64,
        /// Whether the count stopped at its bound.
        more_than: bool,
    },
}

impl RowEstimate {
    /// The number of rows, at least.
    pub fn rows(self) -> u64 {
        match self {
            RowEstimate::Catalog(rows) | RowEstimate::Counted { rows, .. } => rows,
        }
    }

    /// Whether the table holds more than `rows`.
    pub fn is_above(self, rows: u64) -> bool {
        match self {
            RowEstimate::Catalog(n) => n > rows,
            RowEstimate::Counted { rows: n, more_than } => more_than || n > rows,
        }
    }

    /// `catalog` or `count`, for JSON output.
    pub fn source(self) -> &'static str {
        match self {
            RowEstimate::Catalog(_) => "catalog",
            RowEstimate::Counted { .. } => "count",
        }
    }
}

impl fmt::Display for RowEstimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RowEstimate::Catalog(rows) => write!(f, "~{} rows", thousands(rows)),
            RowEstimate::Counted {
                rows,
                more_than: true,
            } => write!(f, "more than {} rows, counted", thousands(rows)),
            RowEstimate::Counted { rows, .. } => write!(f, "{} rows, counted", thousands(rows)),
        }
    }
}

/// A migration that would hold a large table for long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockWarning {
    /// The migration.
    pub id: MigrationId,
    /// Its name.
    pub name: &'static str,
    /// The database it would run on.
    pub dialect: Dialect,
    /// The first statement that holds the table the longest, and how.
    pub hold: TableHold,
    /// How many other statements of the migration lock the same table.
    pub more_statements: usize,
    /// The table's size.
    pub rows: RowEstimate,
}

impl LockWarning {
    /// The table, as written in the message (`users`, `app.users`).
    pub fn table(&self) -> String {
        self.hold.qualified_name()
    }

    /// What the lock is, in a word, for JSON output: `exclusive`, `writes-blocked`, `row-locks`,
    /// `rebuild`, `database-write-lock`.
    pub fn lock(&self) -> &'static str {
        match self.hold.hold {
            Hold::Exclusive => "exclusive",
            Hold::WritesBlocked => "writes-blocked",
            Hold::RowLocks { .. } => "row-locks",
            Hold::Rebuild => "rebuild",
            Hold::DatabaseWriteLock => "database-write-lock",
        }
    }
}

impl fmt::Display for LockWarning {
    /// What locks what, for how long, how many rows, what the application sees, and the fix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let table = self.table();
        let statement = match self.more_statements {
            0 => format!("`{}`", self.hold.statement),
            more => format!(
                "`{}` (one of {} statements on `{table}`)",
                self.hold.statement,
                more + 1
            ),
        };
        let rows = self.rows;
        let (id, name) = (self.id, self.name);
        let online = "declare it `transaction = false` to run its helpers online (batched, resumable, not atomic)";
        match (self.dialect, self.hold.hold) {
            (Dialect::Mysql, hold) => {
                write!(
                    f,
                    "migration {id} {name}: MySQL commits each of its statements by itself, and "
                )?;
                match hold {
                    Hold::Rebuild => write!(
                        f,
                        "{statement} rebuilds `{table}` ({rows}), copying it when a column's type changes, while the application's writes to `{table}` wait"
                    )?,
                    _ => write!(
                        f,
                        "{statement} locks {} of `{table}` ({rows}) until the statement ends, so the application's writes to them wait for the whole statement (or fail after innodb_lock_wait_timeout)",
                        every_row(hold)
                    )?,
                }
                write!(
                    f,
                    "; {online}, with ALGORITHM=INSTANT/INPLACE where the server supports it"
                )?;
            }
            (Dialect::Sqlite, _) => write!(
                f,
                "migration {id} {name} runs in one transaction: {statement} reads or rewrites every row of `{table}` ({rows}) while the migration holds the database's write lock until it commits, so every write of the application (to any table) waits for the whole migration, or fails with `database is locked` after its busy timeout; {online}"
            )?,
            (_, Hold::WritesBlocked) => write!(
                f,
                "migration {id} {name} runs in one transaction: {statement} blocks writes to `{table}` ({rows}) until the migration commits, so the application's inserts, updates and deletes on `{table}` wait for the whole migration; declare it `transaction = false` and build the index with CREATE INDEX CONCURRENTLY"
            )?,
            (_, Hold::RowLocks { .. }) => write!(
                f,
                "migration {id} {name} runs in one transaction: {statement} locks {} of `{table}` ({rows}) until the migration commits, so the application's writes to those rows wait for the whole migration; {online}",
                every_row(self.hold.hold)
            )?,
            (_, Hold::Exclusive | Hold::Rebuild | Hold::DatabaseWriteLock) => write!(
                f,
                "migration {id} {name} runs in one transaction: {statement} takes an exclusive lock on `{table}` ({rows}) held until the migration commits, so the application's queries on `{table}` (reads too) wait for the whole migration; {online}"
            )?,
        }
        Ok(())
    }
}

fn every_row(hold: Hold) -> &'static str {
    match hold {
        Hold::RowLocks { whole_table: true } => "every row",
        _ => "each row it changes",
    }
}

/// What holds a table longer: the order warnings pick the statement to name by.
fn severity(hold: Hold) -> u8 {
    match hold {
        Hold::Exclusive | Hold::Rebuild | Hold::DatabaseWriteLock => 3,
        Hold::WritesBlocked => 2,
        Hold::RowLocks { whole_table: true } => 1,
        Hold::RowLocks { whole_table: false } => 0,
    }
}

/// The warnings for running `migration` in `direction` on `conn`: none when it runs outside a
/// transaction, else one per table above `large_table_rows` that one of its statements holds.
/// Best effort: a statement the recording pass cannot reach, or a table whose size cannot be
/// read, gives no warning (the reason is logged at debug level).
pub(crate) fn assess(
    conn: &mut AnyConnection,
    migration: &'static MigrationDescriptor,
    direction: Direction,
    large_table_rows: u64,
) -> Vec<LockWarning> {
    if !migration.is_transactional() {
        return Vec::new();
    }
    let statements = recorded_statements(conn, migration, direction);
    warnings_for(conn, migration, &statements, large_table_rows)
}

/// The warnings for `statements`, the ones `migration` would run (from a dry run).
pub(crate) fn warnings_for(
    conn: &mut AnyConnection,
    migration: &'static MigrationDescriptor,
    statements: &[String],
    large_table_rows: u64,
) -> Vec<LockWarning> {
    if !migration.is_transactional() {
        return Vec::new();
    }
    let dialect = conn.dialect();
    // Per table, in the order first locked: the statement that holds it the longest, and how
    // many others lock it too.
    let mut tables: Vec<(TableHold, usize)> = Vec::new();
    for hold in statements.iter().flat_map(|s| holds(dialect, s)) {
        match tables
            .iter_mut()
            .find(|(t, _)| t.schema == hold.schema && t.table == hold.table)
        {
            Some((first, others)) => {
                *others += 1;
                if severity(hold.hold) > severity(first.hold) {
                    *first = hold;
                }
            }
            None => tables.push((hold, 0)),
        }
    }
    tables
        .into_iter()
        .filter_map(|(hold, more_statements)| {
            let rows = match estimate(conn, &hold, large_table_rows) {
                Ok(rows) => rows?,
                Err(error) => {
                    tracing::debug!(migration = %migration.id(), table = %hold.qualified_name(), "cannot read the table's size: {error}");
                    return None;
                }
            };
            rows.is_above(large_table_rows).then(|| LockWarning {
                id: migration.id(),
                name: migration.name(),
                dialect,
                hold,
                more_statements,
                rows,
            })
        })
        .collect()
}

/// The statements `migration` would run, from a recording pass on the live connection (the
/// statements recorded before an error, if it meets one).
fn recorded_statements(
    conn: &mut AnyConnection,
    migration: &'static MigrationDescriptor,
    direction: Direction,
) -> Vec<String> {
    let function = match (direction, migration.down()) {
        (Direction::Up, _) => migration.up(),
        (Direction::Down, Down::Function(f)) => f,
        (Direction::Down, Down::Irreversible) => return Vec::new(),
    };
    let dialect = conn.dialect();
    let ids = (migration.id(), migration.name());
    let mut silent = Silent;
    let mode = (direction, !migration.is_transactional());
    let mut m = Migration::dry_run(Some(conn), dialect, ids, mode, &mut silent);
    if let Err(error) = crate::panic::catch(|| function(&mut m)) {
        tracing::debug!(migration = %migration.id(), "the recording pass stopped early: {error}");
    }
    m.into_recorded()
}

/// The table's size: the catalog's estimate, else a count up to ten times `large_table_rows`.
/// `None` when there is no such table (one an earlier statement of the migration creates).
fn estimate(
    conn: &mut AnyConnection,
    hold: &TableHold,
    large_table_rows: u64,
) -> diesel::QueryResult<Option<RowEstimate>> {
    let dialect = conn.dialect();
    let table = hold.table.as_str();
    let schema = hold.schema.as_deref();
    let quoted = match schema {
        Some(schema) => format!(
            "{}.{}",
            quote_ident(dialect, schema),
            quote_ident(dialect, table)
        ),
        None => quote_ident(dialect, table),
    };
    let catalog = match dialect {
        Dialect::Postgres => {
            let Some(n) = first_number(conn, table_size::POSTGRES_ESTIMATE, &[Some(&quoted)])?
            else {
                return Ok(None);
            };
            Some(n)
        }
        Dialect::Mysql => {
            let Some(n) = first_number(conn, table_size::MYSQL_ESTIMATE, &[schema, Some(table)])?
            else {
                return Ok(None);
            };
            Some(n)
        }
        // SQLite keeps no estimate (`sqlite_stat1` exists only after ANALYZE, and is stale
        // after it): a bounded count is exact for small tables and costs at most its bound on
        // large ones.
        Dialect::Sqlite => None,
    };
    // -1 (PostgreSQL, never analyzed) or 0 (which may be as stale) is no estimate: counting up
    // to the bound costs little and settles it.
    if let Some(n) = catalog.filter(|n| *n > 0) {
        return Ok(Some(RowEstimate::Catalog(n.unsigned_abs())));
    }
    // Ten times the threshold: the count still shows how large a large table is (and costs a
    // fraction of a second at the default), yet never walks a huge one whole.
    let limit = large_table_rows.saturating_mul(COUNT_BEYOND_THRESHOLD);
    let bound = limit.saturating_add(1);
    let counted = with_connection!(conn, c => diesel::sql_query(table_size::bounded_count(dialect, &quoted))
        .bind::<BigInt, _>(i64::try_from(bound).unwrap_or(i64::MAX))
        .load::<Number>(c));
    let counted = match counted {
        Ok(rows) => rows.first().map_or(0, |r| r.n).unsigned_abs(),
        // SQLite says "no such table" only here: a table the migration creates first.
        Err(_) if dialect == Dialect::Sqlite => return Ok(None),
        Err(error) => return Err(error),
    };
    Ok(Some(RowEstimate::Counted {
        rows: counted.min(limit),
        more_than: counted >= bound,
    }))
}

#[derive(diesel::QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The column `n` of the first row of `sql` with text parameters `binds`, if any row.
fn first_number(
    conn: &mut AnyConnection,
    sql: &str,
    binds: &[Option<&str>],
) -> diesel::QueryResult<Option<i64>> {
    let rows: Vec<Number> = with_connection!(conn, c => {
        let mut query = diesel::sql_query(sql).into_boxed();
        for bind in binds {
            query = query.bind::<Nullable<Text>, _>(bind.map(str::to_owned));
        }
        query.load(c)
    })?;
    Ok(rows.first().map(|r| r.n))
}

/// `12,345,678`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning(dialect: Dialect, sql: &str, rows: RowEstimate, more: usize) -> String {
        let hold = holds(dialect, sql).remove(0);
        LockWarning {
            id: MigrationId(5),
            name: "split_full_name",
            dialect,
            hold,
            more_statements: more,
            rows,
        }
        .to_string()
    }

    #[test]
    fn messages() {
        insta::assert_snapshot!(
            [
                warning(
                    Dialect::Postgres,
                    "ALTER TABLE \"users\" ADD COLUMN \"first_name\" VARCHAR(50)",
                    RowEstimate::Catalog(1_000_000),
                    4
                ),
                warning(
                    Dialect::Postgres,
                    "UPDATE users SET a = 1",
                    RowEstimate::Counted {
                        rows: 1_000_000,
                        more_than: true
                    },
                    0
                ),
                warning(
                    Dialect::Postgres,
                    "CREATE INDEX ON app.orders (a)",
                    RowEstimate::Catalog(250_000),
                    0
                ),
                warning(
                    Dialect::Mysql,
                    "UPDATE `users` SET a = 1",
                    RowEstimate::Catalog(1_000_000),
                    0
                ),
                warning(
                    Dialect::Mysql,
                    "ALTER TABLE `users` MODIFY COLUMN `a` INT NOT NULL",
                    RowEstimate::Catalog(1_000_000),
                    1
                ),
                warning(
                    Dialect::Sqlite,
                    "UPDATE users SET a = 1 WHERE a IS NULL",
                    RowEstimate::Counted {
                        rows: 150_000,
                        more_than: false
                    },
                    0
                ),
            ]
            .join("\n\n")
        );
    }
}
