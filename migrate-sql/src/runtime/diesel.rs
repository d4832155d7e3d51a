//! Reading Diesel's own history table, `__diesel_schema_migrations` (`version VARCHAR(50)
//! PRIMARY KEY, run_on TIMESTAMP`), to adopt what it records. Nothing here writes to it: a
//! project that switched back to Diesel finds it as Diesel left it.

use crate::Dialect;

/// Diesel's history table.
pub const DIESEL_TABLE: &str = "__diesel_schema_migrations";

/// How many tables named [`DIESEL_TABLE`] the current database (schema) has, as column `n`.
pub fn diesel_table_count(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '__diesel_schema_migrations'"
        }
        Dialect::Mysql => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '__diesel_schema_migrations'"
        }
        Dialect::Sqlite => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '__diesel_schema_migrations'"
        }
    }
}

/// The versions Diesel applied, as column `v`.
pub const DIESEL_VERSIONS: &str =
    "SELECT version AS v FROM __diesel_schema_migrations ORDER BY version";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements() {
        insta::assert_snapshot!(
            Dialect::ALL
                .iter()
                .map(|&d| diesel_table_count(d))
                .chain([DIESEL_VERSIONS])
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
