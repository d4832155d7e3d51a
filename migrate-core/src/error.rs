//! The one error type of the framework.
//!
//! Every variant says what failed and on which migration or statement; [`Error::hint`] says what the
//! user can do about it, and [`Error::kind`] groups variants so the command can exit with a distinct
//! status per kind.

use crate::vocabulary::{Direction, MigrationId, SourceLocation};
use migrate_sql::Dialect;
use std::fmt;

/// The result type of migration functions and of the runtime.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Groups of errors, each with its own exit status in the `migrate` command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The configuration is wrong: malformed URL, unknown scheme, backend not compiled in.
    Config,
    /// The database could not be reached or refused the connection.
    Connection,
    /// A migration failed while running.
    Migration,
    /// The history needs an operator's decision: changed, missing or failed migrations.
    NeedsAttention,
    /// The requested target makes no sense: unknown id, nothing to revert, irreversible migration.
    Target,
    /// Another runner holds the migration lock.
    Lock,
    /// Data does not satisfy a check or constraint a migration asked for.
    Data,
    /// The history table is not one this version can use.
    History,
    /// The registry is inconsistent (duplicate ids).
    Registry,
    /// The run was interrupted (SIGINT/SIGTERM) and stopped cleanly.
    Interrupted,
    /// Anything else, including errors returned by migration code.
    Other,
}

/// Why a connection attempt failed, as far as the database's message tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectFailure {
    /// Nothing answered at that address.
    Unreachable,
    /// The server refused the user name or password.
    Authentication,
    /// The server has no database of that name.
    MissingDatabase,
    /// Something else; the message says what.
    Other,
}

