//! How the runtime prepares each connection, and SQLite's foreign-key handling around a
//! migration.

/// PostgreSQL: literals the framework writes rely on backslash being an ordinary character; the
/// application name (a quoted literal) tells a waiting runner who holds the migration lock.
pub fn postgres_setup(application_name_literal: &str) -> String {
    format!(
        "SET standard_conforming_strings = on; SET client_min_messages = warning; SET application_name = {application_name_literal}"
    )
}

/// PostgreSQL: back to the server's settings after running on a connection the application lent
/// (the startup API), so its `pg_stat_activity` row stops naming the migration runner.
pub const POSTGRES_RESET: &str = "RESET standard_conforming_strings; RESET client_min_messages; RESET application_name; RESET lock_timeout";

/// MySQL: the lock waits the runner shortened, back to the server's defaults (after migrating on
/// a connection the application lent).
pub const MYSQL_RESET: &str =
    "SET SESSION lock_wait_timeout = DEFAULT, innodb_lock_wait_timeout = DEFAULT";

/// MySQL: the session's SQL mode (column `mode`), read before [`mysql_setup`] adjusts it.
pub const MYSQL_SQL_MODE: &str = "SELECT @@SESSION.sql_mode AS mode";

/// MySQL: string literals double backslashes, which is only right with backslash escapes on;
/// strict mode turns truncation and bad values into errors instead of warnings. Keeps the other
/// modes of `current` (a comma-separated list).
pub fn mysql_setup(current: &str) -> String {
    let mut modes: Vec<&str> = current
        .split(',')
        .filter(|m| !m.is_empty() && *m != "NO_BACKSLASH_ESCAPES")
        .collect();
    if !modes.contains(&"STRICT_TRANS_TABLES") && !modes.contains(&"STRICT_ALL_TABLES") {
        modes.push("STRICT_TRANS_TABLES");
    }
    format!(
        "SET SESSION sql_mode = '{}'; SET NAMES utf8mb4",
        modes
            .iter()
            .filter(|m| m.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .copied()
            .collect::<Vec<_>>()
            .join(",")
    )
}

/// PostgreSQL: the session's search path (column `v`), kept when the command connects so that
/// each migration starts with it (a migration's `SET search_path` must not leak into the next).
pub const POSTGRES_SEARCH_PATH: &str = "SELECT current_setting('search_path') AS v";

/// PostgreSQL: sets the search path back; parameter: the kept value.
pub const POSTGRES_RESTORE_SEARCH_PATH: &str = "SELECT set_config('search_path', $1, false) AS v";

/// MySQL: the session's current database (column `v`), kept likewise (a migration's `USE`).
pub const MYSQL_DATABASE: &str = "SELECT DATABASE() AS v";

/// PostgreSQL: how long a statement waits for a lock.
pub fn postgres_lock_timeout(ms: u128) -> String {
    format!("SET lock_timeout = '{ms}ms'")
}

/// MySQL: how long a statement waits for a table's metadata lock (DDL) and for a row lock.
pub fn mysql_lock_wait_timeout(seconds: u64) -> String {
    format!(
        "SET SESSION lock_wait_timeout = {seconds}; SET SESSION innodb_lock_wait_timeout = {seconds}"
    )
}

/// PostgreSQL: the other sessions with an open transaction on this database, oldest first
/// (column `v`), to name who likely holds a lock a statement could not get.
pub const POSTGRES_OPEN_TRANSACTIONS: &str = "SELECT 'backend pid ' || pid || ' (' || COALESCE(NULLIF(application_name, ''), 'no application name') \
     || ', ' || COALESCE(state, '?') || ', transaction open since ' || to_char(xact_start, 'YYYY-MM-DD HH24:MI:SS') \
     || ', last statement: ' || left(query, 80) || ')' AS v FROM pg_stat_activity \
     WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL \
     ORDER BY xact_start LIMIT 3";

/// MySQL: the same, from InnoDB's open transactions.
pub const MYSQL_OPEN_TRANSACTIONS: &str = "SELECT CONCAT('connection ', p.ID, ' (', p.USER, '@', p.HOST, ', transaction open since ', t.trx_started, \
     ', ', COALESCE(LEFT(p.INFO, 80), 'idle'), ')') AS v FROM information_schema.INNODB_TRX t \
     JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id \
     WHERE p.ID <> CONNECTION_ID() ORDER BY t.trx_started LIMIT 3";

/// SQLite: foreign keys enforced, and a wait of up to 10 s for another writer.
pub const SQLITE_SETUP: &str = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000";

/// SQLite: foreign keys off while a migration runs, so tables can be rebuilt (the procedure of
/// sqlite.org/lang_altertable.html) ...
pub const SQLITE_FOREIGN_KEYS_OFF: &str = "PRAGMA foreign_keys = OFF";

/// ... and back on after it.
pub const SQLITE_FOREIGN_KEYS_ON: &str = "PRAGMA foreign_keys = ON";

/// SQLite: up to six rows (column `v`, one line each) that violate a foreign key, checked
/// before a migration commits.
pub const SQLITE_FOREIGN_KEY_VIOLATIONS: &str = "SELECT \"table\" || ' row ' || rowid || ' references a missing row of ' || parent AS v \
     FROM pragma_foreign_key_check LIMIT 6";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements() {
        insta::assert_snapshot!(
            [
                postgres_setup("'migrate (pid 1 on host)'"),
                MYSQL_SQL_MODE.to_owned(),
                mysql_setup("ONLY_FULL_GROUP_BY,NO_BACKSLASH_ESCAPES"),
                mysql_setup("STRICT_ALL_TABLES"),
                SQLITE_SETUP.to_owned(),
                SQLITE_FOREIGN_KEYS_OFF.to_owned(),
                SQLITE_FOREIGN_KEYS_ON.to_owned(),
                SQLITE_FOREIGN_KEY_VIOLATIONS.to_owned(),
                postgres_lock_timeout(2000),
                mysql_lock_wait_timeout(2),
                POSTGRES_OPEN_TRANSACTIONS.to_owned(),
                MYSQL_OPEN_TRANSACTIONS.to_owned(),
            ]
            .join("\n")
        );
    }
}
