//! The history table: which migrations are applied, when, and how far an unfinished one got.
//!
//! | column | meaning |
//! |--------|---------|
//! | `id` | the migration's id (primary key) |
//! | `name` | its name when it ran |
//! | `checksum` | the checksum of its source when it ran |
//! | `state` | `applied`, `running` (a run outside a transaction is under way or was killed) or `failed` |
//! | `operation` | `up` or `down`: what the unfinished run was doing |
//! | `applied_at` | when it was applied (UTC) |
//! | `execution_ms` | how long it took |
//! | `steps_done` | statements finished by an unfinished run |
//! | `resume_key` | the last primary key a batched step finished, to resume after it |
//! | `error` | why a failed run failed |

use crate::connection::{AnyConnection, with_connection};
use crate::{Dialect, Error, MigrationDescriptor, MigrationId, Result, migration::Direction};
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use migrate_sql::quote_ident;
use std::time::Duration;

/// The name of the history table unless configured otherwise.
pub const DEFAULT_TABLE: &str = "_migrate_history";

const COLUMNS: [&str; 10] = [
    "id",
    "name",
    "checksum",
    "state",
    "operation",
    "applied_at",
    "execution_ms",
    "steps_done",
    "resume_key",
    "error",
];

/// The state of a history row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    /// Applied and finished.
    Applied,
    /// A run outside a transaction started and has not finished: under way, or the process died.
    Running,
    /// A run outside a transaction failed part-way; an operator must decide (`migrate resolve`).
    Failed,
}

impl EntryState {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "applied" => Some(EntryState::Applied),
            "running" => Some(EntryState::Running),
            "failed" => Some(EntryState::Failed),
            _ => None,
        }
    }
}

/// One row of the history table.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    /// The migration's id.
    pub id: MigrationId,
    /// Its name when it ran.
    pub name: String,
    /// Its checksum when it ran.
    pub checksum: String,
    /// Whether it finished.
    pub state: EntryState,
    /// What an unfinished run was doing.
    pub operation: Direction,
    /// When it was applied, as `YYYY-MM-DDTHH:MM:SSZ`.
    pub applied_at: String,
    /// How long it took, in milliseconds.
    pub execution_ms: Option<i64>,
    /// Statements an unfinished run finished.
    pub steps_done: u32,
    /// The last key a batched step finished.
    pub resume_key: Option<i64>,
    /// Why a failed run failed.
    pub error: Option<String>,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    checksum: String,
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = Text)]
    operation: String,
    #[diesel(sql_type = Text)]
    applied_at: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    execution_ms: Option<i64>,
    #[diesel(sql_type = Integer)]
    steps_done: i32,
    #[diesel(sql_type = Nullable<BigInt>)]
    resume_key: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    error: Option<String>,
}

#[derive(QueryableByName)]
struct ColumnName {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The history table of one database.
#[derive(Debug, Clone)]
pub struct HistoryTable {
    name: String,
}

impl Default for HistoryTable {
    fn default() -> Self {
        HistoryTable::new(DEFAULT_TABLE)
    }
}

impl HistoryTable {
    /// The history table called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        HistoryTable { name: name.into() }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn quoted(&self, dialect: Dialect) -> String {
        quote_ident(dialect, &self.name)
    }

    /// Refuses a name the database would not keep as written: PostgreSQL silently truncates
    /// identifiers past 63 bytes (the table would then be created under one name and looked up
    /// under another), MySQL refuses names past 64 characters, and no database takes an empty one.
    pub fn check_name(&self, dialect: Dialect) -> Result<()> {
        let problem = match dialect {
            _ if self.name.trim().is_empty() => Some("it is empty".to_owned()),
            _ if self.name.contains('\0') => Some("it holds a NUL character".to_owned()),
            Dialect::Postgres if self.name.len() > 63 => Some(format!(
                "it is {} bytes long and PostgreSQL truncates identifiers to 63 bytes",
                self.name.len()
            )),
            Dialect::Mysql if self.name.chars().count() > 64 => Some(format!(
                "it is {} characters long and MySQL accepts at most 64",
                self.name.chars().count()
            )),
            _ => None,
        };
        match problem {
            None => Ok(()),
            Some(problem) => Err(Error::Configuration {
                message: format!(
                    "cannot use `{}` as the history table: {problem}",
                    self.name.escape_debug()
                ),
                hint: "choose another name with --history-table (at most 63 bytes on PostgreSQL, 64 characters on MySQL)".into(),
            }),
        }
    }

