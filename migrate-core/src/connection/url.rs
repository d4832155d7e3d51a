//! Database URLs: which database to connect to, and how to print that without the password.

use super::redact::redact_credentials;
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
    /// The password, as given and decoded, and any `password=` parameter: hidden wherever they
    /// appear in a message.
    secrets: Vec<String>,
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

    /// Removes the password from `text` (for messages of database clients that may echo it):
    /// every credential [`redact_credentials`] recognises, and this URL's password wherever
    /// else it appears.
    pub fn redact(&self, text: &str) -> String {
        hide(redact_credentials(text), &self.secrets)
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
        if is_keyword_string(raw) {
            return Err(invalid(
                raw,
                &[],
                "it is a keyword/value connection string: give a URL, as in postgres://user:password@host:5432/database",
            ));
        }
        let (scheme, rest) = raw
            .split_once(':')
            .ok_or_else(|| invalid(raw, &[], "it has no scheme"))?;
        match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => parse_server(raw, Dialect::Postgres, raw.to_owned()),
            "mysql" => parse_server(raw, Dialect::Mysql, raw.to_owned()),
            // Diesel's MySQL client only accepts the `mysql` scheme.
            "mariadb" => parse_server(raw, Dialect::Mysql, format!("mysql:{rest}")),
            "sqlite" | "sqlite3" | "file" => parse_sqlite(raw, rest),
            _ => Err(invalid(
                raw,
                &[],
                // What precedes the first `:` may be part of a password (`user:pw@host`).
                &format!(
                    "unknown scheme `{}`: expected postgres, mysql or sqlite",
                    redact_credentials(scheme)
                ),
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
            &[],
            &format!(
                "`{scheme}:` must be followed by `//`, as in {scheme}://user:password@host/database"
            ),
        ));
    }
    let parsed = url::Url::parse(&target).map_err(|e| invalid(raw, &[], &e.to_string()))?;
    let secrets = secrets_of(&parsed);
    let redacted = redact_url(raw, &secrets);
    let fail = |reason: &str| Err(invalid(raw, &secrets, reason));
    if dialect == Dialect::Mysql && parsed.host_str().is_none_or(str::is_empty) {
        return fail("it names no host");
    }
    if dialect == Dialect::Mysql && parsed.path_segments().is_some_and(|s| s.count() > 1) {
        return fail("a MySQL URL's path is just the database name");
    }
    if parsed.path().trim_matches('/').is_empty() {
        return fail(
            "it names no database: add its name after the host, as in postgres://user@host/database",
        );
    }
    if parsed.port() == Some(0) {
        return fail("port 0 is not a valid port");
    }
    Ok(DatabaseUrl {
        dialect,
        // As the `url` crate reads it: the user information ends at the last `@` of the
        // authority, and an unencoded `@` or space in the password is percent-encoded, so the
        // client does not take part of the password for the host.
        target: parsed.as_str().to_owned(),
        redacted,
        secrets,
    })
}

/// The password of `url`, as written and decoded, and the values of its `password=` query
/// parameters.
fn secrets_of(url: &url::Url) -> Vec<String> {
    let mut secrets = Vec::new();
    if let Some(password) = url.password() {
        secrets.push(password.to_owned());
        if let Some(decoded) = percent_decode(password) {
            // A client that splits the user information at the first `@` or a space echoes
            // the rest as a host name: hide the pieces too (those long enough to be a secret
            // rather than a common word).
            let pieces: Vec<String> = decoded
                .split(|c: char| c == '@' || c.is_whitespace())
                .filter(|piece| piece.len() >= 4 && piece.len() < decoded.len())
                .map(str::to_owned)
                .collect();
            secrets.push(decoded);
            secrets.extend(pieces);
        }
    }
    for (key, value) in url.query_pairs() {
        if key.to_ascii_lowercase().contains("password") {
            secrets.push(value.into_owned());
        }
    }
    secrets.retain(|s| !s.is_empty());
    secrets
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
        return Err(invalid(raw, &[], "it names no file"));
    }
    if path.contains('\0') {
        return Err(invalid(raw, &[], "the path contains a NUL character"));
    }
    // `sqlite://user:password@...`: SQLite has no users, and the text before `@` would be taken
    // for a directory name.
    if rest.starts_with("//")
        && path
            .split('/')
            .next()
            .is_some_and(|head| head.contains('@'))
    {
        let secret = path.split('@').next().unwrap_or_default().to_owned();
        return Err(invalid(
            raw,
            &[secret],
            "a SQLite URL names a file and takes no user or password: give the path, as in sqlite://data/shop.db or sqlite:///var/lib/shop.db",
        ));
    }
    Ok(DatabaseUrl {
        dialect: Dialect::Sqlite,
        target: path.to_owned(),
        redacted: redact_url(raw, &[]),
        secrets: Vec::new(),
    })
}

