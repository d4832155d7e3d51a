//! How many rows a table holds, as cheaply as each database can tell: the estimate its catalog
//! keeps, else a count that stops past a bound. The runtime warns with it that a migration run
//! in one transaction would hold a large table.

use crate::Dialect;

/// PostgreSQL's estimate (column `n`, -1 when the table was never vacuumed or analyzed);
/// parameter: the table's name as written in SQL (quoted, possibly schema-qualified), resolved
/// with the search path. No row when there is no such table.
pub const POSTGRES_ESTIMATE: &str = "SELECT CAST(c.reltuples AS BIGINT) AS n FROM pg_class c \
     WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p', 'm')";

/// MySQL's estimate (column `n`; InnoDB's sampled count); parameters: the database (NULL for the
/// current one) and the table. No row when there is no such table.
pub const MYSQL_ESTIMATE: &str = "SELECT CAST(COALESCE(TABLE_ROWS, 0) AS SIGNED) AS n FROM information_schema.TABLES \
     WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND TABLE_TYPE = 'BASE TABLE'";

/// The rows of `table` (quoted, possibly qualified) counted up to a bound, the one parameter
/// (column `n`): reads at most that many rows, so it stays cheap on a table of any size.
pub fn bounded_count(dialect: Dialect, table: &str) -> String {
    format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM {table} LIMIT {}) AS bounded",
        dialect.placeholder(1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements() {
        insta::assert_snapshot!(
            [
                POSTGRES_ESTIMATE.to_owned(),
                MYSQL_ESTIMATE.to_owned(),
                bounded_count(Dialect::Postgres, "\"app\".\"users\""),
                bounded_count(Dialect::Mysql, "`users`"),
                bounded_count(Dialect::Sqlite, "\"users\""),
            ]
            .join("\n")
        );
    }
}
