//! One connection type over Diesel's PostgreSQL, MySQL and SQLite connections.

mod redact;
mod url;

pub use redact::redact_credentials;
pub use url::DatabaseUrl;

use crate::error::ConnectFailure;
use crate::error::{Error, Result};
use diesel::connection::{Connection, SimpleConnection, TransactionManager};
use diesel::result::QueryResult;
use diesel::{QueryableByName, RunQueryDsl};
use migrate_sql::Dialect;
use migrate_sql::runtime::session;

/// A Diesel connection to one of the supported databases, chosen by the URL's scheme.
///
/// Migration code reaches it through [`Migration::connection`](crate::Migration::connection) and
/// matches on it to run typed Diesel queries. The enum is `#[non_exhaustive]` because its variants
/// follow the enabled features; a wildcard arm covers the others.
///
/// ```no_run
/// use diesel::prelude::*;
/// use migrate_core::prelude::*;
///
/// fn count_users(m: &mut Migration) -> Result<i64> {
///     let count = diesel::dsl::sql::<diesel::sql_types::BigInt>("COUNT(*) FROM users");
///     Ok(match m.connection()? {
///         AnyConnection::Postgres(c) => diesel::select(count).get_result(c)?,
///         AnyConnection::Mysql(c) => diesel::select(count).get_result(c)?,
///         AnyConnection::Sqlite(c) => diesel::select(count).get_result(c)?,
///         _ => return Err(Error::msg("this migration supports PostgreSQL, MySQL and SQLite")),
///     })
/// }
/// ```
#[non_exhaustive]
pub enum AnyConnection {
    /// A PostgreSQL connection.
    #[cfg(feature = "postgres")]
    Postgres(diesel::PgConnection),
    /// A MySQL or MariaDB connection.
    #[cfg(feature = "mysql")]
    Mysql(diesel::MysqlConnection),
    /// A SQLite connection.
    #[cfg(feature = "sqlite")]
    Sqlite(diesel::SqliteConnection),
}

