//! Schema changes of a migration that runs online (`transaction = false`): each takes its
//! table's exclusive lock only for an instant.
//!
//! PostgreSQL splits a constraint into a `NOT VALID` add and a `VALIDATE` (see
//! [`table_change::postgres_online`]), each its own step. MySQL and MariaDB are asked for
//! `ALGORITHM=INSTANT`, then `ALGORITHM=INPLACE, LOCK=NONE` (reads and writes go on during the
//! change); a change the server can make neither way runs as it chooses, and the output says so.

use crate::connection::AnyConnection;
use crate::error::{Error, Result};
use crate::migration::Migration;
use migrate_sql::TableChange;
use migrate_sql::runtime::table_change;

/// PostgreSQL: makes `change` to `table` online, one step per statement.
pub(super) fn postgres(m: &mut Migration<'_>, table: &str, change: &TableChange) -> Result<()> {
    for statement in table_change::postgres_online(table, change) {
        let sql = statement.sql;
        let show = |_: Option<&mut AnyConnection>| Ok(vec![sql.clone()]);
        if statement.concurrently {
            let TableChange::AddUnique { name, .. } = change else {
                return Err(Error::Schema {
                    message: format!("only a unique index is built concurrently, not: {sql}"),
                });
            };
            m.step_outside_transaction(show, |conn| {
                drop_invalid_index(conn, table, name)?;
                conn.execute(&sql)
                    .map(drop)
                    .map_err(|e| Error::statement(&sql, &e))
            })?;
        } else {
            let (online, id) = (m.is_online(), m.id());
            m.step(show, |conn| {
                conn.execute(&sql).map_err(|e| {
                    not_null_violated((id, online), table, change, Error::statement(&sql, &e))
                })
            })?;
        }
        m.mark_changing();
    }
    Ok(())
}

/// The error of a step of an online NOT NULL whose check found NULLs (`VALIDATE CONSTRAINT
/// "c_not_null"`): rows the application wrote after the step that filled the column and before
/// the check was in place. Said as the data check it is, with what fixes it, rather than as
/// the server's "violated by some row".
fn not_null_violated(
    (id, online): (crate::vocabulary::MigrationId, bool),
    table: &str,
    change: &TableChange,
    error: Error,
) -> Error {
    let TableChange::SetNotNull { column } = change else {
        return error;
    };
    let violated = matches!(&error, Error::Statement { message, .. } if message.contains("is violated by some row"));
    if !violated {
        return error;
    }
    let during = if online {
        ", written while this online migration ran (after the step that filled the column)"
    } else {
        ""
    };
    Error::DataCheck {
        message: format!("cannot make `{table}.{column}` NOT NULL: rows hold NULL in it{during}"),
        hint: format!(
            "deploy the version of the application that writes `{column}` first, or make it NOT NULL in a later migration; then fill those rows and run `migrate resolve {id} --retry` (the check stays in place, NOT VALID, so no new NULL gets in)"
        ),
    }
}

/// Drops the index `name` of `table`'s schema if a `CREATE INDEX CONCURRENTLY` that stopped
/// half-way left it invalid: `IF NOT EXISTS` would otherwise keep it, and it enforces nothing.
fn drop_invalid_index(conn: &mut AnyConnection, table: &str, name: &str) -> Result<()> {
    let find = table_change::postgres_invalid_index(table, name).map_err(|e| Error::Schema {
        message: format!("the index name `{name}` cannot be looked up: {e}"),
    })?;
    let invalid = conn
        .query_text(&find)
        .map_err(|e| Error::statement(&find, &e))?;
    for index in invalid {
        let drop = format!("DROP INDEX CONCURRENTLY IF EXISTS {index}");
        conn.execute(&drop)
            .map_err(|e| Error::statement(&drop, &e))?;
    }
    Ok(())
}

/// Runs one statement of a helper: in an `online` migration on MySQL/MariaDB an `ALTER TABLE`
/// goes through [`mysql_alter`] (`locked` says when it could not be made online); anything
/// else runs as written.
pub(super) fn execute(
    conn: &mut AnyConnection,
    sql: &str,
    online: bool,
    locked: &mut Option<String>,
) -> Result<usize> {
    if online && conn.dialect() == migrate_sql::Dialect::Mysql && is_alter_table(sql) {
        return mysql_alter(conn, sql, locked);
    }
    conn.execute(sql).map_err(|e| Error::statement(sql, &e))
}

/// MySQL/MariaDB: runs `sql` — an `ALTER TABLE` — with the least locking algorithm the server
/// accepts for it. When it accepts neither, runs it as the server chooses and returns why in
/// `locked`, for the output.
fn mysql_alter(conn: &mut AnyConnection, sql: &str, locked: &mut Option<String>) -> Result<usize> {
    let mut refusals = Vec::new();
    for clause in ["ALGORITHM=INSTANT", "ALGORITHM=INPLACE, LOCK=NONE"] {
        let online = format!("{sql}, {clause}");
        match conn.execute(&online) {
            Ok(changed) => return Ok(changed),
            Err(e) if refuses_algorithm(&e.to_string()) => refusals.push(e.to_string()),
            Err(e) => return Err(Error::statement(&online, &e)),
        }
    }
    *locked = Some(format!(
        "the server cannot make this change online ({}), so it ran with the server's own algorithm, which may block writes to the table while it runs: {sql}",
        refusals.last().map(String::as_str).unwrap_or_default()
    ));
    conn.execute(sql).map_err(|e| Error::statement(sql, &e))
}

/// Whether `sql` is an `ALTER TABLE`, the statements [`mysql_alter`] makes online.
fn is_alter_table(sql: &str) -> bool {
    let mut words = sql.split_whitespace();
    matches!(
        (words.next(), words.next()),
        (Some(a), Some(t)) if a.eq_ignore_ascii_case("ALTER") && t.eq_ignore_ascii_case("TABLE")
    )
}

/// Whether a server error says the requested ALGORITHM/LOCK cannot be used for this change
/// (MySQL and MariaDB error 1845/1846, or a server that does not know `INSTANT`).
fn refuses_algorithm(message: &str) -> bool {
    (message.contains("is not supported")
        && (message.contains("ALGORITHM") || message.contains("LOCK")))
        || message.contains("Unknown ALGORITHM")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_refused_algorithms_and_alters() {
        assert!(refuses_algorithm(
            "ALGORITHM=INSTANT is not supported for this operation. Try ALGORITHM=INPLACE"
        ));
        assert!(refuses_algorithm(
            "LOCK=NONE is not supported. Reason: COPY algorithm requires a lock. Try LOCK=SHARED"
        ));
        assert!(refuses_algorithm("Unknown ALGORITHM 'INSTANT'"));
        assert!(!refuses_algorithm("Duplicate column name 'x'"));
        assert!(is_alter_table("alter  table `t` ADD COLUMN x INT"));
        assert!(!is_alter_table("UPDATE t SET x = 1"));
        assert!(!is_alter_table("ALTER INDEX i"));
    }
}
