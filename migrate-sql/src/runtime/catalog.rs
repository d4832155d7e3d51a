//! Reads of MySQL's catalog (`information_schema`) that the runtime plans changes from: a
//! column's whole definition, a constraint's kind, and whether an object exists.
//!
//! Every query takes its names as parameters (`?`) and looks in the current database only.

use crate::Dialect;

/// A column's definition (columns `column_type`, `column_default`, `extra`, `character_set`,
/// `collation`, `comment`, `server`); parameters: table, column.
pub const MYSQL_COLUMN_DEFINITION: &str = "SELECT CAST(COLUMN_TYPE AS CHAR) AS column_type, CAST(COLUMN_DEFAULT AS CHAR) AS column_default, \
     CAST(EXTRA AS CHAR) AS extra, CAST(CHARACTER_SET_NAME AS CHAR) AS character_set, \
     CAST(COLLATION_NAME AS CHAR) AS collation, CAST(COLUMN_COMMENT AS CHAR) AS comment, VERSION() AS server \
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?";

/// A column's type and nullability (columns `column_type`, `nullable`: `YES` or `NO`);
/// parameters: table, column.
pub const MYSQL_COLUMN_TYPE: &str = "SELECT CAST(COLUMN_TYPE AS CHAR) AS column_type, CAST(IS_NULLABLE AS CHAR) AS nullable \
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?";

/// A constraint's kind (column `kind`: `FOREIGN KEY`, `UNIQUE`, `CHECK`, ...) and whether an
/// index carries its name (column `indexes`); parameters: table, constraint.
pub const MYSQL_CONSTRAINT_KIND: &str = "SELECT CAST(c.CONSTRAINT_TYPE AS CHAR) AS kind, \
     (SELECT COUNT(*) FROM information_schema.STATISTICS s WHERE s.TABLE_SCHEMA = DATABASE() \
      AND s.TABLE_NAME = c.TABLE_NAME AND s.INDEX_NAME = c.CONSTRAINT_NAME) AS indexes \
     FROM information_schema.TABLE_CONSTRAINTS c \
     WHERE c.CONSTRAINT_SCHEMA = DATABASE() AND c.TABLE_NAME = ? AND c.CONSTRAINT_NAME = ?";

/// How many tables have the name (column `n`); parameter: table.
pub const MYSQL_TABLE_COUNT: &str = "SELECT COUNT(*) AS n FROM information_schema.TABLES \
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?";

/// How many index columns belong to the index (column `n`); parameters: table, index.
pub const MYSQL_INDEX_COUNT: &str = "SELECT COUNT(*) AS n FROM information_schema.STATISTICS \
     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?";

/// How many constraints have the name (column `n`); parameters: table, constraint.
pub const MYSQL_CONSTRAINT_COUNT: &str = "SELECT COUNT(*) AS n FROM information_schema.TABLE_CONSTRAINTS \
     WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_NAME = ?";

/// The columns of a table (columns `column_name`, `sql_type`, `not_null` 0/1), in order. Two
/// parameters, as for [`key_candidates`].
pub fn table_columns(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => {
            "SELECT CAST(attname AS TEXT) AS column_name, format_type(atttypid, atttypmod) AS sql_type, \
             CAST(CAST(attnotnull AS INTEGER) AS BIGINT) AS not_null FROM pg_attribute \
             WHERE attrelid = to_regclass($2) AND attnum > 0 AND NOT attisdropped AND ($1 IS NULL OR TRUE) ORDER BY attnum"
        }
        Dialect::Mysql => {
            "SELECT CAST(COLUMN_NAME AS CHAR) AS column_name, CAST(COLUMN_TYPE AS CHAR) AS sql_type, \
             CAST(IS_NULLABLE = 'NO' AS SIGNED) AS not_null FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION"
        }
        Dialect::Sqlite => {
            "SELECT name AS column_name, type AS sql_type, \"notnull\" AS not_null FROM pragma_table_info(?2) WHERE ?1 IS NULL OR 1 ORDER BY cid"
        }
    }
}