/// An error of the framework or of a migration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database URL could not be understood.
    #[error("invalid database URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL, password redacted.
        url: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The configuration cannot be used: an unreadable `.env`, an empty `DATABASE_URL`, a
    /// history table name the database would truncate.
    #[error("{message}")]
    Configuration {
        /// What is wrong, secrets redacted.
        message: String,
        /// What to do.
        hint: String,
    },

    /// The URL names a database whose backend this binary was built without.
    #[error("this binary was built without {dialect} support")]
    BackendNotEnabled {
        /// The database the URL names.
        dialect: Dialect,
    },

    /// Connecting failed.
    #[error("cannot connect to {dialect} at {url}: {message}")]
    Connect {
        /// The database.
        dialect: Dialect,
        /// The URL, password redacted.
        url: String,
        /// What kind of failure.
        failure: ConnectFailure,
        /// The database client's message, password redacted.
        message: String,
    },

    /// The database was reached but cannot be used by this command: the directory of a SQLite
    /// database is read-only, so neither its journal nor the migration lock file can be written.
    #[error("{message}")]
    DatabaseUnusable {
        /// What could not be done, and why.
        message: String,
        /// What to do.
        hint: String,
    },

    /// Two migrations of one set share an id.
    #[error(
        "migration id {id} is used twice: `{}` at {} and `{}` at {}",
        first.0, first.1, second.0, second.1
    )]
    DuplicateId {
        /// The id.
        id: MigrationId,
        /// Name and location of the first.
        first: (&'static str, SourceLocation),
        /// Name and location of the second.
        second: (&'static str, SourceLocation),
        /// The id after the highest one in use.
        next_free: MigrationId,
    },

    /// A statement run by a migration failed.
    #[error("statement {step} failed: {message}\n    SQL: {sql}")]
    Statement {
        /// Its position among the migration's statements, from 1.
        step: u32,
        /// The SQL, shortened if long.
        sql: String,
        /// The database's message.
        message: String,
    },

    /// The first step of a resumed run failed, and an earlier attempt may have run its statement
    /// without recording it (MySQL commits DDL by itself).
    #[error("statement {step} failed: {message}\n    SQL: {sql}\n    {found}")]
    UnrecordedStep {
        /// Its position among the migration's statements, from 1.
        step: u32,
        /// The SQL, shortened if long.
        sql: String,
        /// The database's message.
        message: String,
        /// What the catalog shows.
        found: String,
        /// What to do.
        hint: String,
    },

    /// A migration failed; `source` says how.
    #[error("migration {id} `{name}` failed ({direction}{}): {source}", if *rolled_back { ", rolled back" } else { "" })]
    MigrationFailed {
        /// Its id.
        id: MigrationId,
        /// Its name.
        name: &'static str,
        /// Whether it was being applied or reverted.
        direction: Direction,
        /// Whether its changes were rolled back (false on MySQL, whose DDL commits implicitly,
        /// and for `transaction = false` migrations).
        rolled_back: bool,
        /// What went wrong.
        source: Box<Error>,
    },

    /// The history holds migrations that need a decision before anything else runs.
    #[error("{summary}")]
    NeedsAttention {
        /// One line per problem.
        summary: String,
        /// What to do.
        hint: String,
    },

    /// The target of `up`/`down` is not usable.
    #[error("{message}")]
    InvalidTarget {
        /// What is wrong.
        message: String,
        /// What to do.
        hint: String,
    },

    /// `down` would have to pass an irreversible migration.
    #[error(
        "migration {id} `{name}` is irreversible, so down cannot revert it or anything before it"
    )]
    Irreversible {
        /// Its id.
        id: MigrationId,
        /// Its name.
        name: &'static str,
    },

    /// Another runner held the migration lock for longer than the lock timeout.
    #[error("gave up after waiting {waited_secs:.1} s for the migration lock, held by {holder}")]
    LockTimeout {
        /// Who holds it, as far as the database tells.
        holder: String,
        /// How long this runner waited.
        waited_secs: f64,
    },

    /// The history table exists but was not written by this version of the framework.
    #[error("table `{table}` exists but is not a history table this version can use: {reason}")]
    IncompatibleHistory {
        /// The table name.
        table: String,
        /// What does not match.
        reason: String,
    },

    /// A data check failed: rows violate what the migration requires.
    #[error("{message}")]
    DataCheck {
        /// What failed, with the count and sample ids of offending rows.
        message: String,
        /// What to do.
        hint: String,
    },

    /// The process was asked to stop (SIGINT/SIGTERM) and stopped cleanly: after a committed
    /// batch of a batched helper, or between migrations.
    #[error("interrupted: {}", match last_key {
        Some(key) => format!("migration {id} stopped cleanly after the batch ending at key {key}"),
        None => format!("stopped cleanly before migration {id}"),
    })]
    Interrupted {
        /// The migration that was running or next.
        id: MigrationId,
        /// The last key of the last committed batch, if a batched helper was running.
        last_key: Option<String>,
    },

    /// Databases of a fleet run failed or were not started (see
    /// [`FleetReport::into_result`](crate::FleetReport::into_result)).
    #[error("{summary}")]
    FleetIncomplete {
        /// How many failed or were not started, and the first failure.
        summary: String,
        /// The kind of the first failure (or `Interrupted`).
        kind: ErrorKind,
    },

    /// A batched helper was called in a migration that runs in one transaction (the macro
    /// refuses this at compile time; this catches helpers called from other functions).
    #[error(
        "migration {id} `{name}` runs a batched helper inside one transaction; give it `transaction = false` so each batch commits on its own"
    )]
    BatchedInTransaction {
        /// Its id.
        id: MigrationId,
        /// Its name.
        name: &'static str,
    },

    /// The SQLite table rebuild cannot make this change to this table.
    #[error("{reason}")]
    Rebuild {
        /// The table.
        table: String,
        /// Why.
        reason: String,
    },

    /// A helper could not plan its change from the database's current schema.
    #[error("{message}")]
    Schema {
        /// What was looked up and not found (or found unusable).
        message: String,
    },

    /// A batched helper has no usable key to walk its table by.
    #[error("{message}")]
    KeyUnusable {
        /// The table.
        table: String,
        /// What is wrong with its keys.
        message: String,
        /// What to do.
        hint: String,
    },

    /// A statement could not get a table's lock within the lock timeout, however often it was
    /// tried: another session holds it.
    #[error("could not get a lock within {timeout_ms} ms in {attempts} attempts: {source}{}", if holders.is_empty() { String::new() } else { format!("\n    sessions with an open transaction: {holders}") })]
    LockWait {
        /// How many times it was tried.
        attempts: u32,
        /// How long each attempt waited.
        timeout_ms: u64,
        /// The sessions that likely hold the lock.
        holders: String,
        /// The last timeout.
        source: Box<Error>,
    },

    /// A row transform's closure cannot read a column as the type it declares.
    #[error("{message}")]
    TypeMismatch {
        /// Which column, which types.
        message: String,
        /// What to declare instead.
        hint: String,
    },

    /// A batch of a batched helper ended where it started: it would loop forever.
    #[error(
        "{label}: a batch ended at key {key}, where it started, so the next one would do the same; stopped instead of looping"
    )]
    NoProgress {
        /// The helper and its table.
        label: String,
        /// The key it was stuck at.
        key: String,
    },

    /// Migration code panicked (the panic is caught so the run can roll back and record it).
    #[error("the migration panicked: {0}")]
    Panicked(String),

    /// A value a row transform returned cannot be written as SQL (NaN, a NUL in text).
    #[error("{0}")]
    UnstorableValue(String),

    /// `--dry-run` cannot show this migration's SQL without running it.
    #[error(
        "migration code uses the database connection directly, so --dry-run cannot show its SQL without running it"
    )]
    DryRunUnsupported,

    /// A query of the framework's own failed.
    #[error("{context}: {source}")]
    Database {
        /// What the framework was doing.
        context: String,
        /// Diesel's error.
        source: diesel::result::Error,
    },

    /// A Diesel error returned by migration code through `?`.
    #[error(transparent)]
    Diesel(#[from] diesel::result::Error),

    /// An error raised by migration code with [`Error::msg`].
    #[error("{0}")]
    Message(String),
}

