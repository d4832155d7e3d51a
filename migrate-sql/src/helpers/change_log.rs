//! The change log of an online `transform_rows!`, whose values are computed in Rust and so
//! cannot be computed by a trigger (as [`row_sync`](super::row_sync) does for SQL fills): while
//! the transform walks the table, triggers note the key of every row the application inserts,
//! and of every row whose columns the transform reads it updates, in a log table; after the
//! walk, the transform reads the logged keys, computes those rows again from their current
//! values and deletes what it took from the log, the last pass under a lock that keeps writes
//! out (gh-ost and pgroll converge the same way).
//!
//! | | PostgreSQL | MySQL/MariaDB | SQLite |
//! |---|---|---|---|
//! | the log | `seq BIGSERIAL PRIMARY KEY, k0 TEXT, ...` | `seq BIGINT AUTO_INCREMENT PRIMARY KEY, k0 LONGTEXT, ...` | `seq INTEGER PRIMARY KEY AUTOINCREMENT, k0 TEXT, ...` |
//! | the triggers | one `AFTER INSERT OR UPDATE OF <read columns>` | `AFTER INSERT`, and `AFTER UPDATE` that logs only when a read column changed (`BINARY NEW.c <=> BINARY OLD.c`) | `AFTER INSERT`, `AFTER UPDATE OF <read columns>` |
//! | the last pass | `LOCK TABLE t IN SHARE ROW EXCLUSIVE MODE` in its transaction | `LOCK TABLES t WRITE, log WRITE` | `BEGIN IMMEDIATE` (one writer at a time) |
//!
//! The columns the transform writes are not watched (a column it both reads and writes is
//! not either), so its own writes are never logged. Keys are logged as text exactly as
//! [`Key::select_text`] reads them. The log and its triggers are named by [`row_sync::name`]
//! (`<name>_log`, `<name>_l`...), so that the end of the migration finds them by the
//! migration's [`row_sync::prefix`].

use super::Sql;
use super::key::{Key, MAX_KEY_COLUMNS};
use super::row_sync;
use crate::{Dialect, LiteralError, quote_ident, quote_str, split_table};
use std::fmt::Display;

/// The suffix of every log table's name.
pub const LOG_SUFFIX: &str = "_log";

/// The name of the log of the transform that is step `step` of migration `id`.
pub fn log_name(id: impl Display, step: u32) -> String {
    format!("{}{LOG_SUFFIX}", row_sync::name(id, step))
}

/// The log and triggers of one online transform.
#[derive(Debug, Clone)]
pub struct ChangeLog<'a> {
    dialect: Dialect,
    table: &'a str,
    /// The triggers' name ([`row_sync::name`]); the log adds [`LOG_SUFFIX`].
    name: String,
    key: &'a Key,
    /// The columns whose update is logged.
    watched: Vec<String>,
}

impl<'a> ChangeLog<'a> {
    /// The log named after `name` of a transform of `table` (walked by `key`) that reads
    /// `read` and writes `written`.
    pub fn new(
        dialect: Dialect,
        table: &'a str,
        name: String,
        key: &'a Key,
        read: &[String],
        written: &[String],
    ) -> Self {
        let watched = read
            .iter()
            .filter(|c| !written.contains(c))
            .cloned()
            .collect();
        ChangeLog {
            dialect,
            table,
            name,
            key,
            watched,
        }
    }

    fn sql(&self) -> Sql {
        Sql(self.dialect)
    }

    /// `name` in the table's schema, quoted.
    fn in_schema(&self, name: &str) -> String {
        match split_table(self.table).0 {
            Some(schema) => format!("{}.{}", self.sql().id(schema), self.sql().id(name)),
            None => self.sql().id(name),
        }
    }

    /// The log table, quoted (in the table's schema).
    pub fn log(&self) -> String {
        self.in_schema(&format!("{}{LOG_SUFFIX}", self.name))
    }

    /// The log as a trigger body names it: SQLite's triggers name tables of their own schema
    /// unqualified.
    fn log_in_trigger(&self) -> String {
        match self.dialect {
            Dialect::Sqlite => quote_ident(self.dialect, &format!("{}{LOG_SUFFIX}", self.name)),
            Dialect::Postgres | Dialect::Mysql => self.log(),
        }
    }