/// The unique keys a batched helper may walk a table by: one row per column of each unique,
/// non-partial index on plain columns (the primary key first), with columns `index_name`,
/// `is_primary` (0/1), `column_name`, `position`, `sql_type` and `not_null` (0/1). Two
/// parameters: the schema (MySQL: the database, NULL for the current one; ignored elsewhere)
/// and the table (on PostgreSQL its quoted, possibly schema-qualified name, resolved with the
/// search path; elsewhere its plain name).
pub fn key_candidates(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => {
            "SELECT CAST(c.relname AS TEXT) AS index_name, CAST(CAST(i.indisprimary AS INTEGER) AS BIGINT) AS is_primary, \
             CAST(a.attname AS TEXT) AS column_name, CAST(k.ord AS BIGINT) AS position, \
             format_type(a.atttypid, a.atttypmod) AS sql_type, CAST(CAST(a.attnotnull AS INTEGER) AS BIGINT) AS not_null \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
             WHERE i.indrelid = to_regclass($2) AND ($1 IS NULL OR TRUE) AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL \
             ORDER BY i.indisprimary DESC, c.relname, k.ord"
        }
        Dialect::Mysql => {
            "SELECT CAST(s.INDEX_NAME AS CHAR) AS index_name, CAST(s.INDEX_NAME = 'PRIMARY' AS SIGNED) AS is_primary, \
             CAST(s.COLUMN_NAME AS CHAR) AS column_name, CAST(s.SEQ_IN_INDEX AS SIGNED) AS position, \
             CAST(c.COLUMN_TYPE AS CHAR) AS sql_type, CAST(c.IS_NULLABLE = 'NO' AS SIGNED) AS not_null \
             FROM information_schema.STATISTICS s JOIN information_schema.COLUMNS c \
             ON c.TABLE_SCHEMA = s.TABLE_SCHEMA AND c.TABLE_NAME = s.TABLE_NAME AND c.COLUMN_NAME = s.COLUMN_NAME \
             WHERE s.TABLE_SCHEMA = COALESCE(?, DATABASE()) AND s.TABLE_NAME = ? AND s.NON_UNIQUE = 0 \
             AND NOT EXISTS (SELECT 1 FROM information_schema.STATISTICS p WHERE p.TABLE_SCHEMA = s.TABLE_SCHEMA \
             AND p.TABLE_NAME = s.TABLE_NAME AND p.INDEX_NAME = s.INDEX_NAME AND (p.SUB_PART IS NOT NULL OR p.COLUMN_NAME IS NULL)) \
             ORDER BY is_primary DESC, s.INDEX_NAME, s.SEQ_IN_INDEX"
        }
        // The primary key from the table's own definition (an INTEGER PRIMARY KEY is the rowid
        // and has no index of its own, and is never NULL), then the unique indexes on plain
        // columns.
        Dialect::Sqlite => {
            "SELECT 'PRIMARY' AS index_name, 1 AS is_primary, t.name AS column_name, t.pk AS position, t.type AS sql_type, \
             CASE WHEN t.\"notnull\" = 1 OR (upper(t.type) = 'INTEGER' AND (SELECT COUNT(*) FROM pragma_table_info(?2) WHERE pk > 0) = 1) \
             THEN 1 ELSE 0 END AS not_null \
             FROM pragma_table_info(?2) t WHERE t.pk > 0 AND (?1 IS NULL OR 1) \
             UNION ALL \
             SELECT l.name, 0, ii.name, ii.seqno + 1, t.type, t.\"notnull\" \
             FROM pragma_index_list(?2) l JOIN pragma_index_info(l.name) ii JOIN pragma_table_info(?2) t ON t.name = ii.name \
             WHERE l.\"unique\" = 1 AND l.partial = 0 AND l.origin <> 'pk' \
             AND NOT EXISTS (SELECT 1 FROM pragma_index_info(l.name) x WHERE x.cid < 0) \
             ORDER BY is_primary DESC, index_name, position"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements() {
        insta::assert_snapshot!(
            [
                MYSQL_COLUMN_DEFINITION,
                MYSQL_COLUMN_TYPE,
                MYSQL_CONSTRAINT_KIND,
                MYSQL_TABLE_COUNT,
                MYSQL_INDEX_COUNT,
                MYSQL_CONSTRAINT_COUNT,
                table_columns(Dialect::Postgres),
                table_columns(Dialect::Mysql),
                table_columns(Dialect::Sqlite),
                key_candidates(Dialect::Postgres),
                key_candidates(Dialect::Mysql),
                key_candidates(Dialect::Sqlite),
            ]
            .join("\n")
        );
    }
}