impl Error {
    /// An error with a message, for migration code to return.
    ///
    /// ```
    /// use migrate_core::Error;
    /// let err = Error::msg("orders without a customer remain");
    /// assert_eq!(err.to_string(), "orders without a customer remain");
    /// ```
    pub fn msg(message: impl fmt::Display) -> Error {
        Error::Message(message.to_string())
    }

    /// A statement the framework ran for a migration failed; the runner numbers the step.
    pub(crate) fn statement(sql: &str, source: &diesel::result::Error) -> Error {
        Error::Statement {
            step: 0,
            sql: shorten(sql),
            message: source.to_string(),
        }
    }

    pub(crate) fn database(context: impl Into<String>, source: diesel::result::Error) -> Error {
        Error::Database {
            context: context.into(),
            source,
        }
    }

    /// The group this error belongs to: the exit status of the `migrate` command (README, "Exit
    /// statuses"). A fault of the environment (the connection lost, the database file read-only,
    /// deleted or on a full disk) is a connection failure wherever it happens; a lock another
    /// session held too long is a lock failure, SQLite's busy writer included; a privilege the
    /// database refused is a failed statement (a migration's or the command's own, such as
    /// creating the history table), never a connection failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidUrl { .. }
            | Error::BackendNotEnabled { .. }
            | Error::Configuration { .. } => ErrorKind::Config,
            Error::Connect { .. } | Error::DatabaseUnusable { .. } => ErrorKind::Connection,
            Error::DuplicateId { .. } => ErrorKind::Registry,
            _ if self.is_connection_lost() || self.environment_failure().is_some() => {
                ErrorKind::Connection
            }
            Error::MigrationFailed { source, .. } => match source.kind() {
                ErrorKind::Data => ErrorKind::Data,
                ErrorKind::Lock => ErrorKind::Lock,
                ErrorKind::Interrupted => ErrorKind::Interrupted,
                _ => ErrorKind::Migration,
            },
            _ if self.is_lock_timeout() => ErrorKind::Lock,
            _ if self.lacks_privilege() => ErrorKind::Migration,
            Error::Statement { .. } | Error::UnrecordedStep { .. } => ErrorKind::Migration,
            Error::NeedsAttention { .. } => ErrorKind::NeedsAttention,
            Error::InvalidTarget { .. } | Error::Irreversible { .. } => ErrorKind::Target,
            Error::IncompatibleHistory { .. } => ErrorKind::History,
            Error::LockTimeout { .. } | Error::LockWait { .. } => ErrorKind::Lock,
            Error::Interrupted { .. } => ErrorKind::Interrupted,
            Error::FleetIncomplete { kind, .. } => *kind,
            Error::DataCheck { .. } => ErrorKind::Data,
            Error::BatchedInTransaction { .. }
            | Error::Rebuild { .. }
            | Error::Schema { .. }
            | Error::Panicked(_)
            | Error::UnstorableValue(_)
            | Error::KeyUnusable { .. }
            | Error::TypeMismatch { .. }
            | Error::NoProgress { .. } => ErrorKind::Migration,
            Error::DryRunUnsupported
            | Error::Database { .. }
            | Error::Diesel(_)
            | Error::Message(_) => ErrorKind::Other,
        }
    }

    /// The database's own message, for the variants that carry one.
    fn database_message(&self) -> Option<String> {
        match self {
            Error::Statement { message, .. } => Some(message.clone()),

            Error::Database { source, .. } | Error::Diesel(source) => Some(source.to_string()),
            Error::MigrationFailed { source, .. } => source.database_message(),
            _ => None,
        }
    }

    /// Whether a statement gave up waiting for a lock (PostgreSQL `lock_timeout`, MySQL
    /// `lock_wait_timeout`/`innodb_lock_wait_timeout`, SQLite's busy timeout while another
    /// connection writes).
    pub fn is_lock_timeout(&self) -> bool {
        self.database_message().is_some_and(|m| {
            m.contains("canceling statement due to lock timeout")
                || m.contains("Lock wait timeout exceeded")
                || m.contains("database is locked")
        })
    }

    /// Whether the server rolled the statement's transaction back to break a deadlock.
    pub fn is_deadlock(&self) -> bool {
        self.database_message().is_some_and(|m| {
            m.contains("deadlock detected") || m.contains("Deadlock found when trying to get lock")
        })
    }

    /// Whether the connection to the server was lost (server restart, network failure, the
    /// session killed): a fault of the environment, not of the migration.
    pub fn is_connection_lost(&self) -> bool {
        if let Error::Database {
            source: diesel::result::Error::DatabaseError(kind, _),
            ..
        }
        | Error::Diesel(diesel::result::Error::DatabaseError(kind, _)) = self
            && matches!(kind, diesel::result::DatabaseErrorKind::ClosedConnection)
        {
            return true;
        }
        self.database_message().is_some_and(|m| {
            let m = m.to_lowercase();
            [
                "server closed the connection unexpectedly",
                "connection has been closed unexpectedly",
                "could not send data to server",
                "no connection to the server",
                "connection not open",
                "terminating connection due to administrator command",
                "could not receive data from server",
                "server has gone away",
                "lost connection to",
                "connection reset by peer",
                "broken pipe",
                "ssl syscall error: eof",
            ]
            .iter()
            .any(|pattern| m.contains(pattern))
        })
    }

    /// Why the database cannot be written at all, when the environment is the cause (a SQLite
    /// file that is read-only, or was deleted or moved under the run; a full disk), as a hint.
    /// The same command, run again once the cause is gone, resumes where the run stopped.
    pub(crate) fn environment_failure(&self) -> Option<&'static str> {
        let message = self.database_message()?.to_lowercase();
        if message.contains("readonly database") || message.contains("read-only database") {
            // SQLite says the same of a file it can no longer write because it was deleted or
            // moved while open (SQLITE_READONLY_DBMOVED).
            Some(
                "SQLite cannot write the database: the file or its directory is read-only for this user (a read-only mount, or permissions; SQLite writes its journal beside the file), or the file was deleted or moved while the command ran. Make it writable, or put the file back, then run the same command again",
            )
        } else if message.contains("database or disk is full")
            || message.contains("no space left")
            || message.contains("disk full")
        {
            Some(
                "the disk is full: free space, then run the same command again; it resumes where it stopped",
            )
        } else {
            None
        }
    }

    /// Whether the database refused a statement for lack of a privilege.
    fn lacks_privilege(&self) -> bool {
        self.database_message().is_some_and(|m| {
            let m = m.to_lowercase();
            m.contains("permission denied") || m.contains("command denied")
        })
    }

    /// What the user can do about it, when the framework knows.
    pub fn hint(&self) -> Option<String> {
        if let Some(hint) = self.environment_failure() {
            return Some(hint.to_owned());
        }
        if self.lacks_privilege() {
            const LACKS: &str =
                "the database user lacks a privilege this command needs (the message says which)";
            return Some(match self {
                Error::MigrationFailed {
                    rolled_back: true, ..
                } => format!(
                    "nothing was changed; {LACKS}: grant it, or connect as the user that owns the schema, then run the same command again"
                ),
                Error::MigrationFailed { id, .. } => format!(
                    "{LACKS}: grant it, or connect as the user that owns the schema, then run `migrate resolve {id} --retry`, which continues after the steps it finished"
                ),
                _ => format!(
                    "{LACKS}: grant it, or connect as the user that owns the schema and the history table"
                ),
            });
        }
        if self.is_lock_timeout()
            && !matches!(self, Error::LockWait { .. } | Error::MigrationFailed { .. })
        {
            return Some(
                "another connection held the database's write lock for longer than the busy timeout (SQLite, 10 s), or a table's lock for longer than the lock timeout; nothing is wrong with the migration: run the same command again when that writer is done, or make its transactions shorter".into(),
            );
        }
        if self.is_connection_lost() {
            return Some(match self {
                Error::MigrationFailed { id, rolled_back: true, .. } => format!(
                    "the connection to the server was lost (a restart or a network failure) and the server rolled migration {id} back; run the same command again once the server is up"
                ),
                Error::MigrationFailed { id, .. } => format!(
                    "the connection to the server was lost (a restart or a network failure) while migration {id} ran; its finished steps and batches are recorded, so running the same command again once the server is up resumes it where it stopped"
                ),
                _ => "the connection to the server was lost (a restart or a network failure); run the same command again once the server is up".into(),
            });
        }
        Some(match self {
            Error::Configuration { hint, .. } | Error::DatabaseUnusable { hint, .. } => {
                hint.clone()
            }
            Error::InvalidUrl { .. } => "use postgres://user:password@host:5432/db, mysql://user:password@host:3306/db, sqlite://path/to/file.db or sqlite::memory:".into(),
            Error::BackendNotEnabled { dialect } => format!(
                "enable the `{}` feature of migrate-core (and migrate-cli) in Cargo.toml",
                dialect.name()
            ),
            Error::Connect { failure, dialect, .. } => match failure {
                ConnectFailure::Unreachable if *dialect == Dialect::Sqlite => "check the path in the URL: SQLite creates the database file, but not its directory".into(),
                ConnectFailure::Unreachable => format!("check that the {dialect} server is running and that host and port in the URL are right"),
                ConnectFailure::Authentication => "check the user name and password in the URL".into(),
                ConnectFailure::MissingDatabase if *dialect == Dialect::Sqlite => "check the path in the URL: only `migrate up` creates a new SQLite database file; `status`, `history`, `check`, `down` and dry runs need an existing one".into(),
                ConnectFailure::MissingDatabase => "create the database first (for example `createdb NAME` or `CREATE DATABASE NAME`), or fix its name in the URL".into(),
                ConnectFailure::Other => return None,
            },
            Error::DuplicateId { id, second, next_free, .. } => format!(
                "give one of them another id: {next_free} is the next free one (change `id = {id}` at {})",
                second.1
            ),
            Error::MigrationFailed { rolled_back: true, source, .. } => match source.hint() {
                Some(hint) => format!("nothing was changed; {hint}"),
                None => "nothing was changed; fix the migration and run the command again".into(),
            },
            Error::MigrationFailed { source, .. }
                if matches!(**source, Error::UnrecordedStep { .. } | Error::LockWait { .. }) =>
            {
                return source.hint();
            }
            Error::LockWait { .. } => "another session's transaction holds a lock the migration needs (see above); the migration stopped without keeping any lock, and what it finished is recorded: run the same command again once that transaction ends, or give each attempt longer with --ddl-lock-timeout".into(),
            Error::UnrecordedStep { hint, .. }
            | Error::KeyUnusable { hint, .. }
            | Error::TypeMismatch { hint, .. } => hint.clone(),
            Error::NoProgress { .. } => "check that the key named with `key = ...` is unique and that its column exists; this is a bug if the key is the table's primary key: please report it".into(),
            Error::MigrationFailed { rolled_back: false, id, .. } => format!(
                "its changes could not be rolled back; `migrate status` shows how far it got. After fixing the cause, run `migrate resolve {id} --retry`, or `--mark-applied` / `--mark-reverted` if you finished or undid it by hand"
            ),
            Error::NeedsAttention { hint, .. }
            | Error::InvalidTarget { hint, .. }
            | Error::DataCheck { hint, .. } => hint.clone(),
            Error::Irreversible { id, .. } => format!(
                "revert only the migrations after it (`migrate down --to {id}`), or give it a `down` function"
            ),
            Error::LockTimeout { .. } => "another `migrate` run is in progress: wait for it to finish, or raise --lock-timeout".into(),
            Error::IncompatibleHistory { .. } => "point --history-table at another table name, or rename the existing table if it belongs to another tool".into(),
            Error::Interrupted { last_key: Some(_), .. } => "run the same command again: it resumes after the last committed batch".into(),
            Error::Interrupted { last_key: None, .. } => "run the same command again to continue".into(),
            Error::FleetIncomplete { .. } => "each database is as a single run would have left it: fix the failed ones and run the same command again (the databases already migrated are up to date)".into(),
            Error::DryRunUnsupported => "run it against a scratch copy of the database to see what it does".into(),
            _ => return None,
        })
    }
}

