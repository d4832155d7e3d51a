//! How long a migration's statements wait for a table's lock, and what happens when they could
//! not get it: each statement waits at most [`LockWait::timeout`] (PostgreSQL `lock_timeout`,
//! MySQL `lock_wait_timeout` and `innodb_lock_wait_timeout`), so that an `ALTER TABLE` queued
//! behind a long application transaction never makes the application's own queries queue
//! behind it for longer; the step (or the whole migration, inside one transaction) is then
//! retried a few times with a growing pause, and finally stopped with the sessions that likely
//! hold the lock named.

use crate::connection::AnyConnection;
use crate::error::{Error, Result};
use migrate_sql::Dialect;
use migrate_sql::runtime::session;
use std::time::Duration;

/// SQLite's busy timeout, set on every connection (`session::SQLITE_SETUP`).
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The lock wait policy of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockWait {
    /// How long one statement waits for a lock.
    pub timeout: Duration,
    /// How many times a step (or a transactional migration) is tried in all.
    pub attempts: u32,
}

/// 500 ms, as pgroll's default: measured beside the benchmark's application (BENCHMARKS.md,
/// "Lock queue"), its reads of a table queue behind a waiting `ALTER TABLE` for as long as this
/// (501 ms against 2000 ms with 2 s), and retries still carry a migration past a 5 s
/// application transaction (5.2 s against 5.7 s). Five attempts with their pauses cover a
/// transaction of about 10 s. MySQL counts in whole seconds: 1 s there.
impl Default for LockWait {
    fn default() -> Self {
        LockWait {
            timeout: Duration::from_millis(500),
            attempts: 5,
        }
    }
}

impl LockWait {
    /// Sets the timeout on the session (nothing on SQLite, which waits with its busy timeout).
    pub(crate) fn apply(&self, conn: &mut AnyConnection) -> Result<()> {
        let sql = match conn.dialect() {
            Dialect::Postgres => session::postgres_lock_timeout(self.timeout.as_millis()),
            Dialect::Mysql => session::mysql_lock_wait_timeout(self.timeout.as_secs().max(1)),
            Dialect::Sqlite => return Ok(()),
        };
        conn.batch_execute(&sql)
            .map_err(|e| Error::database("setting the lock timeout", e))
    }

    /// How long one attempt waits for a lock on `dialect`: the timeout, or SQLite's busy
    /// timeout, which it waits for another connection's write lock.
    pub(crate) fn waits(&self, dialect: Dialect) -> Duration {
        match dialect {
            Dialect::Sqlite => SQLITE_BUSY_TIMEOUT,
            Dialect::Postgres => self.timeout,
            // MySQL counts whole seconds.
            Dialect::Mysql => self.timeout.max(Duration::from_secs(1)),
        }
    }

    /// The pause before attempt `attempt` (2, 3, ...): 0.5 s, 1 s, 2 s, ... at most 10 s.
    pub(crate) fn pause(&self, attempt: u32) -> Duration {
        let doubling = 2u32.saturating_pow(attempt.saturating_sub(2));
        Duration::from_millis(500)
            .saturating_mul(doubling)
            .min(Duration::from_secs(10))
    }

    /// Runs `attempt` until it succeeds, fails otherwise than on a lock timeout, or has been
    /// tried [`attempts`](Self::attempts) times; `waiting` hears of each retry. The last lock
    /// timeout becomes [`Error::LockWait`], naming the sessions that likely hold the lock.
    pub(crate) fn retry<T>(
        &self,
        conn: &mut AnyConnection,
        mut attempt: impl FnMut(&mut AnyConnection) -> Result<T>,
        mut waiting: impl FnMut(String),
    ) -> Result<T> {
        let mut tried = 1;
        loop {
            match attempt(conn) {
                // A deadlock rolled the attempt back whole, as a lock timeout does: it is safe
                // to run again, and the application's transaction it contended with has gone on.
                Err(error) if error.is_deadlock() && tried < self.attempts.max(1) => {
                    tried += 1;
                    let pause = self.pause(tried);
                    waiting(format!(
                        "a deadlock with another session rolled this step back; trying again in {} ms (attempt {tried} of {})",
                        pause.as_millis(),
                        self.attempts
                    ));
                    crate::interrupt::sleep(pause);
                }
                Err(error) if error.is_lock_timeout() && tried < self.attempts.max(1) => {
                    tried += 1;
                    let pause = self.pause(tried);
                    waiting(format!(
                        "waited {} ms for a lock held by another session; trying again in {} ms (attempt {tried} of {})",
                        self.waits(conn.dialect()).as_millis(),
                        pause.as_millis(),
                        self.attempts
                    ));
                    crate::interrupt::sleep(pause);
                }
                Err(error) if error.is_lock_timeout() => {
                    return Err(self.exhausted(conn, tried, error));
                }
                other => return other,
            }
        }
    }
}

impl LockWait {
    /// The error after `tried` attempts that all timed out, the last with `error`.
    pub(crate) fn exhausted(&self, conn: &mut AnyConnection, tried: u32, error: Error) -> Error {
        Error::LockWait {
            attempts: tried,
            timeout_ms: u64::try_from(self.waits(conn.dialect()).as_millis()).unwrap_or(u64::MAX),
            holders: holders(conn),
            source: Box::new(error),
        }
    }
}

/// The sessions with an open transaction on this database, oldest first: the likely holders of
/// the lock a statement could not get. Best effort: empty when they cannot be read.
fn holders(conn: &mut AnyConnection) -> String {
    let sql = match conn.dialect() {
        Dialect::Postgres => session::POSTGRES_OPEN_TRANSACTIONS,
        Dialect::Mysql => session::MYSQL_OPEN_TRANSACTIONS,
        Dialect::Sqlite => return String::new(),
    };
    conn.query_text(sql).unwrap_or_default().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_and_are_capped() {
        let wait = LockWait::default();
        assert_eq!(wait.pause(2), Duration::from_millis(500));
        assert_eq!(wait.pause(3), Duration::from_secs(1));
        assert_eq!(wait.pause(4), Duration::from_secs(2));
        assert_eq!(wait.pause(20), Duration::from_secs(10));
    }

    #[test]
    fn sqlite_waits_its_busy_timeout() {
        let ms = SQLITE_BUSY_TIMEOUT.as_millis();
        assert!(
            session::SQLITE_SETUP.contains(&format!("busy_timeout = {ms}")),
            "{}",
            session::SQLITE_SETUP
        );
    }
}