    /// The columns the table has, empty if it does not exist.
    fn existing_columns(&self, conn: &mut AnyConnection) -> Result<Vec<String>> {
        self.check_name(conn.dialect())?;
        let sql = match conn.dialect() {
            Dialect::Postgres => {
                "SELECT CAST(column_name AS TEXT) AS name FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1"
                    .to_owned()
            }
            Dialect::Mysql => {
                "SELECT CAST(column_name AS CHAR) AS name FROM information_schema.columns \
                 WHERE table_schema = DATABASE() AND table_name = ?"
                    .to_owned()
            }
            Dialect::Sqlite => "SELECT name FROM pragma_table_info(?)".to_owned(),
        };
        let rows: Vec<ColumnName> = with_connection!(conn, c => diesel::sql_query(&sql)
            .bind::<Text, _>(&self.name)
            .load(c))
        .map_err(|e| Error::database(format!("reading the columns of `{}`", self.name), e))?;
        Ok(rows.into_iter().map(|r| r.name.to_lowercase()).collect())
    }

    /// Whether the table exists; fails if it exists but is not a history table of this version.
    pub fn exists(&self, conn: &mut AnyConnection) -> Result<bool> {
        let columns = self.existing_columns(conn)?;
        if columns.is_empty() {
            return Ok(false);
        }
        let missing: Vec<&str> = COLUMNS
            .iter()
            .copied()
            .filter(|c| !columns.iter().any(|have| have == c))
            .collect();
        if !missing.is_empty() {
            return Err(Error::IncompatibleHistory {
                table: self.name.clone(),
                reason: format!(
                    "it lacks the column(s) {} (it has {}); it was written by another tool or an older version",
                    missing.join(", "),
                    columns.join(", ")
                ),
            });
        }
        Ok(true)
    }

    /// Creates the table unless it exists (and checks it if it does).
    pub fn ensure(&self, conn: &mut AnyConnection) -> Result<()> {
        if self.exists(conn)? {
            return Ok(());
        }
        let dialect = conn.dialect();
        let table = self.quoted(dialect);
        let sql = match dialect {
            Dialect::Postgres => format!(
                "CREATE TABLE IF NOT EXISTS {table} (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL, \
                 checksum VARCHAR(64) NOT NULL, state VARCHAR(16) NOT NULL, operation VARCHAR(8) NOT NULL, \
                 applied_at TIMESTAMP NOT NULL, execution_ms BIGINT, steps_done INTEGER NOT NULL DEFAULT 0, \
                 resume_key BIGINT, error TEXT)"
            ),
            Dialect::Mysql => format!(
                "CREATE TABLE IF NOT EXISTS {table} (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL, \
                 checksum VARCHAR(64) NOT NULL, state VARCHAR(16) NOT NULL, operation VARCHAR(8) NOT NULL, \
                 applied_at DATETIME(6) NOT NULL, execution_ms BIGINT, steps_done INTEGER NOT NULL DEFAULT 0, \
                 resume_key BIGINT, error TEXT) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
            ),
            Dialect::Sqlite => format!(
                "CREATE TABLE IF NOT EXISTS {table} (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL, \
                 checksum VARCHAR(64) NOT NULL, state VARCHAR(16) NOT NULL, operation VARCHAR(8) NOT NULL, \
                 applied_at TEXT NOT NULL, execution_ms BIGINT, steps_done INTEGER NOT NULL DEFAULT 0, \
                 resume_key BIGINT, error TEXT)"
            ),
        };
        conn.batch_execute(&sql)
            .map_err(|e| Error::database(format!("creating the history table `{}`", self.name), e))
    }

