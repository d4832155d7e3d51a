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

/// The catalog reads that rebuild Diesel's `schema.rs` (`diesel print-schema`), with the
/// queries Diesel CLI 2.3 makes, so the same database gives the same file.
pub mod print_schema {
    /// PostgreSQL: the base tables of schema `$1` (column `v`), except Diesel's own (`__…`).
    pub const POSTGRES_TABLES: &str = "SELECT table_name AS v FROM information_schema.tables \
         WHERE table_schema = $1 AND table_name NOT LIKE '\\_\\_%' AND table_type LIKE 'BASE TABLE'";

    /// PostgreSQL: the columns of table `$1` in schema `$2`, in order.
    pub const POSTGRES_COLUMNS: &str = "SELECT column_name::text AS name, udt_name::text AS type_name, \
         udt_schema::text AS type_schema, is_nullable::text AS nullable, \
         character_maximum_length AS max_length \
         FROM information_schema.columns WHERE table_name = $1 AND table_schema = $2 \
         ORDER BY ordinal_position";

    /// PostgreSQL: the primary key columns of table `$1` in schema `$2`, in order (column `v`).
    pub const POSTGRES_PRIMARY_KEY: &str = "SELECT column_name::text AS v \
         FROM information_schema.key_column_usage \
         WHERE constraint_name IN (SELECT constraint_name FROM information_schema.table_constraints \
         WHERE constraint_type = 'PRIMARY KEY') AND table_name = $1 AND table_schema = $2 \
         ORDER BY ordinal_position";

    /// PostgreSQL: the foreign keys between tables of schema `$1`: child and parent table, and
    /// their columns in order (Diesel CLI's `load_foreign_keys.sql`).
    pub const POSTGRES_FOREIGN_KEYS: &str = "SELECT tbl.relname::text AS child_table, \
         ARRAY_AGG(col.attname::text ORDER BY u.attposition) AS child_columns, \
         f_tbl.relname::text AS parent_table, \
         ARRAY_AGG(f_col.attname::text ORDER BY f_u.attposition) AS parent_columns \
         FROM pg_constraint c \
         LEFT JOIN LATERAL UNNEST(c.conkey) WITH ORDINALITY AS u(attnum, attposition) ON TRUE \
         LEFT JOIN LATERAL UNNEST(c.confkey) WITH ORDINALITY AS f_u(attnum, attposition) ON f_u.attposition = u.attposition \
         JOIN pg_class tbl ON tbl.oid = c.conrelid \
         JOIN pg_namespace sch ON sch.oid = tbl.relnamespace \
         LEFT JOIN pg_attribute col ON (col.attrelid = tbl.oid AND col.attnum = u.attnum) \
         LEFT JOIN pg_class f_tbl ON f_tbl.oid = c.confrelid \
         LEFT JOIN pg_namespace f_sch ON f_sch.oid = f_tbl.relnamespace \
         LEFT JOIN pg_attribute f_col ON (f_col.attrelid = f_tbl.oid AND f_col.attnum = f_u.attnum) \
         WHERE sch.nspname = $1 AND f_sch.nspname = $1 AND c.contype = 'f' \
         GROUP BY sch.nspname, tbl.relname, f_sch.nspname, f_tbl.relname \
         ORDER BY sch.nspname, tbl.relname";

    /// MySQL: the base tables of the current database (column `v`), except Diesel's (`__…`).
    pub const MYSQL_TABLES: &str = "SELECT CAST(table_name AS CHAR) AS v FROM information_schema.tables \
         WHERE table_schema = DATABASE() AND table_name NOT LIKE '\\_\\_%' AND table_type LIKE 'BASE TABLE'";

    /// MySQL: the columns of table `?` of the current database, in order.
    pub const MYSQL_COLUMNS: &str = "SELECT CAST(column_name AS CHAR) AS name, \
         CAST(column_type AS CHAR) AS type_name, CAST(is_nullable AS CHAR) AS nullable, \
         CAST(character_maximum_length AS SIGNED) AS max_length \
         FROM information_schema.columns WHERE table_name = ? AND table_schema = DATABASE() \
         ORDER BY ordinal_position";

    /// MySQL: the primary key columns of table `?` of the current database, in order.
    pub const MYSQL_PRIMARY_KEY: &str = "SELECT CAST(column_name AS CHAR) AS v \
         FROM information_schema.key_column_usage \
         WHERE constraint_name IN (SELECT constraint_name FROM information_schema.table_constraints \
         WHERE constraint_type = 'PRIMARY KEY') AND table_name = ? AND table_schema = DATABASE() \
         ORDER BY ordinal_position";

    /// MySQL: one row per column of each foreign key of the current database.
    pub const MYSQL_FOREIGN_KEYS: &str = "SELECT CAST(kcu.constraint_name AS CHAR) AS constraint_name, \
         CAST(kcu.table_name AS CHAR) AS child_table, CAST(kcu.column_name AS CHAR) AS child_column, \
         CAST(kcu.referenced_table_name AS CHAR) AS parent_table, \
         CAST(kcu.referenced_column_name AS CHAR) AS parent_column \
         FROM information_schema.table_constraints tc \
         JOIN information_schema.key_column_usage kcu \
         ON tc.constraint_schema = kcu.constraint_schema AND tc.constraint_name = kcu.constraint_name \
         WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = DATABASE() \
         AND kcu.referenced_column_name IS NOT NULL \
         ORDER BY kcu.constraint_name, kcu.ordinal_position";

    /// SQLite: the tables (column `v`), except Diesel's (`__…`) and SQLite's own.
    pub const SQLITE_TABLES: &str = "SELECT name AS v FROM sqlite_master \
         WHERE name NOT LIKE '\\_\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' AND type = 'table' \
         ORDER BY name";

    /// SQLite: the columns of a table (`PRAGMA table_xinfo`, generated columns included).
    pub fn sqlite_columns(quoted_table: &str) -> String {
        format!(
            "SELECT name, type AS type_name, \"notnull\" AS not_null, pk FROM pragma_table_xinfo({quoted_table}) ORDER BY cid"
        )
    }

    /// SQLite: the foreign keys of a table: parent table, child column, parent column (or NULL
    /// for the parent's primary key).
    pub fn sqlite_foreign_keys(quoted_table: &str) -> String {
        format!(
            "SELECT \"table\" AS parent_table, \"from\" AS child_column, \"to\" AS parent_column \
             FROM pragma_foreign_key_list({quoted_table}) ORDER BY id, seq"
        )
    }
}

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
