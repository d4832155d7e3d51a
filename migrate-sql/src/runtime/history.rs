//! The history table: its definition, and every statement that reads or writes it.
//!
//! The runtime binds the values; [`HistoryStatements`] gives the text, fixed per table and
//! dialect, so each statement stays prepared on the connection.

use super::Template;
use crate::{Dialect, quote_ident};

/// The columns a history table must have, in the order the inserts give them.
pub const COLUMNS: [&str; 10] = [
    "id",
    "name",
    "checksum",
    "state",
    "operation",
    "applied_at",
    "execution_ms",
    "steps_done",
    "resume_key",
    "error",
];

/// A column added after the first release: where a batched step resumes, as encoded key values
/// (any key type and arity). Tables written before it get it with [`HistoryStatements::add_resume_at`].
pub const RESUME_AT: &str = "resume_at";

/// The statements of the history table `table` in `dialect`.
#[derive(Debug, Clone)]
pub struct HistoryStatements {
    dialect: Dialect,
    table: String,
}

impl HistoryStatements {
    /// The statements of the table called `table` (unquoted).
    pub fn new(dialect: Dialect, table: &str) -> Self {
        HistoryStatements {
            dialect,
            table: quote_ident(dialect, table),
        }
    }

    /// The statements of `table` in `schema` (a PostgreSQL schema, a MySQL database): named
    /// that way, the table stays the same whatever search path or current database a migration
    /// sets.
    pub fn in_schema(dialect: Dialect, schema: &str, table: &str) -> Self {
        HistoryStatements {
            dialect,
            table: format!(
                "{}.{}",
                quote_ident(dialect, schema),
                quote_ident(dialect, table)
            ),
        }
    }

    /// A template whose `{}` are parameters and `{table}` the quoted table name.
    fn template(&self, text: &str) -> Template {
        let text = text.replace("{now}", now(self.dialect));
        Template::new(
            text.split("{}")
                .map(|piece| piece.replace("{table}", &self.table))
                .collect(),
        )
    }

    /// `CREATE TABLE IF NOT EXISTS` with the columns of [`COLUMNS`].
    pub fn create_table(&self) -> String {
        let (timestamp, options) = match self.dialect {
            Dialect::Postgres => ("TIMESTAMP", ""),
            Dialect::Mysql => ("DATETIME(6)", " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"),
            Dialect::Sqlite => ("TEXT", ""),
        };
        format!(
            "CREATE TABLE IF NOT EXISTS {} (id BIGINT PRIMARY KEY, name VARCHAR(255) NOT NULL, \
             checksum VARCHAR(64) NOT NULL, state VARCHAR(16) NOT NULL, operation VARCHAR(8) NOT NULL, \
             applied_at {timestamp} NOT NULL, execution_ms BIGINT, steps_done INTEGER NOT NULL DEFAULT 0, \
             resume_key BIGINT, error TEXT, resume_at TEXT){options}",
            self.table
        )
    }

    /// The names (column `name`) of the columns a table has; one parameter, the table name
    /// (quoted on PostgreSQL, which resolves it like any query does, whatever the user's
    /// privileges on it: `information_schema` would hide a table the user may not read). No row
    /// when the table does not exist.
    pub fn existing_columns(&self) -> Template {
        match self.dialect {
            Dialect::Postgres => super::template(
                "SELECT CAST(attname AS TEXT) AS name FROM pg_attribute \
                 WHERE attrelid = to_regclass({}) AND attnum > 0 AND NOT attisdropped",
            ),
            Dialect::Mysql => super::template(
                "SELECT CAST(column_name AS CHAR) AS name FROM information_schema.columns \
                 WHERE table_schema = DATABASE() AND table_name = {}",
            ),
            Dialect::Sqlite => super::template("SELECT name FROM pragma_table_info({})"),
        }
    }

    /// Adds the [`RESUME_AT`] column to a table written before it existed.
    pub fn add_resume_at(&self) -> String {
        format!("ALTER TABLE {} ADD COLUMN {RESUME_AT} TEXT", self.table)
    }

    /// Every row, by id, with `applied_at` as `YYYY-MM-DDTHH:MM:SSZ` text (`resume_at` NULL on a
    /// table without that column).
    pub fn entries(&self, has_resume_at: bool) -> String {
        let resume_at = if has_resume_at { RESUME_AT } else { "NULL" };
        let applied_at = match self.dialect {
            Dialect::Postgres => "to_char(applied_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
            Dialect::Mysql => "DATE_FORMAT(applied_at, '%Y-%m-%dT%H:%i:%sZ')",
            Dialect::Sqlite => "strftime('%Y-%m-%dT%H:%M:%SZ', applied_at)",
        };
        format!(
            "SELECT id, name, checksum, state, operation, {applied_at} AS applied_at, execution_ms, \
             steps_done, resume_key, error, {resume_at} AS resume_at FROM {} ORDER BY id",
            self.table
        )
    }

