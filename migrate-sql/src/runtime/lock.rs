//! The migration lock: one runner at a time per database (and history table).
//!
//! PostgreSQL takes a session advisory lock, MySQL/MariaDB a named lock (`GET_LOCK`); both are
//! released by the server when the session ends. SQLite has none that outlives a statement, so
//! the runtime locks a file beside the database instead ([`SQLITE_DATABASE_FILE`] finds it).

/// The schema the history table lives in (column `schema`; NULL when no schema of the search
/// path exists): PostgreSQL's advisory locks are per database, so the lock's key names the schema
/// too, and tenants in schemas of one database migrate side by side.
pub const POSTGRES_SCHEMA: &str = "SELECT CAST(current_schema() AS TEXT) AS schema";

/// Tries the advisory lock without waiting; parameters: class, key (INTEGERs). Column `ok`: 1
/// when taken.
pub const POSTGRES_TRY: &str = "SELECT CAST(pg_try_advisory_lock($1, $2) AS INTEGER) AS ok";

/// Releases the advisory lock; parameters: class, key. Column `ok`.
pub const POSTGRES_RELEASE: &str = "SELECT CAST(pg_advisory_unlock($1, $2) AS INTEGER) AS ok";

/// Who holds the advisory lock (column `holder`); parameters: class, key (BIGINTs).
pub const POSTGRES_HOLDER: &str = "SELECT 'backend pid ' || a.pid || ' (' || COALESCE(NULLIF(a.application_name, ''), 'no application name') \
     || ', ' || COALESCE(host(a.client_addr), 'local socket') || ', connected since ' \
     || to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS') || ')' AS holder \
     FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
     WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 LIMIT 1";

/// The server-wide name of the lock (column `name`): named locks are qualified by database,
/// and MySQL caps names at 64 characters. Parameter: the history table's name.
pub const MYSQL_NAME: &str =
    "SELECT LEFT(CONCAT('migrate:', COALESCE(DATABASE(), ''), ':', ?), 64) AS name";

/// Takes the named lock, waiting up to the given seconds; parameters: name, seconds. Column `ok`.
pub const MYSQL_TRY: &str = "SELECT GET_LOCK(?, ?) AS ok";

/// Releases the named lock; parameter: name. Column `ok`.
pub const MYSQL_RELEASE: &str = "SELECT RELEASE_LOCK(?) AS ok";

/// Who holds the named lock (column `holder`); parameter: name. PROCESSLIST has no connection
/// start time (its TIME is the age of the current state), so the holder is named by connection
/// id, user and client address only.
pub const MYSQL_HOLDER: &str = "SELECT CONCAT('connection ', p.ID, ' (', p.USER, '@', p.HOST, ')') AS holder \
     FROM information_schema.PROCESSLIST p WHERE p.ID = IS_USED_LOCK(?)";

/// The file of the main SQLite database (column `file`; empty in memory).
pub const SQLITE_DATABASE_FILE: &str = "SELECT file FROM pragma_database_list WHERE name = 'main'";

#[cfg(test)]
mod tests {
    #[test]
    fn statements() {
        insta::assert_snapshot!(
            [
                super::POSTGRES_SCHEMA,
                super::POSTGRES_TRY,
                super::POSTGRES_RELEASE,
                super::POSTGRES_HOLDER,
                super::MYSQL_NAME,
                super::MYSQL_TRY,
                super::MYSQL_RELEASE,
                super::MYSQL_HOLDER,
                super::SQLITE_DATABASE_FILE,
            ]
            .join("\n")
        );
    }
}