/// Long statements are cut in messages; the full text is in `--dry-run`.
pub(crate) fn shorten(sql: &str) -> String {
    const MAX: usize = 300;
    let sql = sql.trim();
    if sql.len() <= MAX {
        return sql.to_owned();
    }
    let mut end = MAX;
    while !sql.is_char_boundary(end) {
        end -= 1;
    }
    format!("{} ...", &sql[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(message: &str) -> Error {
        Error::MigrationFailed {
            id: MigrationId(3),
            name: "m",
            direction: Direction::Up,
            rolled_back: false,
            source: Box::new(Error::Statement {
                step: 2,
                sql: "UPDATE t SET a = 1".into(),
                message: message.into(),
            }),
        }
    }

    #[test]
    fn environment_failures_are_not_blamed_on_the_migration() {
        let lost = statement("server closed the connection unexpectedly");
        assert_eq!(lost.kind(), ErrorKind::Connection);
        assert!(
            lost.hint()
                .unwrap_or_default()
                .contains("resumes it where it stopped")
        );
        let ssl = statement("SSL connection has been closed unexpectedly");
        assert_eq!(ssl.kind(), ErrorKind::Connection);
        let gone = statement("MySQL server has gone away");
        assert_eq!(gone.kind(), ErrorKind::Connection);
        let read_only = statement("attempt to write a readonly database");
        assert_eq!(read_only.kind(), ErrorKind::Connection);
        assert!(read_only.hint().unwrap_or_default().contains("read-only"));
        assert!(
            read_only
                .hint()
                .unwrap_or_default()
                .contains("deleted or moved")
        );
        let full = statement("database or disk is full");
        assert_eq!(full.kind(), ErrorKind::Connection);
        assert!(
            full.hint()
                .unwrap_or_default()
                .contains("run the same command again; it resumes")
        );
        let unusable = Error::DatabaseUnusable {
            message: "cannot open the lock file".into(),
            hint: "h".into(),
        };
        assert_eq!(unusable.kind(), ErrorKind::Connection);
        let mistake = statement("no such column: b");
        assert_eq!(mistake.kind(), ErrorKind::Migration);
        assert!(
            mistake
                .hint()
                .unwrap_or_default()
                .contains("resolve 3 --retry")
        );
    }

    #[test]
    fn a_busy_sqlite_writer_is_a_lock_wait_and_a_refused_privilege_a_failed_statement() {
        let busy = statement("database is locked");
        assert!(busy.is_lock_timeout());
        assert_eq!(busy.kind(), ErrorKind::Lock);
        let outside = Error::database(
            "creating the history table",
            diesel::result::Error::QueryBuilderError("database is locked".into()),
        );
        assert_eq!(outside.kind(), ErrorKind::Lock);
        assert!(outside.hint().unwrap_or_default().contains("busy timeout"));

        let denied = statement("permission denied for schema public");
        assert_eq!(denied.kind(), ErrorKind::Migration);
        assert!(
            denied
                .hint()
                .unwrap_or_default()
                .contains("lacks a privilege this command needs")
        );
        assert!(
            denied
                .hint()
                .unwrap_or_default()
                .contains("resolve 3 --retry")
        );
        let history = Error::database(
            "reading the history",
            diesel::result::Error::QueryBuilderError("permission denied for table h".into()),
        );
        assert_eq!(history.kind(), ErrorKind::Migration);
    }
}