fn invalid(raw: &str, secrets: &[String], reason: &str) -> Error {
    Error::InvalidUrl {
        url: redact_url(raw, secrets),
        reason: hide(reason.to_owned(), secrets),
    }
}

/// `raw` with its password hidden: every credential [`redact_credentials`] recognises, and
/// `secrets` wherever else they appear.
fn redact_url(raw: &str, secrets: &[String]) -> String {
    hide(redact_credentials(raw), secrets)
}

/// `text` with each of `secrets` replaced wherever it appears.
fn hide(mut text: String, secrets: &[String]) -> String {
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(secret.as_str(), "***");
    }
    text
}

/// Whether `raw` is a libpq-style `host=... user=... password=...` string rather than a URL.
fn is_keyword_string(raw: &str) -> bool {
    let first = raw.split_whitespace().next().unwrap_or_default();
    !raw.contains("://")
        && first
            .split_once('=')
            .is_some_and(|(key, _)| !key.contains(':'))
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

    #[test]
    fn the_client_gets_the_password_whole_and_messages_never_show_it() {
        // An unencoded `@` or space in the password is encoded for the client, which would
        // otherwise take what follows the first `@` for the host.
        let url = parse("postgres://u:Sup3r@S3cretPw@127.0.0.1/db").unwrap();
        assert_eq!(
            url.connection_target(),
            "postgres://u:Sup3r%40S3cretPw@127.0.0.1/db"
        );
        assert_eq!(url.to_string(), "postgres://u:***@127.0.0.1/db");
        assert_eq!(
            url.redact("could not translate host name \"S3cretPw@127.0.0.1\""),
            "could not translate host name \"***@127.0.0.1\""
        );
        let url = parse("postgres://u:my S3cretPw@127.0.0.1/db").unwrap();
        assert_eq!(url.to_string(), "postgres://u:***@127.0.0.1/db");
        assert_eq!(
            url.redact("auth failed for my S3cretPw"),
            "auth failed for ***"
        );
        // A password given as a query parameter.
        let url = parse("postgres://u@127.0.0.1/db?password=S3cretPw&sslmode=disable").unwrap();
        assert_eq!(
            url.to_string(),
            "postgres://u@127.0.0.1/db?password=***&sslmode=disable"
        );
        assert_eq!(url.redact("bad S3cretPw"), "bad ***");
    }

    #[test]
    fn keyword_strings_and_sqlite_credentials_are_refused_unseen() {
        for raw in [
            "host=127.0.0.1 user=postgres password=S3cretPw dbname=x",
            "dbname=x password='S3 cretPw'",
            "sqlite://u:S3cretPw@/tmp/x.db",
            "sqlite://S3cretPw@localhost/x.db",
            "x password=a:S3cretPw",
        ] {
            let err = parse(raw).unwrap_err().to_string();
            assert!(!err.contains("S3"), "{raw}: {err}");
            assert!(!err.contains("cretPw"), "{raw}: {err}");
        }
        let err = parse("host=h dbname=x").unwrap_err().to_string();
        assert!(err.contains("keyword/value connection string"), "{err}");
        let err = parse("sqlite://u:pw@/tmp/x.db").unwrap_err().to_string();
        assert!(err.contains("takes no user or password"), "{err}");
        // A file name with `@` below a directory is a path.
        assert_eq!(
            parse("sqlite://backups/shop@2024.db")
                .unwrap()
                .sqlite_path(),
            Some("backups/shop@2024.db")
        );
    }
}
