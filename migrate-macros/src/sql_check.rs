//! Parsing SQL literals at compile time, once per enabled dialect.

use migrate_sql::Dialect;
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use std::fmt;

/// Why a SQL literal is not exactly one statement of a dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlProblem {
    /// The dialect's parser rejects it; the parser's message.
    Syntax { dialect: Dialect, message: String },
    /// It holds no statement.
    Empty,
    /// It holds several statements.
    Several(usize),
}

impl fmt::Display for SqlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlProblem::Syntax { dialect, message } => write!(
                f,
                "this SQL does not parse as {}: {message}",
                dialect.display_name()
            ),
            SqlProblem::Empty => f.write_str("this SQL holds no statement: write one"),
            SqlProblem::Several(n) => write!(
                f,
                "this SQL holds {n} statements, but it runs as exactly one: write one statement per call"
            ),
        }
    }
}

/// Checks that `sql` is exactly one statement that `dialect`'s parser accepts.
pub fn check(dialect: Dialect, sql: &str) -> Result<(), SqlProblem> {
    let parsed = match dialect {
        Dialect::Postgres => Parser::parse_sql(&PostgreSqlDialect {}, sql),
        Dialect::Mysql => Parser::parse_sql(&MySqlDialect {}, sql),
        Dialect::Sqlite => Parser::parse_sql(&SQLiteDialect {}, sql),
    };
    match parsed {
        Err(e) => Err(SqlProblem::Syntax {
            dialect,
            message: strip_prefix(&e.to_string()).to_owned(),
        }),
        Ok(statements) if statements.is_empty() => Err(SqlProblem::Empty),
        Ok(statements) if statements.len() > 1 => Err(SqlProblem::Several(statements.len())),
        Ok(_) => Ok(()),
    }
}

/// Checks `sql` for each of `dialects`, as portable SQL (a string literal given to `execute`)
/// must be; the error is a sentence for the user.
pub fn check_portable(dialects: &[Dialect], sql: &str) -> Result<(), String> {
    let results: Vec<(Dialect, Result<(), SqlProblem>)> =
        dialects.iter().map(|&d| (d, check(d, sql))).collect();
    let failed: Vec<&SqlProblem> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .collect();
    let Some(first) = failed.first() else {
        return Ok(());
    };
    let names = |accepted: bool| -> Vec<&str> {
        results
            .iter()
            .filter(|(_, r)| r.is_ok() == accepted)
            .map(|(d, _)| d.display_name())
            .collect()
    };
    let (accepted, rejected) = (names(true), names(false));
    match first {
        // Every database rejects it: a mistake in the SQL itself.
        SqlProblem::Syntax { message, .. } if accepted.is_empty() => {
            Err(format!("this SQL does not parse: {message}"))
        }
        SqlProblem::Syntax { dialect, message } => Err(format!(
            "this SQL parses as {} but not as {} ({}: {message}); `execute` with a string literal runs the same text on every enabled database, so write it per database with `sql! {{ postgres: \"...\", mysql: \"...\", sqlite: \"...\" }}`",
            accepted.join(" and "),
            rejected.join(" or "),
            dialect.display_name(),
        )),
        SqlProblem::Empty | SqlProblem::Several(_) => Err(first.to_string()),
    }
}

fn strip_prefix(message: &str) -> &str {
    message
        .strip_prefix("sql parser error: ")
        .unwrap_or(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_sql_in_each_dialect() {
        for dialect in Dialect::ALL {
            check(dialect, "ALTER TABLE orders ADD COLUMN status VARCHAR(20)").unwrap();
        }
        check(Dialect::Mysql, "CREATE TABLE t (id INT) ENGINE=InnoDB").unwrap();
    }

    #[test]
    fn rejects_typos_and_several_statements() {
        let err = check(Dialect::Postgres, "ALTR TABLE x").unwrap_err();
        assert!(
            matches!(
                &err,
                SqlProblem::Syntax {
                    dialect: Dialect::Postgres,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            check(Dialect::Sqlite, "SELECT 1; SELECT 2"),
            Err(SqlProblem::Several(2))
        );
        assert_eq!(check(Dialect::Sqlite, ""), Err(SqlProblem::Empty));
    }

    #[test]
    fn portable_sql_names_the_databases_that_reject_it() {
        let all = Dialect::ALL;
        check_portable(&all, "CREATE INDEX orders_status_idx ON orders (status)").unwrap();
        let typo = check_portable(&all, "ALTR TABLE x").unwrap_err();
        assert!(typo.starts_with("this SQL does not parse: "), "{typo}");
        let array = check_portable(&all, "ALTER TABLE orders ADD COLUMN tags TEXT[]").unwrap_err();
        assert!(
            array.starts_with("this SQL parses as PostgreSQL but not as MySQL or SQLite (MySQL: "),
            "{array}"
        );
        // Only the enabled dialects count.
        check_portable(
            &[Dialect::Postgres],
            "ALTER TABLE orders ADD COLUMN tags TEXT[]",
        )
        .unwrap();
    }
}