    /// Records a migration as applied, inserting or replacing its row. Parameters: id, name,
    /// checksum, execution ms, execution ms, name, checksum.
    pub fn record_applied(&self) -> Template {
        self.template(&format!(
            "INSERT INTO {{table}} ({}) VALUES ({{}}, {{}}, {{}}, 'applied', 'up', {{now}}, {{}}, 0, NULL, NULL) \
             {} state = 'applied', operation = 'up', applied_at = {{now}}, execution_ms = {{}}, \
             steps_done = 0, resume_key = NULL, resume_at = NULL, error = NULL, name = {{}}, checksum = {{}}",
            COLUMNS.join(", "),
            on_conflict(self.dialect)
        ))
    }

    /// Marks the start of a run outside a transaction, keeping the progress of an earlier
    /// attempt. Parameters: id, name, checksum, operation, operation.
    pub fn record_running(&self) -> Template {
        self.template(&format!(
            "INSERT INTO {{table}} ({}) VALUES ({{}}, {{}}, {{}}, 'running', {{}}, {{now}}, NULL, 0, NULL, NULL) \
             {} state = 'running', error = NULL, operation = {{}}",
            COLUMNS.join(", "),
            on_conflict(self.dialect)
        ))
    }

    /// Replaces the recorded duration (measured after the commit). Parameters: ms, id.
    pub fn record_duration(&self) -> Template {
        self.template("UPDATE {table} SET execution_ms = {} WHERE id = {}")
    }

    /// Records the steps a run finished. Parameters: steps done, id.
    pub fn record_step(&self) -> Template {
        self.template(
            "UPDATE {table} SET steps_done = {}, resume_key = NULL, resume_at = NULL WHERE id = {}",
        )
    }

    /// Records the last key a batch finished. Parameters: the encoded key, id.
    pub fn record_resume_key(&self) -> Template {
        self.template("UPDATE {table} SET resume_at = {}, resume_key = NULL WHERE id = {}")
    }

    /// Marks a run failed. Parameters: error, id.
    pub fn record_failed(&self) -> Template {
        self.template("UPDATE {table} SET state = 'failed', error = {} WHERE id = {}")
    }

    /// Notes why a run stopped, leaving it running (to be resumed). Parameters: reason, id.
    pub fn record_stop_reason(&self) -> Template {
        self.template("UPDATE {table} SET error = {} WHERE id = {} AND state = 'running'")
    }

    /// Puts a migration whose revert failed before changing anything back to applied.
    /// Parameter: id.
    pub fn restore_applied(&self) -> Template {
        self.template(
            "UPDATE {table} SET state = 'applied', operation = 'up', error = NULL WHERE id = {}",
        )
    }

    /// Replaces the recorded checksum. Parameters: checksum, id.
    pub fn record_checksum(&self) -> Template {
        self.template("UPDATE {table} SET checksum = {} WHERE id = {}")
    }

    /// Removes a migration's row. Parameter: id.
    pub fn delete(&self) -> Template {
        self.template("DELETE FROM {table} WHERE id = {}")
    }
}

/// The current time in UTC, as the history's `applied_at` stores it.
fn now(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "(now() AT TIME ZONE 'utc')",
        Dialect::Mysql => "UTC_TIMESTAMP(6)",
        Dialect::Sqlite => "strftime('%Y-%m-%d %H:%M:%f', 'now')",
    }
}

/// What an upsert says between its values and the assignments for an existing row.
fn on_conflict(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Mysql => "ON DUPLICATE KEY UPDATE",
        Dialect::Postgres | Dialect::Sqlite => "ON CONFLICT (id) DO UPDATE SET",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_per_dialect() {
        let mut text = String::new();
        for dialect in Dialect::ALL {
            let h = HistoryStatements::new(dialect, "_migrate_history");
            text.push_str(&format!("-- {dialect}\n"));
            for statement in [h.create_table(), h.entries(true), h.add_resume_at()] {
                text.push_str(&statement);
                text.push('\n');
            }
            for template in [
                h.existing_columns(),
                h.record_applied(),
                h.record_running(),
                h.record_duration(),
                h.record_step(),
                h.record_resume_key(),
                h.record_failed(),
                h.record_stop_reason(),
                h.restore_applied(),
                h.record_checksum(),
                h.delete(),
            ] {
                text.push_str(&template.render(dialect));
                text.push('\n');
            }
        }
        insta::assert_snapshot!(text);
    }

    #[test]
    fn parameters_are_counted_and_names_quoted() {
        let h = HistoryStatements::new(Dialect::Postgres, "odd {} \"name\"");
        assert_eq!(h.record_applied().parameters(), 7);
        assert_eq!(h.record_running().parameters(), 5);
        assert_eq!(h.delete().parameters(), 1);
        assert_eq!(
            h.delete().render(Dialect::Postgres),
            "DELETE FROM \"odd {} \"\"name\"\"\" WHERE id = $1"
        );
    }
}
