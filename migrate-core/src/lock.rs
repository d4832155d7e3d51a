//! The migration lock: one runner at a time per database.
//!
//! PostgreSQL uses a session advisory lock, MySQL/MariaDB a named lock (`GET_LOCK`); both are
//! released by the server when the session ends, so a killed runner never leaves a stale lock.
//! SQLite uses an exclusive OS file lock on `<database>.migrate-lock`, released by the OS when the
//! process dies. Each says who holds it when a runner gives up waiting.

use crate::connection::{AnyConnection, with_connection};
use crate::error::{Error, Result};
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use migrate_sql::Checksum;
use migrate_sql::Dialect;
use migrate_sql::runtime::lock as sql;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::time::{Duration, Instant};

/// How often a waiting runner retries.
const POLL: Duration = Duration::from_millis(100);

/// A held migration lock.
pub(crate) enum RunLock {
    Advisory {
        key: (i32, i32),
    },
    Named {
        name: String,
    },
    File {
        _file: File,
    },
    /// An in-memory SQLite database belongs to one connection: nobody else can migrate it.
    Unshared,
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Nullable<Integer>)]
    ok: Option<i32>,
}

#[derive(QueryableByName)]
struct Holder {
    #[diesel(sql_type = Nullable<Text>)]
    holder: Option<String>,
}

impl RunLock {
    /// Takes the lock called `name` (the history table's name: runners with different
    /// history tables do not block each other) of the database behind `conn`, waiting at most
    /// `timeout`; `on_wait` is told once who holds it, when that can be found out.
    pub(crate) fn acquire(
        conn: &mut AnyConnection,
        name: &str,
        timeout: Duration,
        on_wait: &mut dyn FnMut(&str),
    ) -> Result<RunLock> {
        match conn.dialect() {
            Dialect::Postgres => acquire_advisory(conn, name, timeout, on_wait),
            Dialect::Mysql => acquire_named(conn, name, timeout, on_wait),
            Dialect::Sqlite => acquire_file(conn, timeout, on_wait),
        }
    }

    /// Whether another session holds the lock of the database behind `conn` right now (a
    /// runner is at work), found by trying to take it without waiting.
    pub(crate) fn is_held_elsewhere(conn: &mut AnyConnection, name: &str) -> Result<bool> {
        match RunLock::acquire(conn, name, Duration::ZERO, &mut |_| {}) {
            Ok(lock) => lock.release(conn).map(|()| false),
            Err(Error::LockTimeout { .. }) => Ok(true),
            Err(other) => Err(other),
        }
    }

    /// Releases the lock.
    pub(crate) fn release(self, conn: &mut AnyConnection) -> Result<()> {
        let released = match &self {
            RunLock::Advisory { key } => {
                with_connection!(conn, c => diesel::sql_query(sql::POSTGRES_RELEASE)
                .bind::<Integer, _>(key.0)
                .bind::<Integer, _>(key.1)
                .get_result::<Flag>(c))
            }
            RunLock::Named { name } => {
                with_connection!(conn, c => diesel::sql_query(sql::MYSQL_RELEASE)
                .bind::<Text, _>(name)
                .get_result::<Flag>(c))
            }
            // Dropping the file releases the OS lock.
            RunLock::File { .. } | RunLock::Unshared => return Ok(()),
        };
        released.map_err(|e| Error::database("releasing the migration lock", e))?;
        Ok(())
    }
}

fn lock_timeout(holder: String, waited: Duration) -> Error {
    Error::LockTimeout {
        holder,
        waited_secs: waited.as_secs_f64(),
    }
}

/// The advisory lock key: a fixed class and the checksum of the lock's name, qualified by the
/// history table's schema. Advisory locks are per database, so without the schema every tenant
/// schema of one database would wait for the others. A table in `public` (or in no schema) keeps
/// the unqualified key of earlier versions, so that they and this one still exclude each other.
fn advisory_key(schema: Option<&str>, name: &str) -> (i32, i32) {
    const CLASS: i32 = 0x6d69_6772; // "migr"
    let qualified = match schema {
        Some(schema) if schema != "public" => format!("{schema}.{name}"),
        _ => name.to_owned(),
    };
    let hash = Checksum::of(qualified.as_bytes()).0;
    (CLASS, (hash & 0x7fff_ffff) as i32)
}

#[derive(QueryableByName)]
struct Schema {
    #[diesel(sql_type = Nullable<Text>)]
    schema: Option<String>,
}

fn acquire_advisory(
    conn: &mut AnyConnection,
    name: &str,
    timeout: Duration,
    on_wait: &mut dyn FnMut(&str),
) -> Result<RunLock> {
    let schema = with_connection!(&mut *conn, c => diesel::sql_query(sql::POSTGRES_SCHEMA)
        .get_result::<Schema>(c))
    .map_err(|e| Error::database("reading the current schema", e))?;
    let key = advisory_key(schema.schema.as_deref(), name);
    let started = Instant::now();
    let mut announced = false;
    loop {
        let got = with_connection!(&mut *conn, c => diesel::sql_query(sql::POSTGRES_TRY)
            .bind::<Integer, _>(key.0)
            .bind::<Integer, _>(key.1)
            .get_result::<Flag>(c))
        .map_err(|e| Error::database("taking the migration lock", e))?;
        if got.ok == Some(1) {
            return Ok(RunLock::Advisory { key });
        }
        // The holder may release the lock between our attempt and this look-up: then it cannot
        // be named, and the next attempt will likely succeed, so nothing is announced yet.
        let holder = advisory_holder(conn, key);
        if started.elapsed() >= timeout {
            return Err(lock_timeout(describe(holder), started.elapsed()));
        }
        if let (false, Some(holder)) = (announced, &holder) {
            on_wait(holder);
            announced = true;
        }
        std::thread::sleep(POLL);
    }
}

