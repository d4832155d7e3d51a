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
//! | `resume_key` | (before `resume_at`) the last integer key a batched step finished |
//! | `error` | why a failed run failed |
//! | `resume_at` | the last key (any type and arity) a batched step finished, to resume after it |

use crate::connection::{AnyConnection, with_connection};
use crate::error::{Error, Result};
use crate::vocabulary::{Direction, MigrationId};
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use migrate_sql::Dialect;
use migrate_sql::runtime::Template;
use migrate_sql::runtime::history::{COLUMNS, HistoryStatements, RESUME_AT};
use std::time::Duration;

/// The name of the history table unless configured otherwise.
pub const DEFAULT_TABLE: &str = "_migrate_history";

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
    /// The last key a batched step finished (one value per key column).
    pub resume_key: Option<Vec<String>>,
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
    #[diesel(sql_type = Nullable<Text>)]
    resume_at: Option<String>,
}

#[derive(QueryableByName)]
struct ColumnName {
    #[diesel(sql_type = Text)]
    name: String,
}

/// What the history records about a migration's code: its id, name and checksum.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Recorded<'a> {
    pub(crate) id: MigrationId,
    pub(crate) name: &'a str,
    pub(crate) checksum: &'a str,
}

/// The history table of one database.
#[derive(Debug, Clone)]
pub struct HistoryTable {
    name: String,
    /// The schema (PostgreSQL) or database (MySQL) the run found it in, once pinned.
    schema: Option<String>,
}

impl Default for HistoryTable {
    fn default() -> Self {
        HistoryTable::new(DEFAULT_TABLE)
    }
}