    /// All rows, by id. Empty if the table does not exist.
    pub fn entries(&self, conn: &mut AnyConnection) -> Result<Vec<HistoryEntry>> {
        if !self.exists(conn)? {
            return Ok(Vec::new());
        }
        let dialect = conn.dialect();
        let applied_at = match dialect {
            Dialect::Postgres => "to_char(applied_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
            Dialect::Mysql => "DATE_FORMAT(applied_at, '%Y-%m-%dT%H:%i:%sZ')",
            Dialect::Sqlite => "strftime('%Y-%m-%dT%H:%M:%SZ', applied_at)",
        };
        let sql = format!(
            "SELECT id, name, checksum, state, operation, {applied_at} AS applied_at, execution_ms, \
             steps_done, resume_key, error FROM {} ORDER BY id",
            self.quoted(dialect)
        );
        let rows: Vec<Row> =
            with_connection!(conn, c => diesel::sql_query(&sql).load(c)).map_err(|e| {
                Error::database(format!("reading the history table `{}`", self.name), e)
            })?;
        rows.into_iter().map(|row| self.entry(row)).collect()
    }

    fn entry(&self, row: Row) -> Result<HistoryEntry> {
        let unreadable = |what: &str| Error::IncompatibleHistory {
            table: self.name.clone(),
            reason: format!("row {} has {what}", row.id),
        };
        Ok(HistoryEntry {
            id: MigrationId(u64::try_from(row.id).map_err(|_| unreadable("a negative id"))?),
            state: EntryState::parse(&row.state)
                .ok_or_else(|| unreadable(&format!("an unknown state `{}`", row.state)))?,
            operation: match row.operation.as_str() {
                "up" => Direction::Up,
                "down" => Direction::Down,
                other => return Err(unreadable(&format!("an unknown operation `{other}`"))),
            },
            name: row.name,
            checksum: row.checksum,
            applied_at: row.applied_at,
            execution_ms: row.execution_ms,
            steps_done: u32::try_from(row.steps_done).unwrap_or(0),
            resume_key: row.resume_key,
            error: row.error,
        })
    }

