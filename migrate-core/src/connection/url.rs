//! Database URLs: which database to connect to, and how to print that without the password.

use crate::error::{Error, Result};
use migrate_sql::Dialect;
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

    /// False only for a SQLite URL whose file does not exist (yet); servers are asked when
    /// connecting.
    pub fn database_exists(&self) -> bool {
        self.sqlite_path()
            .is_none_or(|path| std::path::Path::new(path).is_file())
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
    // Without `//`, the `url` crate takes everything after the scheme as an opaque path, and the
    // client would read `user:password@host` as something else entirely.
    let (scheme, after_scheme) = raw.split_once(':').unwrap_or((raw, ""));
    if !after_scheme.starts_with("//") {
        return Err(invalid(
            raw,
            None,
            &format!(
                "`{scheme}:` must be followed by `//`, as in {scheme}://user:password@host/database"
            ),
        ));
    }
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
    if parsed.path().trim_matches('/').is_empty() {
        return Err(invalid(
            raw,
            password.as_deref(),
            "it names no database: add its name after the host, as in postgres://user@host/database",
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

/// `raw` with its password hidden: the credentials of every URL-like token, and `password`
/// wherever else it appears.
fn redact_url(raw: &str, password: Option<&str>) -> String {
    let redacted = redact_credentials(raw);
    match password {
        Some(p) if !p.is_empty() => redacted.replace(p, "***"),
        _ => redacted,
    }
}

/// Hides the password of every URL-like token in `text` (`scheme:[//]user:password@host...`),
/// whatever characters the password holds and however malformed the URL is.
///
/// Use it on any text that may echo what a user configured: error messages of URL parsers and
/// argument parsers, lines of a `.env` file, log fields. The password is taken to run from the
/// first `:` after the user name to the *last* `@` of the token, so an unencoded `@`, `#`, `/`
/// or `?` in it is hidden too (at worst, part of the host is hidden with it).
///
/// ```
/// use migrate_core::redact_credentials;
/// assert_eq!(
///     redact_credentials("invalid URL `postgres://app:Pa#ss/w@db/shop`"),
///     "invalid URL `postgres://app:***@db/shop`"
/// );
/// assert_eq!(redact_credentials("mysql:root:S3cret@db/x"), "mysql:root:***@db/x");
/// assert_eq!(redact_credentials("no secret: here"), "no secret: here");
/// ```
pub fn redact_credentials(text: &str) -> String {
    let is_delimiter = |c: char| c.is_whitespace() || matches!(c, '`' | '\'' | '"');
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    for c in text.chars() {
        if is_delimiter(c) {
            out.push_str(&redact_token(&token));
            token.clear();
            out.push(c);
        } else {
            token.push(c);
        }
    }
    out.push_str(&redact_token(&token));
    out
}

/// One whitespace- or quote-delimited token with the password of its URL, if any, hidden.
fn redact_token(token: &str) -> String {
    let Some(at) = token.rfind('@') else {
        return token.to_owned();
    };
    // The scheme: the letters before the first `:` that follows one (as in `url=postgres:`).
    let Some(colon) = token[..at].find(':') else {
        return token.to_owned();
    };
    let scheme_start = token[..colon]
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
        .map_or(0, |i| i + 1);
    let scheme = &token[scheme_start..colon];
    if !scheme.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return token.to_owned();
    }
    let after_scheme = &token[colon + 1..];
    let slashes = after_scheme.len() - after_scheme.trim_start_matches('/').len();
    let userinfo_start = colon + 1 + slashes;
    let userinfo = &token[userinfo_start..at];
    match userinfo.find(':') {
        Some(user_end) => format!(
            "{}***{}",
            &token[..userinfo_start + user_end + 1],
            &token[at..]
        ),
        // `scheme:secret@host` (no user name) may still be a password: hide it.
        None if slashes == 0 && !userinfo.is_empty() => {
            format!("{}***{}", &token[..userinfo_start], &token[at..])
        }
        None => token.to_owned(),
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
    fn never_shows_a_password_whatever_the_url_shape() {
        let cases = [
            "postgres://postgres:Pa#ss9word@127.0.0.1/db",
            "postgres://postgres:Pa/ss9word@127.0.0.1/db",
            "postgres://postgres:Pa?ss9word@127.0.0.1/db",
            "postgres://postgres:Pa@ss9word@127.0.0.1/db",
            "postgres:postgres:Pa9ss9word@127.0.0.1/x",
            "mysql:root:Pa9ss9word@127.0.0.1/x",
            "mysql://root:Pa9ss9word@:3306/db",
            "mariadb://root:Pa9ss9word@127.0.0.1:99999/db",
            "postgres://u:Pa9ss9word@h:notaport/db",
        ];
        for raw in cases {
            match parse(raw) {
                Ok(url) => assert!(!url.to_string().contains("ss9word"), "{raw}: {url}"),
                Err(e) => assert!(!e.to_string().contains("ss9word"), "{raw}: {e}"),
            }
            let quoted = format!("error: unexpected argument '{raw}' found");
            assert!(!redact_credentials(&quoted).contains("ss9word"), "{quoted}");
            let logged = format!("connecting url={raw}");
            assert!(!redact_credentials(&logged).contains("ss9word"), "{logged}");
        }
        assert_eq!(
            redact_credentials("`postgres://postgres:Pa#ss9word@127.0.0.1/db`: invalid port"),
            "`postgres://postgres:***@127.0.0.1/db`: invalid port"
        );
        // Text without credentials is left alone.
        for plain in [
            "sqlite:///tmp/a.db",
            "error: x",
            "time 12:30:00",
            "a@b",
            "user@host",
        ] {
            assert_eq!(redact_credentials(plain), plain);
        }
    }

    #[test]
    fn server_urls_need_two_slashes() {
        let err = parse("postgres:postgres:S3cr3tPw@127.0.0.1/x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("must be followed by `//`"), "{err}");
        assert!(!err.contains("S3cr3tPw"), "{err}");
    }

    #[test]
    fn redacts_percent_encoded_passwords_in_messages() {
        let url = parse("postgres://u:p%40ss@h/db").unwrap();
        assert_eq!(url.to_string(), "postgres://u:***@h/db");
        assert_eq!(url.redact("auth failed for p@ss"), "auth failed for ***");
    }
}