/// Runs `$body` with `$c` bound to the concrete Diesel connection inside an `AnyConnection`.
macro_rules! with_connection {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            #[cfg(feature = "postgres")]
            $crate::connection::AnyConnection::Postgres($c) => $body,
            #[cfg(feature = "mysql")]
            $crate::connection::AnyConnection::Mysql($c) => $body,
            #[cfg(feature = "sqlite")]
            $crate::connection::AnyConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use with_connection;

impl AnyConnection {
    /// Connects to the database `url` names and prepares the session (see the dialect modules).
    pub fn establish(url: &DatabaseUrl) -> Result<AnyConnection> {
        let target = url.connection_target();
        let connect_error = |e: diesel::ConnectionError| connect_error(url, e);
        let mut conn = match url.dialect() {
            #[cfg(feature = "postgres")]
            Dialect::Postgres => AnyConnection::Postgres(
                diesel::PgConnection::establish(target).map_err(connect_error)?,
            ),
            #[cfg(feature = "mysql")]
            Dialect::Mysql => AnyConnection::Mysql(
                diesel::MysqlConnection::establish(target).map_err(connect_error)?,
            ),
            #[cfg(feature = "sqlite")]
            Dialect::Sqlite => {
                sqlite_file_must_be_creatable(url)?;
                AnyConnection::Sqlite(
                    diesel::SqliteConnection::establish(target).map_err(connect_error)?,
                )
            }
            #[allow(unreachable_patterns)]
            dialect => return Err(Error::BackendNotEnabled { dialect }),
        };
        conn.prepare_session()
            .map_err(|e| Error::database("preparing the session", e))?;
        Ok(conn)
    }

    /// Like [`establish`](Self::establish), but a SQLite URL must name an existing file: for
    /// commands that only read or revert, where a mistyped path must not silently create an
    /// empty database.
    pub fn establish_existing(url: &DatabaseUrl) -> Result<AnyConnection> {
        #[cfg(feature = "sqlite")]
        sqlite_file_must_be_creatable(url)?;
        if !url.database_exists() {
            let path = url.sqlite_path().unwrap_or_default();
            return Err(Error::Connect {
                dialect: Dialect::Sqlite,
                url: url.to_string(),
                failure: ConnectFailure::MissingDatabase,
                message: format!("there is no database file `{path}`"),
            });
        }
        AnyConnection::establish(url)
    }

    /// The database this connection talks to.
    pub fn dialect(&self) -> Dialect {
        match self {
            #[cfg(feature = "postgres")]
            AnyConnection::Postgres(_) => Dialect::Postgres,
            #[cfg(feature = "mysql")]
            AnyConnection::Mysql(_) => Dialect::Mysql,
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(_) => Dialect::Sqlite,
        }
    }

    pub(crate) fn prepare_session(&mut self) -> QueryResult<()> {
        match self {
            // Literals the framework writes rely on backslash being an ordinary character.
            // The application name tells a waiting runner who holds the migration lock.
            #[cfg(feature = "postgres")]
            AnyConnection::Postgres(c) => c.batch_execute(&session::postgres_setup(
                &migrate_sql::quote_str(Dialect::Postgres, &process_description())
                    .unwrap_or_default(),
            )),
            #[cfg(feature = "mysql")]
            AnyConnection::Mysql(c) => {
                // String literals double backslashes, which is only right with backslash escapes
                // on; strict mode turns truncation and bad values into errors instead of warnings.
                #[derive(QueryableByName)]
                struct Mode {
                    #[diesel(sql_type = diesel::sql_types::Text)]
                    mode: String,
                }
                let mode: Mode = diesel::sql_query(session::MYSQL_SQL_MODE).get_result(c)?;
                c.batch_execute(&session::mysql_setup(&mode.mode))
            }
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(c) => c.batch_execute(session::SQLITE_SETUP),
        }
    }

    /// The session state a migration may change and the next one must not inherit: the search
    /// path on PostgreSQL, the current database on MySQL.
    pub(crate) fn session_state(&mut self) -> Result<SessionState> {
        let sql = match self.dialect() {
            Dialect::Postgres => session::POSTGRES_SEARCH_PATH,
            Dialect::Mysql => session::MYSQL_DATABASE,
            Dialect::Sqlite => return Ok(SessionState(None)),
        };
        let value = self
            .query_text(sql)
            .map_err(|e| Error::database("reading the session's settings", e))?;
        Ok(SessionState(value.into_iter().next()))
    }

    /// Puts back what [`session_state`](Self::session_state) read.
    pub(crate) fn restore_session(&mut self, state: &SessionState) -> Result<()> {
        let Some(value) = &state.0 else {
            return Ok(());
        };
        let restored = match self {
            #[cfg(feature = "postgres")]
            AnyConnection::Postgres(c) => diesel::sql_query(session::POSTGRES_RESTORE_SEARCH_PATH)
                .bind::<diesel::sql_types::Text, _>(value)
                .execute(c)
                .map(|_| ()),
            #[cfg(feature = "mysql")]
            AnyConnection::Mysql(c) => c.batch_execute(&format!(
                "USE {}",
                migrate_sql::quote_ident(Dialect::Mysql, value)
            )),
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(_) => {
                let _ = value;
                Ok(())
            }
        };
        restored.map_err(|e| Error::database("restoring the session's settings", e))
    }

    /// Runs one statement and returns the number of rows it changed.
    pub fn execute(&mut self, sql: &str) -> QueryResult<usize> {
        match self {
            #[cfg(feature = "postgres")]
            AnyConnection::Postgres(c) => diesel::sql_query(sql).execute(c),
            // MySQL cannot prepare some statements (error 1295: "not supported in the prepared
            // statement protocol"); those go through the text protocol, without a row count.
            #[cfg(feature = "mysql")]
            AnyConnection::Mysql(c) => match diesel::sql_query(sql).execute(c) {
                Err(diesel::result::Error::DatabaseError(_, info))
                    if info.message().contains("prepared statement protocol") =>
                {
                    c.batch_execute(sql).map(|()| 0)
                }
                other => other,
            },
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(c) => diesel::sql_query(sql).execute(c),
        }
    }

    /// Runs several statements separated by `;`, as one batch.
    pub fn batch_execute(&mut self, sql: &str) -> QueryResult<()> {
        with_connection!(self, c => c.batch_execute(sql))
    }

    /// Starts a transaction (a savepoint if one is open).
    ///
    /// On SQLite the outermost one begins `IMMEDIATE`: it takes the write lock at once, waiting
    /// for another writer up to the busy timeout, instead of starting as a reader and failing
    /// with "database is locked" when it first writes while another connection writes.
    pub fn begin(&mut self) -> QueryResult<()> {
        match self {
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(c) => {
                use diesel::connection::AnsiTransactionManager;
                let depth = AnsiTransactionManager::transaction_manager_status_mut(c)
                    .transaction_depth()?;
                match depth {
                    None => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE"),
                    Some(_) => transaction_manager_of(c).begin(c),
                }
            }
            #[allow(unreachable_patterns)]
            other => with_connection!(other, c => transaction_manager_of(c).begin(c)),
        }
    }

    /// Commits the innermost transaction.
    pub fn commit(&mut self) -> QueryResult<()> {
        with_connection!(self, c => transaction_manager_of(c).commit(c))
    }

    /// Rolls back the innermost transaction.
    pub fn rollback(&mut self) -> QueryResult<()> {
        with_connection!(self, c => transaction_manager_of(c).rollback(c))
    }

    /// Runs a query whose only column is a text column named `v`, returning its non-NULL values.
    pub(crate) fn query_text(&mut self, sql: &str) -> QueryResult<Vec<String>> {
        #[derive(QueryableByName)]
        struct TextRow {
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
            v: Option<String>,
        }
        #[derive(QueryableByName)]
        struct BytesRow {
            #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Binary>)]
            v: Option<Vec<u8>>,
        }
        match self {
            // SQLite keeps in TEXT whatever bytes were written, UTF-8 or not: read as bytes, a
            // value that is not UTF-8 is shown (with U+FFFD) instead of failing the statement.
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(c) => {
                let rows: Vec<BytesRow> = diesel::sql_query(sql).load(c)?;
                Ok(rows
                    .into_iter()
                    .filter_map(|r| r.v)
                    .map(|v| String::from_utf8_lossy(&v).into_owned())
                    .collect())
            }
            #[allow(unreachable_patterns)] // Without the other backends' features.
            other => {
                let rows: Vec<TextRow> =
                    with_connection!(other, c => diesel::sql_query(sql).load(c))?;
                Ok(rows.into_iter().filter_map(|r| r.v).collect())
            }
        }
    }

    /// Runs a query whose only column is an integer named `n`, returning its values.
    pub(crate) fn query_i64(&mut self, sql: &str) -> QueryResult<Vec<i64>> {
        #[derive(QueryableByName)]
        struct CountRow {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let rows: Vec<CountRow> = with_connection!(self, c => diesel::sql_query(sql).load(c))?;
        Ok(rows.into_iter().map(|r| r.n).collect())
    }

    /// Runs `f` in a transaction: committed if it returns `Ok`, rolled back otherwise.
    pub fn in_transaction<T>(
        &mut self,
        f: impl FnOnce(&mut AnyConnection) -> Result<T>,
    ) -> Result<T> {
        self.begin()
            .map_err(|e| Error::database("starting a transaction", e))?;
        match f(self) {
            Ok(value) => {
                self.commit()
                    .map_err(|e| Error::database("committing a transaction", e))?;
                Ok(value)
            }
            Err(err) => {
                // The original error matters more than a failed rollback, which the server
                // resolves by itself when the connection drops.
                let _ = self.rollback();
                Err(err)
            }
        }
    }
}

/// Session settings kept between migrations (see [`AnyConnection::session_state`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct SessionState(Option<String>);

/// Who this process is, for lock holders' descriptions: `migrate (pid 123 on host)`.
pub(crate) fn process_description() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown host".to_owned());
    format!("migrate (pid {} on {host})", std::process::id())
}

/// Names the transaction manager of a concrete connection type, so `with_connection!` bodies can
/// call it without spelling the type.
struct Transactions<C>(std::marker::PhantomData<C>);

fn transaction_manager_of<C: Connection>(_: &C) -> Transactions<C> {
    Transactions(std::marker::PhantomData)
}

impl<C: Connection> Transactions<C> {
    fn begin(&self, c: &mut C) -> QueryResult<()> {
        C::TransactionManager::begin_transaction(c)
    }
    fn commit(&self, c: &mut C) -> QueryResult<()> {
        C::TransactionManager::commit_transaction(c)
    }
    fn rollback(&self, c: &mut C) -> QueryResult<()> {
        C::TransactionManager::rollback_transaction(c)
    }
}

/// SQLite creates a missing file, but not a missing directory; say so plainly.
#[cfg(feature = "sqlite")]
fn sqlite_file_must_be_creatable(url: &DatabaseUrl) -> Result<()> {
    let Some(path) = url.sqlite_path() else {
        return Ok(());
    };
    let path = std::path::Path::new(path);
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.is_dir() => Err(Error::Connect {
            dialect: Dialect::Sqlite,
            url: url.to_string(),
            failure: ConnectFailure::Unreachable,
            message: format!("directory `{}` does not exist", dir.display()),
        }),
        _ => Ok(()),
    }
}

fn connect_error(url: &DatabaseUrl, err: diesel::ConnectionError) -> Error {
    let message = url.redact(err.to_string().trim());
    let lower = message.to_lowercase();
    let failure = if lower.contains("password authentication failed")
        || (lower.contains("role") && lower.contains("does not exist"))
        || lower.contains("access denied")
        || lower.contains("no password supplied")
        || lower.contains("authentication failed")
    {
        ConnectFailure::Authentication
    } else if (lower.contains("database") && lower.contains("does not exist"))
        || lower.contains("unknown database")
    {
        ConnectFailure::MissingDatabase
    } else if lower.contains("connection refused")
        || lower.contains("can't connect")
        || lower.contains("could not connect")
        || lower.contains("could not translate host name")
        || lower.contains("unknown server host")
        || lower.contains("timeout")
        || lower.contains("unable to open database file")
    {
        ConnectFailure::Unreachable
    } else {
        ConnectFailure::Other
    };
    Error::Connect {
        dialect: url.dialect(),
        url: url.to_string(),
        failure,
        // Keep the first line: client libraries add multi-line noise.
        message: message.lines().next().unwrap_or_default().to_owned(),
    }
}
