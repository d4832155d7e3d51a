//! Parsing SQL literals at compile time, once per enabled dialect.

use migrate_sql::Dialect;
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

/// Checks that `sql` is exactly one statement that `dialect`'s parser accepts; the error is a
/// sentence for the user.
pub fn check(dialect: Dialect, sql: &str) -> Result<(), String> {
    let parsed = match dialect {
        Dialect::Postgres => Parser::parse_sql(&PostgreSqlDialect {}, sql),
        Dialect::Mysql => Parser::parse_sql(&MySqlDialect {}, sql),
        Dialect::Sqlite => Parser::parse_sql(&SQLiteDialect {}, sql),
    };
    let name = dialect.display_name();
    match parsed {
        Err(e) => Err(format!(
            "this SQL does not parse as {name}: {}",
            strip_prefix(&e.to_string())
        )),
        Ok(statements) if statements.is_empty() => Err("this SQL holds no statement".to_owned()),
        Ok(statements) if statements.len() > 1 => Err(format!(
            "this SQL holds {} statements; `execute` runs exactly one, so call it once per statement",
            statements.len()
        )),
        Ok(_) => Ok(()),
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
            err.starts_with("this SQL does not parse as PostgreSQL"),
            "{err}"
        );
        let err = check(Dialect::Sqlite, "SELECT 1; SELECT 2").unwrap_err();
        assert!(err.contains("holds 2 statements"), "{err}");
    }
}
