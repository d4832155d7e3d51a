//! Support for the integration tests: a fresh database per test on each real server.
//!
//! The servers default to the local ones (PostgreSQL on 127.0.0.1:5432 as `postgres`, MariaDB on
//! 127.0.0.1:3306 as `root`); `MIGRATE_TEST_POSTGRES_URL` and `MIGRATE_TEST_MYSQL_URL` point
//! elsewhere (an administrative URL: the tests create and drop databases through it).

pub mod fixtures;

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl};
use migrate_core::{AnyConnection, DatabaseUrl, Dialect};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

const DEFAULT_POSTGRES_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const DEFAULT_MYSQL_ADMIN: &str = "mysql://root@127.0.0.1:3306/test";

/// A database created for one test and dropped when the test ends.
pub struct TestDb {
    dialect: Dialect,
    name: String,
    url: String,
    sqlite_dir: Option<PathBuf>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn admin_url(dialect: Dialect) -> String {
    match dialect {
        Dialect::Postgres => std::env::var("MIGRATE_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_ADMIN.to_owned()),
        Dialect::Mysql => std::env::var("MIGRATE_TEST_MYSQL_URL")
            .unwrap_or_else(|_| DEFAULT_MYSQL_ADMIN.to_owned()),
        Dialect::Sqlite => String::new(),
    }
}

/// The server URL with its path replaced by `database`.
fn with_database(admin: &str, database: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    format!("{}/{database}{query}", &base[..path_start])
}

impl TestDb {
    /// A fresh, empty database on `dialect`'s test server.
    ///
    /// # Panics
    /// When the server cannot be reached: the tests need the real servers.
    pub fn new(dialect: Dialect) -> TestDb {
        let name = format!(
            "mt_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        match dialect {
            Dialect::Postgres => {
                let admin = admin_url(dialect);
                let mut conn = diesel::PgConnection::establish(&admin).unwrap_or_else(|e| {
                    panic!("cannot reach the PostgreSQL test server at {admin}: {e}")
                });
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                TestDb {
                    dialect,
                    url: with_database(&admin, &name),
                    name,
                    sqlite_dir: None,
                }
            }
            Dialect::Mysql => {
                let admin = admin_url(dialect);
                let mut conn = diesel::MysqlConnection::establish(&admin).unwrap_or_else(|e| {
                    panic!("cannot reach the MySQL test server at {admin}: {e}")
                });
                conn.batch_execute(&format!(
                    "CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                ))
                .expect("create test database");
                TestDb {
                    dialect,
                    url: with_database(&admin, &name),
                    name,
                    sqlite_dir: None,
                }
            }
            Dialect::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).expect("create SQLite test directory");
                let path = dir.join("test.db");
                TestDb {
                    dialect,
                    url: format!("sqlite://{}", path.display()),
                    name,
                    sqlite_dir: Some(dir),
                }
            }
        }
    }

    /// The database's dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Its name on the server (for SQLite, its directory's).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its URL, for `--database-url`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its parsed URL.
    pub fn database_url(&self) -> DatabaseUrl {
        self.url.parse().expect("test URLs parse")
    }

    /// A new connection to it.
    pub fn connect(&self) -> AnyConnection {
        AnyConnection::establish(&self.database_url()).expect("connect to the test database")
    }

    /// Runs `sql` (one or more statements).
    pub fn execute(&self, sql: &str) {
        self.connect()
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Runs a query whose single column is named `v` and returns it as text (NULL as `None`).
    /// Cast non-text columns in the query (`CAST(x AS CHAR)` on MySQL).
    pub fn texts(&self, sql: &str) -> Vec<Option<String>> {
        #[derive(QueryableByName)]
        struct Value {
            #[diesel(sql_type = Nullable<Text>)]
            v: Option<String>,
        }
        let mut conn = self.connect();
        let rows: Vec<Value> = match &mut conn {
            AnyConnection::Postgres(c) => diesel::sql_query(sql).load(c),
            AnyConnection::Mysql(c) => diesel::sql_query(sql).load(c),
            AnyConnection::Sqlite(c) => diesel::sql_query(sql).load(c),
            _ => unreachable!("the tests build every backend"),
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.into_iter().map(|r| r.v).collect()
    }

    /// Runs a query whose single column `n` is an integer and returns its only value.
    pub fn count(&self, sql: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let mut conn = self.connect();
        let row: Count = match &mut conn {
            AnyConnection::Postgres(c) => diesel::sql_query(sql).get_result(c),
            AnyConnection::Mysql(c) => diesel::sql_query(sql).get_result(c),
            AnyConnection::Sqlite(c) => diesel::sql_query(sql).get_result(c),
            _ => unreachable!("the tests build every backend"),
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
        row.n
    }

    /// Whether table `name` exists.
    pub fn has_table(&self, name: &str) -> bool {
        let sql = match self.dialect {
            Dialect::Postgres => format!(
                "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '{name}'"
            ),
            Dialect::Mysql => format!(
                "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '{name}'"
            ),
            Dialect::Sqlite => format!(
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '{name}'"
            ),
        };
        self.count(&sql) > 0
    }

    /// The column names of table `name`, in order.
    pub fn columns(&self, table: &str) -> Vec<String> {
        let sql = match self.dialect {
            Dialect::Postgres => format!(
                "SELECT CAST(column_name AS TEXT) AS v FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{table}' ORDER BY ordinal_position"
            ),
            Dialect::Mysql => format!(
                "SELECT CAST(column_name AS CHAR) AS v FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '{table}' ORDER BY ordinal_position"
            ),
            Dialect::Sqlite => format!("SELECT name AS v FROM pragma_table_info('{table}')"),
        };
        self.texts(&sql).into_iter().flatten().collect()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self.dialect {
            Dialect::Postgres => {
                if let Ok(mut conn) = diesel::PgConnection::establish(&admin_url(self.dialect)) {
                    let _ = conn.batch_execute(&format!(
                        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                        self.name
                    ));
                }
            }
            Dialect::Mysql => {
                if let Ok(mut conn) = diesel::MysqlConnection::establish(&admin_url(self.dialect)) {
                    let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {}", self.name));
                }
            }
            Dialect::Sqlite => {
                if let Some(dir) = &self.sqlite_dir {
                    let _ = std::fs::remove_dir_all(dir);
                }
            }
        }
    }
}

/// Defines one test per dialect: `fn name(db: &TestDb) { ... }` becomes the tests
/// `name::postgres`, `name::mysql` and `name::sqlite`, each on a fresh database.
#[macro_export]
macro_rules! test_each_dialect {
    ($(#[$attr:meta])* fn $name:ident($db:ident: &TestDb) $body:block) => {
        $(#[$attr])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn body($db: &$crate::TestDb) $body

            #[test]
            fn postgres() {
                body(&$crate::TestDb::new(::migrate_core::Dialect::Postgres))
            }

            #[test]
            fn mysql() {
                body(&$crate::TestDb::new(::migrate_core::Dialect::Mysql))
            }

            #[test]
            fn sqlite() {
                body(&$crate::TestDb::new(::migrate_core::Dialect::Sqlite))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_of_admin_urls() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("mysql://root@127.0.0.1:3306", "x"),
            "mysql://root@127.0.0.1:3306/x"
        );
        assert_eq!(
            with_database("postgres://h/db?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
    }
}