fn advisory_holder(conn: &mut AnyConnection, key: (i32, i32)) -> Option<String> {
    let holder = with_connection!(conn, c => diesel::sql_query(sql::POSTGRES_HOLDER)
        .bind::<BigInt, _>(i64::from(key.0))
        .bind::<BigInt, _>(i64::from(key.1))
        .get_result::<Holder>(c));
    holder.ok().and_then(|h| h.holder)
}

fn describe(holder: Option<String>) -> String {
    holder.unwrap_or_else(|| "another session (it could not be identified)".to_owned())
}

fn acquire_named(
    conn: &mut AnyConnection,
    lock_name: &str,
    timeout: Duration,
    on_wait: &mut dyn FnMut(&str),
) -> Result<RunLock> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }
    // Named locks are server-wide: qualify by database. MySQL caps names at 64 characters.
    let name: Name = with_connection!(&mut *conn, c => diesel::sql_query(sql::MYSQL_NAME)
        .bind::<Text, _>(lock_name)
        .get_result(c))
    .map_err(|e| Error::database("naming the migration lock", e))?;
    let name = name.name;
    let started = Instant::now();
    // Ask without waiting first, so a waiting runner can say who it waits for. A holder that
    // releases the lock between the attempt and the look-up cannot be named: try again then.
    let mut holder = None;
    for _ in 0..10 {
        if try_named(conn, &name, Duration::ZERO)? {
            return Ok(RunLock::Named { name });
        }
        holder = named_holder(conn, &name);
        if holder.is_some() {
            break;
        }
        std::thread::sleep(POLL);
    }
    if let Some(holder) = &holder {
        on_wait(holder);
    }
    let wait = timeout.saturating_sub(started.elapsed());
    if try_named(conn, &name, wait)? {
        return Ok(RunLock::Named { name });
    }
    let holder = named_holder(conn, &name).or(holder);
    Err(lock_timeout(describe(holder), started.elapsed()))
}

fn try_named(conn: &mut AnyConnection, name: &str, wait: Duration) -> Result<bool> {
    let got = with_connection!(conn, c => diesel::sql_query(sql::MYSQL_TRY)
        .bind::<Text, _>(name)
        .bind::<Integer, _>(i32::try_from(wait.as_secs()).unwrap_or(i32::MAX))
        .get_result::<Flag>(c))
    .map_err(|e| Error::database("taking the migration lock", e))?;
    Ok(got.ok == Some(1))
}

fn named_holder(conn: &mut AnyConnection, name: &str) -> Option<String> {
    let holder = with_connection!(conn, c => diesel::sql_query(sql::MYSQL_HOLDER)
        .bind::<Text, _>(name)
        .get_result::<Holder>(c));
    holder.ok().and_then(|h| h.holder)
}

fn acquire_file(
    conn: &mut AnyConnection,
    timeout: Duration,
    on_wait: &mut dyn FnMut(&str),
) -> Result<RunLock> {
    let Some(path) = database_file(conn) else {
        return Ok(RunLock::Unshared);
    };
    let lock_path = format!("{path}.migrate-lock");
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(|e| Error::DatabaseUnusable {
            message: format!("cannot open the lock file `{lock_path}`: {e}"),
            hint: "the migration lock of a SQLite database is a file beside it, and SQLite writes its journal there too: the database's directory must be writable for this user (not a read-only mount); fix that, then run the same command again".into(),
        })?;
    let started = Instant::now();
    let mut announced = false;
    loop {
        match file.try_lock() {
            Ok(()) => {
                // Who holds it, for runners that wait: best effort, the lock is what matters.
                let _ = file.set_len(0).and_then(|()| {
                    file.rewind()?;
                    write!(file, "{}", crate::connection::process_description())
                });
                return Ok(RunLock::File { _file: file });
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                // A holder writes its name just after taking the lock: an empty file means
                // "just taken", and the next poll will name it.
                let holder = read_holder(&lock_path);
                if started.elapsed() >= timeout {
                    return Err(lock_timeout(describe(holder), started.elapsed()));
                }
                if let (false, Some(holder)) = (announced, &holder) {
                    on_wait(holder);
                    announced = true;
                }
                std::thread::sleep(POLL);
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::Configuration {
                    message: format!("cannot lock `{lock_path}`: {e}"),
                    hint: "the file system of the database must support file locks (local disks do; some network file systems do not)".into(),
                });
            }
        }
    }
}

fn read_holder(lock_path: &str) -> Option<String> {
    let mut text = String::new();
    let read = File::open(lock_path).and_then(|mut f| f.read_to_string(&mut text));
    read.ok()
        .filter(|_| !text.trim().is_empty())
        .map(|_| text.trim().to_owned())
}

/// The file of the SQLite database `conn` is connected to; `None` in memory.
fn database_file(conn: &mut AnyConnection) -> Option<String> {
    #[derive(QueryableByName)]
    struct File {
        #[diesel(sql_type = Text)]
        file: String,
    }
    let file: File = with_connection!(conn, c => diesel::sql_query(sql::SQLITE_DATABASE_FILE)
        .get_result(c))
    .ok()?;
    (!file.file.is_empty()).then_some(file.file)
}
