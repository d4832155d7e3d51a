//! The databases this framework generates SQL for.

use std::fmt;
use std::str::FromStr;

/// A SQL dialect: which database a statement is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// PostgreSQL (transactional DDL, `$1` placeholders).
    Postgres,
    /// MySQL and MariaDB (DDL commits implicitly, `?` placeholders).
    Mysql,
    /// SQLite (transactional DDL, limited `ALTER TABLE`).
    Sqlite,
}

impl Dialect {
    /// Every dialect, in the order they are listed in output.
    pub const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite];

    /// The lower-case name used on the command line and in output (`postgres`, `mysql`, `sqlite`).
    pub const fn name(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
        }
    }

    /// The database's name as people write it (`PostgreSQL`, `MySQL`, `SQLite`), for messages.
    pub const fn display_name(self) -> &'static str {
        match self {
            Dialect::Postgres => "PostgreSQL",
            Dialect::Mysql => "MySQL",
            Dialect::Sqlite => "SQLite",
        }
    }

    /// Whether DDL statements take part in transactions (they commit implicitly on MySQL).
    pub const fn has_transactional_ddl(self) -> bool {
        !matches!(self, Dialect::Mysql)
    }

    /// The placeholder of the `n`-th bound parameter (from 1): `$n` on PostgreSQL, `?` elsewhere.
    ///
    /// ```
    /// use migrate_sql::Dialect;
    /// assert_eq!(Dialect::Postgres.placeholder(2), "$2");
    /// assert_eq!(Dialect::Sqlite.placeholder(2), "?");
    /// ```
    pub fn placeholder(self, n: usize) -> String {
        match self {
            Dialect::Postgres => format!("${n}"),
            Dialect::Mysql | Dialect::Sqlite => "?".to_owned(),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error of parsing an unknown dialect name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDialect(pub String);

impl fmt::Display for UnknownDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown dialect `{}`: expected one of postgres, mysql, sqlite",
            self.0
        )
    }
}

impl std::error::Error for UnknownDialect {}

impl FromStr for Dialect {
    type Err = UnknownDialect;

    /// Accepts the names and their common aliases (`postgresql`, `pg`, `mariadb`, `sqlite3`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => Ok(Dialect::Postgres),
            "mysql" | "mariadb" => Ok(Dialect::Mysql),
            "sqlite" | "sqlite3" => Ok(Dialect::Sqlite),
            _ => Err(UnknownDialect(s.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for dialect in Dialect::ALL {
            assert_eq!(dialect.name().parse::<Dialect>(), Ok(dialect));
        }
    }

    #[test]
    fn aliases_and_unknown_names() {
        assert_eq!("PostgreSQL".parse::<Dialect>(), Ok(Dialect::Postgres));
        assert_eq!("mariadb".parse::<Dialect>(), Ok(Dialect::Mysql));
        let err = "oracle".parse::<Dialect>().unwrap_err();
        assert!(err.to_string().contains("postgres, mysql, sqlite"));
    }
}