    fn key_names(&self) -> String {
        (0..self.key.columns.len())
            .map(|i| format!("k{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `CAST(NEW."id" AS TEXT), ...`: the key of the row that fired the trigger, as text.
    fn new_key(&self) -> String {
        let sql = self.sql();
        self.key
            .columns
            .iter()
            .map(|c| c.as_text(self.dialect, &format!("NEW.{}", sql.id(&c.name))))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn watched_list(&self) -> String {
        let names: Vec<String> = self.watched.iter().map(|c| self.sql().id(c)).collect();
        names.join(", ")
    }

    /// The statements that create the log and its triggers; safe to run again (a resumed run
    /// keeps the log and what it holds).
    /// The table whose writes are logged.
    pub fn table(&self) -> &str {
        self.table
    }

    /// The log table's `CREATE TABLE IF NOT EXISTS`, then the statements that create its
    /// triggers.
    pub fn install(&self) -> Vec<String> {
        let sql = self.sql();
        let (seq, text) = match self.dialect {
            Dialect::Postgres => ("seq BIGSERIAL PRIMARY KEY", "TEXT"),
            Dialect::Mysql => ("seq BIGINT AUTO_INCREMENT PRIMARY KEY", "LONGTEXT"),
            Dialect::Sqlite => ("seq INTEGER PRIMARY KEY AUTOINCREMENT", "TEXT"),
        };
        let mut columns = vec![seq.to_owned()];
        columns.extend((0..self.key.columns.len()).map(|i| format!("k{i} {text}")));
        let mut statements = vec![format!(
            "CREATE TABLE IF NOT EXISTS {} ({})",
            self.log(),
            columns.join(", ")
        )];
        let table = sql.table(self.table);
        let insert = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.log_in_trigger(),
            self.key_names(),
            self.new_key()
        );
        let trigger_name = format!("{}_l", self.name);
        match self.dialect {
            Dialect::Postgres => {
                // The comment names the watched columns, so that dropping one of them drops
                // the trigger first (`row_sync::mentions` reads the function's body).
                let body = format!(
                    "BEGIN\n  -- logs writes of {}\n  {insert};\n  RETURN NULL;\nEND",
                    if self.watched.is_empty() {
                        "new rows".to_owned()
                    } else {
                        self.watched_list()
                    }
                );
                let function = self.in_schema(&trigger_name);
                let events = if self.watched.is_empty() {
                    "INSERT".to_owned()
                } else {
                    format!("INSERT OR UPDATE OF {}", self.watched_list())
                };
                let trigger = sql.id(&trigger_name);
                statements.extend([
                    row_sync::postgres_function(&function, &body),
                    format!("DROP TRIGGER IF EXISTS {trigger} ON {table}"),
                    format!(
                        "CREATE TRIGGER {trigger} AFTER {events} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()"
                    ),
                ]);
            }
            Dialect::Mysql => {
                statements.push(format!(
                    "CREATE TRIGGER IF NOT EXISTS {} AFTER INSERT ON {table} FOR EACH ROW {insert}",
                    self.in_schema(&format!("{trigger_name}i"))
                ));
                if !self.watched.is_empty() {
                    // One statement, no compound body: logged only when a watched column
                    // changed, byte for byte (a case-only change counts).
                    let same: Vec<String> = self
                        .watched
                        .iter()
                        .map(|c| {
                            let c = sql.id(c);
                            format!("BINARY NEW.{c} <=> BINARY OLD.{c}")
                        })
                        .collect();
                    statements.push(format!(
                        "CREATE TRIGGER IF NOT EXISTS {} AFTER UPDATE ON {table} FOR EACH ROW INSERT INTO {} ({}) SELECT {} FROM DUAL WHERE NOT ({})",
                        self.in_schema(&format!("{trigger_name}u")),
                        self.log_in_trigger(),
                        self.key_names(),
                        self.new_key(),
                        same.join(" AND ")
                    ));
                }
            }
            Dialect::Sqlite => {
                let own = quote_ident(self.dialect, split_table(self.table).1);
                let mut events = vec![("i", "INSERT".to_owned())];
                if !self.watched.is_empty() {
                    events.push(("u", format!("UPDATE OF {}", self.watched_list())));
                }
                for (suffix, event) in events {
                    let trigger = self.in_schema(&format!("{trigger_name}{suffix}"));
                    statements.push(format!("DROP TRIGGER IF EXISTS {trigger}"));
                    statements.push(format!(
                        "CREATE TRIGGER {trigger} AFTER {event} ON {own} FOR EACH ROW BEGIN {insert}; END"
                    ));
                }
            }
        }
        statements
    }

    /// The oldest `limit` entries of the log: `seq` and the key as `__k0` ... `__k7`.
    pub fn read(&self, limit: u64) -> String {
        let keys: Vec<String> = (0..MAX_KEY_COLUMNS)
            .map(|i| {
                if i < self.key.columns.len() {
                    format!("k{i} AS __k{i}")
                } else {
                    format!("NULL AS __k{i}")
                }
            })
            .collect();
        format!(
            "SELECT seq, {} FROM {} AS __log ORDER BY seq LIMIT {limit}",
            keys.join(", "),
            self.log()
        )
    }

    /// Deletes the entries `seqs` (those read, not every one up to the last: an entry of a
    /// transaction that commits later may have a smaller number).
    pub fn delete(&self, seqs: &[i64]) -> String {
        let list: Vec<String> = seqs.iter().map(i64::to_string).collect();
        format!(
            "DELETE FROM {} WHERE seq IN ({})",
            self.log(),
            list.join(", ")
        )
    }

    /// The statement that keeps the application's writes out of the table for the last pass:
    /// PostgreSQL's inside the pass's transaction, MySQL's around it (no transaction: starting
    /// one would release the tables; the log is also locked as `__log`, the alias [`read`]
    /// reads it by: MariaDB refuses an `UPDATE` whose trigger writes a locked table that a
    /// statement before it read by the same name); none on SQLite, whose write transaction
    /// already does.
    ///
    /// [`read`]: ChangeLog::read
    pub fn lock(&self) -> Option<String> {
        let table = self.sql().table(self.table);
        match self.dialect {
            Dialect::Postgres => Some(format!("LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")),
            Dialect::Mysql => Some(format!(
                "LOCK TABLES {table} WRITE, {log} WRITE, {log} AS __log READ",
                log = self.log()
            )),
            Dialect::Sqlite => None,
        }
    }
}

/// A query listing the change logs starting with `prefix` in the schema of `table` (as written
/// in the migration), one row each: `drop_sql`, the statement that drops it.
pub fn installed(dialect: Dialect, table: &str, prefix: &str) -> Result<String, LiteralError> {
    let (schema, _) = split_table(table);
    let pattern_len = prefix.chars().count();
    let suffix_len = LOG_SUFFIX.chars().count();
    let prefix = quote_str(dialect, prefix)?;
    let suffix = quote_str(dialect, LOG_SUFFIX)?;
    let schema_lit = schema.map(|s| quote_str(dialect, s)).transpose()?;
    Ok(match dialect {
        Dialect::Postgres => format!(
            "SELECT format('DROP TABLE IF EXISTS %I.%I', schemaname, tablename) AS drop_sql FROM pg_tables \
             WHERE schemaname = {} AND substr(tablename, 1, {pattern_len}) = {prefix} \
             AND right(tablename, {suffix_len}) = {suffix} ORDER BY tablename",
            schema_lit.unwrap_or_else(|| "current_schema()".to_owned())
        ),
        Dialect::Mysql => format!(
            "SELECT CONCAT('DROP TABLE IF EXISTS `', REPLACE(TABLE_SCHEMA, '`', '``'), '`.`', REPLACE(TABLE_NAME, '`', '``'), '`') AS drop_sql \
             FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE({}, DATABASE()) \
             AND SUBSTRING(TABLE_NAME, 1, {pattern_len}) = {prefix} AND RIGHT(TABLE_NAME, {suffix_len}) = {suffix} ORDER BY TABLE_NAME",
            schema_lit.unwrap_or_else(|| "NULL".to_owned())
        ),
        Dialect::Sqlite => {
            let (master, qualifier) = super::row_sync::sqlite_master(schema);
            format!(
                "SELECT 'DROP TABLE IF EXISTS {qualifier}\"' || replace(name, '\"', '\"\"') || '\"' AS drop_sql \
                 FROM {master} WHERE type = 'table' AND substr(name, 1, {pattern_len}) = {prefix} \
                 AND substr(name, -{suffix_len}) = {suffix} ORDER BY name"
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helpers::key::KeyColumn;

    #[test]
    fn logs_per_dialect() {
        let mut out = String::new();
        for dialect in Dialect::ALL {
            out.push_str(&format!("== {dialect}\n"));
            let single = Key {
                columns: vec![KeyColumn::new(dialect, "id", "bigint")],
            };
            let composite = Key {
                columns: vec![
                    KeyColumn::new(dialect, "order_id", "integer"),
                    KeyColumn::new(dialect, "tag", "bytea"),
                ],
            };
            let read = ["a".to_owned(), "b".to_owned(), "score".to_owned()];
            let written = ["score".to_owned()];
            for (table, key, read) in [
                ("users", &single, &read[..]),
                ("app.lines", &composite, &read[..0]),
            ] {
                let log = ChangeLog::new(dialect, table, row_sync::name(5, 3), key, read, &written);
                for statement in log.install() {
                    out.push_str(&statement);
                    out.push_str(";\n");
                }
                out.push_str(&log.read(1000));
                out.push_str(";\n");
                out.push_str(&log.delete(&[3, 4]));
                out.push_str(";\n");
                let keys: Vec<Vec<String>> = vec![
                    vec!["1".into(), "00ff".into()],
                    vec!["2".into(), "ab".into()],
                ];
                let columns = ["a".to_owned(), "b".to_owned()];
                out.push_str(
                    &crate::helpers::batch::select_keys(dialect, table, key, &columns, &[], &keys)
                        .unwrap_or_else(|e| e.to_string()),
                );
                out.push_str(";\n");
                if let Some(lock) = log.lock() {
                    out.push_str(&lock);
                    out.push_str(";\n");
                }
            }
            out.push_str(
                &installed(dialect, "app.lines", &row_sync::prefix(5)).unwrap_or_default(),
            );
            out.push('\n');
            out.push_str(&installed(dialect, "users", &row_sync::prefix(5)).unwrap_or_default());
            out.push('\n');
        }
        assert_eq!(log_name(5, 3), "_migrate_sync_5_0003_log");
        insta::assert_snapshot!(out);
    }
}
