//! Reads of MySQL's catalog (`information_schema`) that the runtime plans changes from: a
//! column's whole definition, a constraint's kind, and whether an object exists.
//!
//! Every query takes its names as parameters (`?`) and looks in the current database only.

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
            ]
            .join("\n")
        );
    }
}