    fn now(dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::Postgres => "(now() AT TIME ZONE 'utc')",
            Dialect::Mysql => "UTC_TIMESTAMP(6)",
            Dialect::Sqlite => "strftime('%Y-%m-%d %H:%M:%f', 'now')",
        }
    }

    /// Records `migration` as applied (inside the migration's own transaction, or after a
    /// journaled run finished): one statement, so it needs no transaction of its own.
    pub(crate) fn record_applied(
        &self,
        conn: &mut AnyConnection,
        migration: &MigrationDescriptor,
        elapsed: Duration,
    ) -> Result<()> {
        let dialect = conn.dialect();
        let now = Self::now(dialect);
        let ms = i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX);
        let write = self
            .upsert(dialect, migration)
            .sql(format!(", 'applied', 'up', {now}, "))
            .int(ms)
            .sql(format!(
                ", 0, NULL, NULL) {} state = 'applied', operation = 'up', applied_at = {now}, \
                 execution_ms = ",
                on_conflict(dialect)
            ))
            .int(ms)
            .sql(", steps_done = 0, resume_key = NULL, error = NULL, name = ")
            .text(migration.name())
            .sql(", checksum = ")
            .text(migration.checksum());
        write.run(conn).map_err(|e| {
            Error::database(
                format!("recording migration {} as applied", migration.id()),
                e,
            )
        })
    }

    /// Marks the start of a journaled run of `migration`. A row left in this state by a killed
    /// process shows as `interrupted` and is resumed by the next run, which keeps its progress.
    pub(crate) fn record_running(
        &self,
        conn: &mut AnyConnection,
        migration: &MigrationDescriptor,
        direction: Direction,
    ) -> Result<()> {
        let dialect = conn.dialect();
        let write = self
            .upsert(dialect, migration)
            .sql(", 'running', ")
            .text(direction.name())
            .sql(format!(
                ", {}, NULL, 0, NULL, NULL) {} state = 'running', error = NULL, operation = ",
                Self::now(dialect),
                on_conflict(dialect)
            ))
            .text(direction.name());
        write.run(conn).map_err(|e| {
            Error::database(
                format!("recording the start of migration {}", migration.id()),
                e,
            )
        })
    }

    /// Records that a journaled run finished `step`.
    pub(crate) fn record_step(
        &self,
        conn: &mut AnyConnection,
        id: MigrationId,
        step: u32,
    ) -> Result<()> {
        let write = Write::new(format!(
            "UPDATE {} SET steps_done = ",
            self.quoted(conn.dialect())
        ))
        .int(i64::from(step))
        .sql(", resume_key = NULL WHERE id = ")
        .int(id.as_i64());
        write
            .run(conn)
            .map_err(|e| Error::database(format!("recording progress of migration {id}"), e))
    }

    /// Records the last key a batched step finished, in the batch's own transaction.
    pub(crate) fn record_resume_key(
        &self,
        conn: &mut AnyConnection,
        id: MigrationId,
        key: i64,
    ) -> Result<()> {
        let write = Write::new(format!(
            "UPDATE {} SET resume_key = ",
            self.quoted(conn.dialect())
        ))
        .int(key)
        .sql(" WHERE id = ")
        .int(id.as_i64());
        write
            .run(conn)
            .map_err(|e| Error::database(format!("recording progress of migration {id}"), e))
    }

    /// The start of an upsert of `migration`'s row: `INSERT ... VALUES (id, name, checksum`,
    /// to be followed by the other columns in the order of [`COLUMNS`], `)`, [`on_conflict`] and
    /// the assignments for an existing row.
    fn upsert(&self, dialect: Dialect, migration: &MigrationDescriptor) -> Write<'static> {
        Write::new(format!(
            "INSERT INTO {} ({}) VALUES (",
            self.quoted(dialect),
            COLUMNS.join(", ")
        ))
        .int(migration.id().as_i64())
        .sql(", ")
        .text(migration.name())
        .sql(", ")
        .text(migration.checksum())
    }

    /// Records that a journaled run failed, keeping how far it got.
    pub(crate) fn record_failed(
        &self,
        conn: &mut AnyConnection,
        id: MigrationId,
        error: &str,
    ) -> Result<()> {
        let dialect = conn.dialect();
        let sql = format!(
            "UPDATE {} SET state = 'failed', error = {} WHERE id = {}",
            self.quoted(dialect),
            dialect.placeholder(1),
            dialect.placeholder(2)
        );
        with_connection!(conn, c => diesel::sql_query(&sql)
            .bind::<Text, _>(error)
            .bind::<BigInt, _>(id.as_i64())
            .execute(c))
        .map_err(|e| Error::database(format!("recording the failure of migration {id}"), e))?;
        Ok(())
    }

    /// Notes why an unfinished run stopped without marking it failed: it stays `running`
    /// (shown as interrupted) and the next run resumes it.
    pub(crate) fn record_stop_reason(
        &self,
        conn: &mut AnyConnection,
        id: MigrationId,
        reason: &str,
    ) -> Result<()> {
        let dialect = conn.dialect();
        let sql = format!(
            "UPDATE {} SET error = {} WHERE id = {} AND state = 'running'",
            self.quoted(dialect),
            dialect.placeholder(1),
            dialect.placeholder(2)
        );
        with_connection!(conn, c => diesel::sql_query(&sql)
            .bind::<Text, _>(reason)
            .bind::<BigInt, _>(id.as_i64())
            .execute(c))
        .map_err(|e| Error::database(format!("recording why migration {id} stopped"), e))?;
        Ok(())
    }

    /// Undoes [`record_running`](Self::record_running) for a run that failed without changing
    /// anything: an `up` leaves no row, a `down` leaves the migration applied.
    pub(crate) fn record_unchanged(
        &self,
        conn: &mut AnyConnection,
        id: MigrationId,
        direction: Direction,
    ) -> Result<()> {
        match direction {
            Direction::Up => self.delete(conn, id),
            Direction::Down => {
                let dialect = conn.dialect();
                let sql = format!(
                    "UPDATE {} SET state = 'applied', operation = 'up', error = NULL WHERE id = {}",
                    self.quoted(dialect),
                    dialect.placeholder(1)
                );
                with_connection!(conn, c => diesel::sql_query(&sql).bind::<BigInt, _>(id.as_i64()).execute(c))
                    .map_err(|e| Error::database(format!("restoring migration {id} as applied"), e))?;
                Ok(())
            }
        }
    }

    /// Replaces the recorded checksum (after an intended edit, `resolve --accept-checksum`).
    pub(crate) fn record_checksum(
        &self,
        conn: &mut AnyConnection,
        id: MigrationId,
        checksum: &str,
    ) -> Result<()> {
        let dialect = conn.dialect();
        let sql = format!(
            "UPDATE {} SET checksum = {} WHERE id = {}",
            self.quoted(dialect),
            dialect.placeholder(1),
            dialect.placeholder(2)
        );
        with_connection!(conn, c => diesel::sql_query(&sql)
            .bind::<Text, _>(checksum)
            .bind::<BigInt, _>(id.as_i64())
            .execute(c))
        .map_err(|e| Error::database(format!("updating the checksum of migration {id}"), e))?;
        Ok(())
    }

    /// Removes the row of a reverted migration.
    pub(crate) fn delete(&self, conn: &mut AnyConnection, id: MigrationId) -> Result<()> {
        let dialect = conn.dialect();
        let sql = format!(
            "DELETE FROM {} WHERE id = {}",
            self.quoted(dialect),
            dialect.placeholder(1)
        );
        with_connection!(conn, c => diesel::sql_query(&sql).bind::<BigInt, _>(id.as_i64()).execute(c))
            .map_err(|e| Error::database(format!("removing migration {id} from the history"), e))?;
        Ok(())
    }
}

