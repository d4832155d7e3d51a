//! The live application's view of the catalog: which columns `users` and `orders` have, and
//! which of them it must write (NOT NULL, no default, not the key: "the columns that exist and
//! have no default"). An application that writes those and only those is the version deployed
//! for the schema as it is: it writes a derived column itself once the migration has made it
//! NOT NULL, and leaves it to the migration until then.

use crate::database::{Result, texts};
use migrate_core::{AnyConnection, Dialect};

/// The columns of `users` and `orders`, each with whether the application must write it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    columns: Vec<(String, String, bool)>,
}

impl Schema {
    /// Reads the catalog.
    pub fn read(conn: &mut AnyConnection) -> Result<Schema> {
        let sql = match conn.dialect() {
            Dialect::Postgres => {
                "SELECT CAST(c.relname || '|' || a.attname || '|' || \
                 CASE WHEN a.attnotnull AND NOT a.atthasdef THEN '1' ELSE '0' END AS TEXT) AS name \
                 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
                 WHERE c.relname IN ('users', 'orders') AND c.relkind = 'r' \
                 AND c.relnamespace = current_schema()::regnamespace AND a.attnum > 0 AND NOT a.attisdropped"
            }
            Dialect::Mysql => {
                "SELECT CAST(CONCAT(table_name, '|', column_name, '|', \
                 IF(is_nullable = 'NO' AND column_default IS NULL AND extra NOT LIKE '%auto_increment%', '1', '0')) AS CHAR) AS name \
                 FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name IN ('users', 'orders')"
            }
            Dialect::Sqlite => {
                "SELECT 'users|' || name || '|' || (\"notnull\" AND dflt_value IS NULL AND pk = 0) AS name \
                 FROM pragma_table_info('users') UNION ALL \
                 SELECT 'orders|' || name || '|' || (\"notnull\" AND dflt_value IS NULL AND pk = 0) AS name \
                 FROM pragma_table_info('orders')"
            }
        };
        let mut columns = Vec::new();
        for line in texts(conn, sql)? {
            let mut parts = line.splitn(3, '|');
            let (Some(table), Some(column), Some(required)) =
                (parts.next(), parts.next(), parts.next())
            else {
                return Err(format!("unexpected catalog row {line:?}").into());
            };
            columns.push((table.to_owned(), column.to_owned(), required == "1"));
        }
        columns.sort();
        Ok(Schema { columns })
    }

    /// The same, with `column` (of whichever table has it) one the application must write: what
    /// it learns when the database refuses a NULL there before its catalog says NOT NULL (an
    /// online `transform_rows!` guards the column it computed from its last pass until the
    /// migration's NOT NULL step, refusing NULLs as that step will).
    pub fn requiring(&self, column: &str) -> Schema {
        let mut columns = self.columns.clone();
        for (_, c, required) in &mut columns {
            if c == column {
                *required = true;
            }
        }
        Schema { columns }
    }

    /// Whether `table` has `column`.
    pub fn has(&self, table: &str, column: &str) -> bool {
        self.columns
            .iter()
            .any(|(t, c, _)| t == table && c == column)
    }

    /// Whether the application must write `table.column`.
    pub fn required(&self, table: &str, column: &str) -> bool {
        self.columns
            .iter()
            .any(|(t, c, r)| t == table && c == column && *r)
    }

    /// The columns of `table` the application must write, in name order.
    pub fn required_of<'s>(&'s self, table: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.columns
            .iter()
            .filter(move |(t, _, r)| t == table && *r)
            .map(|(_, c, _)| c.as_str())
    }
}

/// The column a NOT NULL refusal names, in each database's wording.
pub fn refused_null(error: &str) -> Option<String> {
    let between = |text: &str, start: &str, end: &str| {
        let from = text.find(start)? + start.len();
        let to = text[from..].find(end)? + from;
        Some(text[from..to].to_owned())
    };
    between(error, "null value in column \"", "\"")
        .or_else(|| between(error, "Column '", "' cannot be null"))
        .or_else(|| {
            let rest = error.split("NOT NULL constraint failed: ").nth(1)?;
            let column = rest.split_whitespace().next()?.rsplit('.').next()?;
            Some(column.to_owned())
        })
}

/// Whether a write failed because the schema changed under it: it wrote a column that is gone,
/// or did not write one that has become NOT NULL. The application then looks at the catalog
/// again and, if it did change, writes the new shape.
pub fn changed_under(error: &str) -> bool {
    let e = error.to_lowercase();
    let gone = e.contains("column")
        && (e.contains("does not exist")
            || e.contains("unknown column")
            || e.contains("no such column")
            || e.contains("has no column named"));
    let required = e.contains("violates not-null constraint")
        || e.contains("not null constraint failed")
        || e.contains("doesn't have a default value")
        || e.contains("cannot be null");
    gone || required
}

#[cfg(test)]
mod tests {
    use super::changed_under;

    #[test]
    fn the_column_a_not_null_refusal_names() {
        use super::refused_null;
        for e in [
            "null value in column \"score\" of relation \"users\" violates not-null constraint",
            "Column 'score' cannot be null",
            "NOT NULL constraint failed: users.score",
        ] {
            assert_eq!(refused_null(e).as_deref(), Some("score"), "{e}");
        }
        assert_eq!(refused_null("deadlock detected"), None);
    }

    #[test]
    fn each_database_s_wording_of_a_changed_schema() {
        for e in [
            "column \"full_name\" of relation \"users\" does not exist",
            "column \"full_name\" does not exist",
            "Unknown column 'full_name' in 'field list'",
            "no such column: full_name",
            "table users has no column named full_name",
            "null value in column \"created_year\" of relation \"users\" violates not-null constraint",
            "NOT NULL constraint failed: users.created_year",
            "Field 'created_year' doesn't have a default value",
        ] {
            assert!(changed_under(e), "{e}");
        }
        assert!(!changed_under("database is locked"));
        assert!(!changed_under(
            "new row for relation \"users\" violates check constraint \"users_created_year_not_null\""
        ));
    }
}
