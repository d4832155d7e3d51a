//! The benchmark's databases: created, copied and dropped on the local servers (SQLite: files).

use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::{
    Connection, MysqlConnection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection,
};
use migrate_core::AnyConnection;
use std::path::PathBuf;
use std::time::Duration;

/// The benchmark's error type: any error, with its message.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// A database system the benchmark runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// PostgreSQL.
    Postgres,
    /// MariaDB (or MySQL).
    Mysql,
    /// SQLite (files).
    Sqlite,
}

impl Backend {
    /// The name shown in the tables.
    pub fn label(self) -> &'static str {
        match self {
            Backend::Postgres => "PostgreSQL",
            Backend::Mysql => "MariaDB",
            Backend::Sqlite => "SQLite",
        }
    }
}

/// Where a backend's databases live: a server (`base` is its URL without a database) or, for
/// SQLite, a directory.
#[derive(Debug, Clone)]
pub struct Server {
    /// The backend.
    pub backend: Backend,
    /// `postgres://user@host:port`, `mysql://user@host:port` or the SQLite directory.
    pub base: String,
}

/// The SQLite busy timeout of the application's connections: longer than any transaction of
/// the migrations at the N measured, so that a write waits for the migration rather than fail.
pub const APP_BUSY_TIMEOUT_MS: u64 = 30_000;

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

impl Server {
    /// The URL of database `name`.
    pub fn url(&self, name: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("sqlite://{}", self.file(name).display()),
            _ => format!("{}/{name}", self.base),
        }
    }

    /// The SQLite file of database `name`.
    pub fn file(&self, name: &str) -> PathBuf {
        PathBuf::from(&self.base).join(format!("{name}.db"))
    }

    fn postgres(&self) -> Result<PgConnection> {
        Ok(PgConnection::establish(&format!("{}/postgres", self.base))?)
    }

    fn mysql(&self) -> Result<MysqlConnection> {
        Ok(MysqlConnection::establish(&format!("{}/mysql", self.base))?)
    }

    /// A connection to database `name` as an application opens it: Diesel's own, without the
    /// session settings the framework's connections make. On SQLite it waits up to
    /// [`APP_BUSY_TIMEOUT_MS`] for another writer instead of failing at once.
    pub fn app_connection(&self, name: &str) -> Result<AnyConnection> {
        Ok(match self.backend {
            Backend::Postgres => AnyConnection::Postgres(PgConnection::establish(&self.url(name))?),
            Backend::Mysql => AnyConnection::Mysql(MysqlConnection::establish(&self.url(name))?),
            Backend::Sqlite => {
                let path = self.file(name);
                let mut conn =
                    SqliteConnection::establish(path.to_str().ok_or("non-UTF-8 SQLite path")?)?;
                conn.batch_execute(&format!("PRAGMA busy_timeout = {APP_BUSY_TIMEOUT_MS}"))?;
                AnyConnection::Sqlite(conn)
            }
        })
    }

    /// An empty database `name` (dropped first if it exists); returns its URL.
    pub fn create(&self, name: &str) -> Result<String> {
        self.drop(name)?;
        match self.backend {
            Backend::Postgres => self
                .postgres()?
                .batch_execute(&format!("CREATE DATABASE {name}"))?,
            Backend::Mysql => self.mysql()?.batch_execute(&format!(
                "CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            ))?,
            Backend::Sqlite => std::fs::create_dir_all(&self.base)?,
        }
        Ok(self.url(name))
    }

    /// A copy of database `from` (no connection may be open to it) named `to`; returns its URL.
    pub fn copy(&self, from: &str, to: &str) -> Result<String> {
        self.drop(to)?;
        match self.backend {
            Backend::Postgres => {
                // The server may still be closing the last session of `from`.
                let sql = format!("CREATE DATABASE {to} TEMPLATE {from}");
                let mut conn = self.postgres()?;
                let mut tries = 0;
                while let Err(e) = conn.batch_execute(&sql) {
                    tries += 1;
                    if tries == 50 {
                        return Err(e.into());
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
            Backend::Mysql => {
                let mut conn = self.mysql()?;
                let tables: Vec<Name> = diesel::sql_query(
                    "SELECT CAST(table_name AS CHAR) AS name FROM information_schema.tables WHERE table_schema = ?",
                )
                .bind::<Text, _>(from)
                .load(&mut conn)?;
                conn.batch_execute(&format!(
                    "CREATE DATABASE {to} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci; SET foreign_key_checks = 0"
                ))?;
                for table in tables {
                    let t = table.name;
                    conn.batch_execute(&format!(
                        "CREATE TABLE {to}.{t} LIKE {from}.{t}; INSERT INTO {to}.{t} SELECT * FROM {from}.{t}"
                    ))?;
                }
            }
            Backend::Sqlite => {
                std::fs::copy(self.file(from), self.file(to))?;
            }
        }
        Ok(self.url(to))
    }

    /// Drops database `name` if it exists.
    pub fn drop(&self, name: &str) -> Result<()> {
        match self.backend {
            Backend::Postgres => self
                .postgres()?
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?,
            Backend::Mysql => self
                .mysql()?
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))?,
            Backend::Sqlite => {
                for suffix in ["", "-journal", "-wal", "-shm", ".migrate-lock"] {
                    let path = format!("{}{suffix}", self.file(name).display());
                    if std::path::Path::new(&path).exists() {
                        std::fs::remove_file(path)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The server's version, for the report.
    pub fn version(&self) -> Result<String> {
        let sql = "SELECT CAST(version() AS CHAR(200)) AS name";
        let row: Name = match self.backend {
            Backend::Postgres => diesel::sql_query(
                "SELECT 'PostgreSQL ' || current_setting('server_version') AS name",
            )
            .get_result(&mut self.postgres()?)?,
            Backend::Mysql => diesel::sql_query(sql).get_result(&mut self.mysql()?)?,
            Backend::Sqlite => diesel::sql_query("SELECT sqlite_version() AS name")
                .get_result(&mut diesel::SqliteConnection::establish(":memory:")?)?,
        };
        Ok(row.name)
    }
}

/// Runs a query on any backend and returns its rows.
pub fn load<T>(conn: &mut AnyConnection, sql: &str) -> Result<Vec<T>>
where
    T: QueryableByName<diesel::pg::Pg>
        + QueryableByName<diesel::mysql::Mysql>
        + QueryableByName<diesel::sqlite::Sqlite>
        + 'static,
{
    Ok(match conn {
        AnyConnection::Postgres(c) => diesel::sql_query(sql).load(c)?,
        AnyConnection::Mysql(c) => diesel::sql_query(sql).load(c)?,
        AnyConnection::Sqlite(c) => diesel::sql_query(sql).load(c)?,
        _ => return Err("unsupported connection".into()),
    })
}

/// Runs a query whose one column, `name`, is text, and returns its values.
pub fn texts(conn: &mut AnyConnection, sql: &str) -> Result<Vec<String>> {
    Ok(load::<Name>(conn, sql)?
        .into_iter()
        .map(|r| r.name)
        .collect())
}