/// What an upsert says between its values and the assignments for an existing row.
fn on_conflict(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Mysql => "ON DUPLICATE KEY UPDATE",
        Dialect::Postgres | Dialect::Sqlite => "ON CONFLICT (id) DO UPDATE SET",
    }
}

/// A write to the history table that Diesel keeps prepared on the connection.
///
/// The runner writes the history for every migration and every batch. `sql_query` statements
/// are prepared anew each time (parsed and planned by the server, and on MySQL one more round
/// trip); Diesel caches a statement by its text instead when the query does not opt out of
/// caching, which this type does not. Its text is fixed per table, its values are binds.
struct Write<'a> {
    /// The SQL around the binds: `pieces[i]` comes before `binds[i]`, and one more piece ends it.
    pieces: Vec<String>,
    binds: Vec<Bind<'a>>,
}

enum Bind<'a> {
    Int(i64),
    Text(&'a str),
}

impl<'a> Write<'a> {
    fn new(sql: impl Into<String>) -> Write<'a> {
        Write {
            pieces: vec![sql.into()],
            binds: Vec::new(),
        }
    }

    /// Appends SQL text.
    fn sql(mut self, sql: impl AsRef<str>) -> Write<'a> {
        if let Some(last) = self.pieces.last_mut() {
            last.push_str(sql.as_ref());
        }
        self
    }

    fn bind(mut self, bind: Bind<'a>) -> Write<'a> {
        self.binds.push(bind);
        self.pieces.push(String::new());
        self
    }

    fn int(self, value: i64) -> Write<'a> {
        self.bind(Bind::Int(value))
    }

    fn text(self, value: &'a str) -> Write<'a> {
        self.bind(Bind::Text(value))
    }

    fn run(self, conn: &mut AnyConnection) -> diesel::QueryResult<()> {
        with_connection!(conn, c => self.execute(c)).map(|_| ())
    }
}

impl<DB> diesel::query_builder::QueryFragment<DB> for Write<'_>
where
    DB: diesel::backend::Backend
        + diesel::sql_types::HasSqlType<BigInt>
        + diesel::sql_types::HasSqlType<Text>,
    i64: diesel::serialize::ToSql<BigInt, DB>,
    str: diesel::serialize::ToSql<Text, DB>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> diesel::QueryResult<()> {
        for (i, piece) in self.pieces.iter().enumerate() {
            out.push_sql(piece);
            match self.binds.get(i) {
                Some(Bind::Int(value)) => out.push_bind_param::<BigInt, i64>(value)?,
                Some(Bind::Text(value)) => out.push_bind_param::<Text, str>(value)?,
                None => {}
            }
        }
        Ok(())
    }
}

impl diesel::query_builder::QueryId for Write<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Conn> RunQueryDsl<Conn> for Write<'_> {}
