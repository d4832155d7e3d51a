//! Database URLs: which database to connect to, and how to print that without the password.

use crate::{Dialect, Error, Result};
use std::fmt;
use std::str::FromStr;

/// A parsed database URL.
///
/// | URL | database |
/// |-----|----------|
/// | `postgres://user:pass@host:5432/db`, `postgresql://...` | PostgreSQL |
/// | `mysql://user:pass@host:3306/db`, `mariadb://...` | MySQL / MariaDB |
/// | `sqlite://path/to/file.db`, `sqlite:path/to/file.db`, `sqlite:///abs/path.db` | SQLite file |
/// | `sqlite::memory:` | SQLite in memory |
///
/// Its [`Display`](fmt::Display) form hides the password, so it is safe to print and log.
///
/// ```
/// use migrate_core::{DatabaseUrl, Dialect};
/// let url: DatabaseUrl = "postgres://app:s3cret@db.internal/shop".parse()?;
/// assert_eq!(url.dialect(), Dialect::Postgres);
/// assert_eq!(url.to_string(), "postgres://app:***@db.internal/shop");
/// # Ok::<(), migrate_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    dialect: Dialect,
    /// What the Diesel connection is given: the URL for servers, the path for SQLite.
    target: String,
    redacted: String,
    password: Option<String>,
}

impl DatabaseUrl {
    /// The database this URL points at.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The string handed to Diesel's `establish`. It holds the password: never print it.
    pub(crate) fn connection_target(&self) -> &str {
        &self.target
    }

    /// For SQLite, the path of the database file (`None` in memory and for servers).
    pub fn sqlite_path(&self) -> Option<&str> {
        (self.dialect == Dialect::Sqlite && self.target != ":memory:").then_some(&self.target)
    }

    /// Removes the password from `text` (for messages of database clients that may echo it).
    pub fn redact(&self, text: &str) -> String {
        match &self.password {
            Some(password) if !password.is_empty() => text.replace(password.as_str(), "***"),
            _ => text.to_owned(),
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted)
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl").field(&self.redacted).finish()
    }
}

impl FromStr for DatabaseUrl {
    type Err = Error;

    fn from_str(raw: &str) -> Result<Self> {
        let raw = raw.trim();
        let (scheme, rest) = raw
            .split_once(':')
            .ok_or_else(|| invalid(raw, None, "it has no scheme"))?;
        match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => parse_server(raw, Dialect::Postgres, raw.to_owned()),
            "mysql" => parse_server(raw, Dialect::Mysql, raw.to_owned()),
            // Diesel's MySQL client only accepts the `mysql` scheme.
            "mariadb" => parse_server(raw, Dialect::Mysql, format!("mysql:{rest}")),
            "sqlite" | "sqlite3" | "file" => parse_sqlite(raw, rest),
            _ => Err(invalid(
                raw,
                None,
                &format!("unknown scheme `{scheme}`: expected postgres, mysql or sqlite"),
            )),
        }
    }
}

fn parse_server(raw: &str, dialect: Dialect, target: String) -> Result<DatabaseUrl> {
    let parsed = url::Url::parse(&target).map_err(|e| invalid(raw, None, &e.to_string()))?;
    let password = parsed
        .password()
        .map(|p| percent_decode(p).unwrap_or_else(|| p.to_owned()));
    let redacted = redact_url(raw, parsed.password());
    if dialect == Dialect::Mysql && parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid(raw, password.as_deref(), "it names no host"));
    }
    if dialect == Dialect::Mysql && parsed.path_segments().is_some_and(|s| s.count() > 1) {
        return Err(invalid(
            raw,
            password.as_deref(),
            "a MySQL URL's path is just the database name",
        ));
    }
    if let Some(port) = parsed.port()
        && port == 0
    {
        return Err(invalid(
            raw,
            password.as_deref(),
            "port 0 is not a valid port",
        ));
    }
    Ok(DatabaseUrl {
        dialect,
        target,
        redacted,
        password,
    })
}

fn parse_sqlite(raw: &str, rest: &str) -> Result<DatabaseUrl> {
    let path = if rest == ":memory:" || rest == "//:memory:" {
        ":memory:"
    } else if let Some(path) = rest.strip_prefix("//") {
        // `sqlite:///abs/path` is an absolute path, `sqlite://rel/path` a relative one.
        path
    } else {
        rest
    };
    if path.is_empty() {
        return Err(invalid(raw, None, "it names no file"));
    }
    if path.contains('\0') {
        return Err(invalid(raw, None, "the path contains a NUL character"));
    }
    Ok(DatabaseUrl {
        dialect: Dialect::Sqlite,
        target: path.to_owned(),
        redacted: raw.to_owned(),
        password: None,
    })
}

fn invalid(raw: &str, password: Option<&str>, reason: &str) -> Error {
    Error::InvalidUrl {
        url: redact_url(raw, password),
        reason: reason.to_owned(),
    }
}

/// Replaces the password between `user:` and `@` in the authority of `raw`, if any.
fn redact_url(raw: &str, password: Option<&str>) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return raw.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => raw.to_owned(),
        },
        None => match password {
            Some(p) if !p.is_empty() => raw.replace(p, "***"),
            _ => raw.to_owned(),
        },
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<DatabaseUrl> {
        s.parse()
    }

    #[test]
    fn server_urls() {
        let pg = parse("postgresql://u:pw@localhost:5432/db").unwrap();
        assert_eq!(pg.dialect(), Dialect::Postgres);
        assert_eq!(pg.to_string(), "postgresql://u:***@localhost:5432/db");
        let maria = parse("mariadb://root@127.0.0.1:3306/test").unwrap();
        assert_eq!(maria.dialect(), Dialect::Mysql);
        assert_eq!(
            maria.connection_target(),
            "mysql://root@127.0.0.1:3306/test"
        );
    }

    #[test]
    fn sqlite_urls() {
        assert_eq!(
            parse("sqlite://shop.db").unwrap().sqlite_path(),
            Some("shop.db")
        );
        assert_eq!(
            parse("sqlite:shop.db").unwrap().sqlite_path(),
            Some("shop.db")
        );
        assert_eq!(
            parse("sqlite:///tmp/x.db").unwrap().sqlite_path(),
            Some("/tmp/x.db")
        );
        let mem = parse("sqlite::memory:").unwrap();
        assert_eq!(mem.dialect(), Dialect::Sqlite);
        assert_eq!(mem.sqlite_path(), None);
    }

    #[test]
    fn rejects_malformed_urls_without_leaking_the_password() {
        let err = parse("oracle://u:hunter2@h/db").unwrap_err().to_string();
        assert!(err.contains("unknown scheme `oracle`"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        let err = parse("mysql://u:hunter2@:3306/db").unwrap_err().to_string();
        assert!(!err.contains("hunter2"), "{err}");
        assert!(parse("postgres://u@host:notaport/db").is_err());
        assert!(parse("shop.db").is_err());
        assert!(parse("sqlite://").is_err());
    }

    #[test]
    fn redacts_percent_encoded_passwords_in_messages() {
        let url = parse("postgres://u:p%40ss@h/db").unwrap();
        assert_eq!(url.to_string(), "postgres://u:***@h/db");
        assert_eq!(url.redact("auth failed for p@ss"), "auth failed for ***");
    }
}