impl HistoryTable {
    /// The history table called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        HistoryTable {
            name: name.into(),
            schema: None,
        }
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn statements(&self, dialect: Dialect) -> HistoryStatements {
        match &self.schema {
            Some(schema) => HistoryStatements::in_schema(dialect, schema, &self.name),
            None => HistoryStatements::new(dialect, &self.name),
        }
    }

    /// Names the table by the schema (PostgreSQL) or database (MySQL) the session points at
    /// now, so that a migration's `SET search_path` or `USE` cannot send the history's writes
    /// elsewhere.
    pub(crate) fn pin_schema(&mut self, conn: &mut AnyConnection) -> Result<()> {
        let sql = match conn.dialect() {
            Dialect::Postgres => "SELECT CAST(current_schema() AS TEXT) AS v",
            Dialect::Mysql => "SELECT DATABASE() AS v",
            Dialect::Sqlite => return Ok(()),
        };
        let schema = conn
            .query_text(sql)
            .map_err(|e| Error::database("reading the current schema", e))?;
        self.schema = schema.into_iter().next();
        Ok(())
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
        let dialect = conn.dialect();
        self.check_name(dialect)?;
        let query = self.statements(dialect).existing_columns().render(dialect);
        let name = match (dialect, &self.schema) {
            (Dialect::Postgres, Some(schema)) => format!(
                "{}.{}",
                migrate_sql::quote_ident(dialect, schema),
                migrate_sql::quote_ident(dialect, &self.name)
            ),
            (Dialect::Postgres, None) => migrate_sql::quote_ident(dialect, &self.name),
            (Dialect::Mysql | Dialect::Sqlite, _) => self.name.clone(),
        };
        let rows: Vec<ColumnName> = with_connection!(conn, c => diesel::sql_query(&query)
            .bind::<Text, _>(&name)
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
        let sql = self.statements(conn.dialect()).create_table();
        conn.batch_execute(&sql)
            .map_err(|e| Error::database(format!("creating the history table `{}`", self.name), e))
    }

    /// Adds the columns a table written by an earlier version lacks (it must exist).
    pub(crate) fn upgrade(&self, conn: &mut AnyConnection) -> Result<()> {
        let columns = self.existing_columns(conn)?;
        if columns.is_empty() || columns.iter().any(|c| c == RESUME_AT) {
            return Ok(());
        }
        let sql = self.statements(conn.dialect()).add_resume_at();
        conn.batch_execute(&sql).map_err(|e| {
            Error::database(
                format!("adding `{RESUME_AT}` to the history table `{}`", self.name),
                e,
            )
        })
    }

    /// All rows, by id. Empty if the table does not exist.
    pub fn entries(&self, conn: &mut AnyConnection) -> Result<Vec<HistoryEntry>> {
        if !self.exists(conn)? {
            return Ok(Vec::new());
        }
        let has_resume_at = self.existing_columns(conn)?.iter().any(|c| c == RESUME_AT);
        let sql = self.statements(conn.dialect()).entries(has_resume_at);
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
            // Rows written before `resume_at` existed carry an integer key.
            resume_key: match (&row.resume_at, row.resume_key) {
                (Some(encoded), _) => Some(
                    migrate_sql::helpers::key::decode(encoded)
                        .ok_or_else(|| unreadable("an unreadable resume key"))?,
                ),
                (None, Some(legacy)) => Some(vec![legacy.to_string()]),
                (None, None) => None,
            },
            error: row.error,
        })
    }

    /// Runs one of the table's statements with its parameters; `doing` says what for, in the
    /// error.
    fn write(
        &self,
        conn: &mut AnyConnection,
        statement: impl FnOnce(&HistoryStatements) -> Template,
        binds: &[Bind<'_>],
        doing: impl FnOnce() -> String,
    ) -> Result<()> {
        let template = statement(&self.statements(conn.dialect()));
        let mut write = Write::new(&template);
        for bind in binds {
            write = write.bind(*bind);
        }
        with_connection!(conn, c => write.execute(c))
            .map(|_| ())
            .map_err(|e| Error::database(doing(), e))
    }

    /// Records `migration` as applied (inside the migration's own transaction, or after a
    /// journaled run finished): one statement, so it needs no transaction of its own.
    pub(crate) fn record_applied(
        &self,
        conn: &mut AnyConnection,
        migration: Recorded<'_>,
        elapsed: Duration,
    ) -> Result<()> {
        let ms = i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX);
        let binds = [
            Bind::Int(migration.id.as_i64()),
            Bind::Text(migration.name),
            Bind::Text(migration.checksum),
            Bind::Int(ms),
            Bind::Int(ms),
            Bind::Text(migration.name),
            Bind::Text(migration.checksum),
        ];
        self.write(conn, HistoryStatements::record_applied, &binds, || {
            format!("recording migration {} as applied", migration.id)
        })
    }

    /// Marks the start of a journaled run of `migration`. A row left in this state by a killed
    /// process shows as `interrupted` and is resumed by the next run, which keeps its progress.
    pub(crate) fn record_running(
        &self,
        conn: &mut AnyConnection,
        migration: Recorded<'_>,
        direction: Direction,
    ) -> Result<()> {
        let binds = [
            Bind::Int(migration.id.as_i64()),
            Bind::Text(migration.name),
            Bind::Text(migration.checksum),
            Bind::Text(direction.name()),
            Bind::Text(direction.name()),
        ];
        self.write(conn, HistoryStatements::record_running, &binds, || {
            format!("recording the start of migration {}", migration.id)
        })
    }

    /// Replaces the recorded duration of an applied migration.
    pub(crate) fn record_duration(
        &self,
        conn: &mut AnyConnection,
        id: MigrationId,
        elapsed: Duration,
    ) -> Result<()> {
        let ms = i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX);
        let binds = [Bind::Int(ms), Bind::Int(id.as_i64())];
        self.write(conn, HistoryStatements::record_duration, &binds, || {
            format!("recording how long migration {id} took")
        })
    }

    /// Records that a journaled run finished `step`.
    pub(crate) fn record_step(
        &self,
        conn: &mut AnyConnection,
        id: MigrationId,
        step: u32,
    ) -> Result<()> {
        let binds = [Bind::Int(i64::from(step)), Bind::Int(id.as_i64())];
        self.write(conn, HistoryStatements::record_step, &binds, || {
            format!("recording progress of migration {id}")
        })
    }

    /// Records the last key a batched step finished, in the batch's own transaction.
    pub(crate) fn record_resume_key(
        &self,
        conn: &mut AnyConnection,
        id: MigrationId,
        key: &[String],
    ) -> Result<()> {
        let encoded = migrate_sql::helpers::key::encode(key);
        let binds = [Bind::Text(&encoded), Bind::Int(id.as_i64())];
        self.write(conn, HistoryStatements::record_resume_key, &binds, || {
            format!("recording progress of migration {id}")
        })
    }

    /// Records that a journaled run failed, keeping how far it got.
    pub(crate) fn record_failed(
        &self,
        conn: &mut AnyConnection,
        id: MigrationId,
        error: &str,
    ) -> Result<()> {
        let binds = [Bind::Text(error), Bind::Int(id.as_i64())];
        self.write(conn, HistoryStatements::record_failed, &binds, || {
            format!("recording the failure of migration {id}")
        })
    }

    /// Notes why an unfinished run stopped without marking it failed: it stays `running`
    /// (shown as interrupted) and the next run resumes it.
    pub(crate) fn record_stop_reason(
        &self,
        conn: &mut AnyConnection,
        id: MigrationId,
        reason: &str,
    ) -> Result<()> {
        let binds = [Bind::Text(reason), Bind::Int(id.as_i64())];
        self.write(conn, HistoryStatements::record_stop_reason, &binds, || {
            format!("recording why migration {id} stopped")
        })
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
            Direction::Down => self.write(
                conn,
                HistoryStatements::restore_applied,
                &[Bind::Int(id.as_i64())],
                || format!("restoring migration {id} as applied"),
            ),
        }
    }

    /// Replaces the recorded checksum (after an intended edit, `resolve --accept-checksum`).
    pub(crate) fn record_checksum(
        &self,
        conn: &mut AnyConnection,
        id: MigrationId,
        checksum: &str,
    ) -> Result<()> {
        let binds = [Bind::Text(checksum), Bind::Int(id.as_i64())];
        self.write(conn, HistoryStatements::record_checksum, &binds, || {
            format!("updating the checksum of migration {id}")
        })
    }

    /// Removes the row of a reverted migration.
    pub(crate) fn delete(&self, conn: &mut AnyConnection, id: MigrationId) -> Result<()> {
        self.write(
            conn,
            HistoryStatements::delete,
            &[Bind::Int(id.as_i64())],
            || format!("removing migration {id} from the history"),
        )
    }
}

/// A statement on the history table that Diesel keeps prepared on the connection: every read
/// and write of the history goes through it.
///
/// The runner writes the history for every migration and every batch. `sql_query` statements
/// are prepared anew each time (parsed and planned by the server, and on MySQL one more round
/// trip); Diesel caches a statement by its text instead when the query does not opt out of
/// caching, which this type does not. Its text is a [`Template`], fixed per table and dialect;
/// its values are binds.
struct Write<'a> {
    pieces: &'a [String],
    binds: Vec<Bind<'a>>,
}

#[derive(Clone, Copy)]
enum Bind<'a> {
    Int(i64),
    Text(&'a str),
}

impl<'a> Write<'a> {
    fn new(template: &'a Template) -> Write<'a> {
        Write {
            pieces: template.pieces(),
            binds: Vec::new(),
        }
    }

    fn bind(mut self, bind: Bind<'a>) -> Write<'a> {
        self.binds.push(bind);
        self
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
        // A template with one parameter fewer than binds (or more) is a bug in this module.
        debug_assert_eq!(self.pieces.len(), self.binds.len() + 1);
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
