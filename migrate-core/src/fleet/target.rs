//! The databases of a fleet: URLs given one by one or in a file, and tenants found on one server
//! by a pattern (PostgreSQL schemas, MySQL/MariaDB databases, SQLite files).

use super::pattern::NamePattern;
use crate::connection::{AnyConnection, DatabaseUrl};
use crate::error::{Error, Result};
use migrate_sql::Dialect;
use migrate_sql::runtime::fleet as sql;
use std::path::Path;

/// One database of a fleet: its URL and the name it is shown by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetTarget {
    /// What the output calls it: the schema, database or file of a tenant, else the URL (without
    /// its password).
    pub name: String,
    /// Where it is.
    pub url: DatabaseUrl,
}

impl FleetTarget {
    /// A database given by its URL, shown by the URL (without its password).
    pub fn from_url(url: DatabaseUrl) -> FleetTarget {
        FleetTarget {
            name: url.to_string(),
            url,
        }
    }

    /// The URLs of a list, one per line; blank lines and lines starting with `#` are skipped.
    /// `source` names the list in errors (a file name), which give the line number.
    ///
    /// ```
    /// use migrate_core::FleetTarget;
    /// let targets = FleetTarget::parse_list(
    ///     "# EU shard\npostgres://app@eu.db/shop\n\nsqlite://tenants/acme.db\n",
    ///     "shards.txt",
    /// )?;
    /// assert_eq!(targets.len(), 2);
    /// assert_eq!(targets[1].name, "sqlite://tenants/acme.db");
    /// # Ok::<(), migrate_core::Error>(())
    /// ```
    pub fn parse_list(text: &str, source: &str) -> Result<Vec<FleetTarget>> {
        let mut targets = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let url: DatabaseUrl = line.parse().map_err(|e: Error| Error::Configuration {
                message: format!("{source}, line {}: {e}", number + 1),
                hint: e.hint().unwrap_or_default(),
            })?;
            targets.push(FleetTarget::from_url(url));
        }
        Ok(targets)
    }

    /// Every schema of the PostgreSQL database `database` whose name matches `pattern` (`*`
    /// any characters, `?` one), each addressed as the database's URL with its search path set
    /// to that schema alone (`options=-csearch_path=...`), so its history table, lock and tables
    /// are the schema's own.
    pub fn postgres_schemas(database: &DatabaseUrl, pattern: &str) -> Result<Vec<FleetTarget>> {
        if database.dialect() != Dialect::Postgres {
            return Err(wrong_dialect("schemas", database, "a postgres:// URL"));
        }
        let pattern = NamePattern::parse(pattern, "schemas")?;
        let names = list(database, sql::POSTGRES_SCHEMAS, &pattern)?;
        names
            .into_iter()
            .map(|schema| {
                let url = with_search_path(database, &schema)?;
                Ok(FleetTarget { name: schema, url })
            })
            .collect()
    }

    /// Every database of the MySQL/MariaDB server of `server` whose name matches `pattern`,
    /// each addressed as `server` with that database.
    pub fn mysql_databases(server: &DatabaseUrl, pattern: &str) -> Result<Vec<FleetTarget>> {
        if server.dialect() != Dialect::Mysql {
            return Err(wrong_dialect("databases", server, "a mysql:// URL"));
        }
        let pattern = NamePattern::parse(pattern, "databases")?;
        let names = list(server, sql::MYSQL_DATABASES, &pattern)?;
        names
            .into_iter()
            .map(|database| {
                let url = with_database(server, &database)?;
                Ok(FleetTarget {
                    name: database,
                    url,
                })
            })
            .collect()
    }

    /// Every SQLite file matching `pattern`, a path whose last part may hold `*` and `?`
    /// (`tenants/*.db`), in name order.
    pub fn sqlite_files(pattern: &str) -> Result<Vec<FleetTarget>> {
        let path = Path::new(pattern);
        let file_pattern =
            path.file_name()
                .and_then(|f| f.to_str())
                .ok_or_else(|| Error::Configuration {
                    message: format!("`{pattern}` names no file"),
                    hint: "give a pattern such as `tenants/*.db`".into(),
                })?;
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        if dir.to_string_lossy().contains(['*', '?']) {
            return Err(Error::Configuration {
                message: format!(
                    "`{pattern}`: only the file name may hold `*` or `?`, not its directory"
                ),
                hint: "name one directory, as in `tenants/*.db`".into(),
            });
        }
        let file_pattern = NamePattern::parse(file_pattern, "SQLite files")?;
        let entries = std::fs::read_dir(dir).map_err(|e| Error::Configuration {
            message: format!("cannot list `{}`: {e}", dir.display()),
            hint: "check the directory of the SQLite files' pattern".into(),
        })?;
        let mut files: Vec<String> = entries
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.path().is_file())
            .filter_map(|entry| entry.file_name().to_str().map(str::to_owned))
            .filter(|name| file_pattern.matches(name))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|file| {
                let shown = if path.parent().is_some_and(|p| !p.as_os_str().is_empty()) {
                    dir.join(&file).display().to_string()
                } else {
                    file
                };
                let url: DatabaseUrl = format!("sqlite://{shown}").parse()?;
                Ok(FleetTarget { name: shown, url })
            })
            .collect()
    }
}

fn wrong_dialect(what: &str, url: &DatabaseUrl, expected: &str) -> Error {
    Error::Configuration {
        message: format!(
            "tenants found as {what} need {expected}; {url} is a {} URL",
            url.dialect()
        ),
        hint: "PostgreSQL tenants are schemas, MySQL/MariaDB tenants databases, SQLite tenants files: use the option of the URL's database".into(),
    }
}

/// The names `query` lists on the server of `url` that match `pattern`.
fn list(url: &DatabaseUrl, query: &str, pattern: &NamePattern) -> Result<Vec<String>> {
    let mut conn = AnyConnection::establish_existing(url)?;
    let names = conn.query_text(query).map_err(|e| {
        Error::database(
            format!("listing the tenants matching `{}`", pattern.as_str()),
            e,
        )
    })?;
    Ok(names.into_iter().filter(|n| pattern.matches(n)).collect())
}

/// `database`'s URL with the session's search path set to `schema` alone, through libpq's
/// `options` parameter: the schema's tables, history table and migration lock are its own.
fn with_search_path(database: &DatabaseUrl, schema: &str) -> Result<DatabaseUrl> {
    let target = database.connection_target();
    if target
        .split_once('?')
        .is_some_and(|(_, query)| query.split('&').any(|p| p.starts_with("options=")))
    {
        return Err(Error::Configuration {
            message: format!(
                "{database} already sets `options`: a tenant schema is chosen with `options=-csearch_path=...`"
            ),
            hint:
                "remove `options` from the URL (set those settings on the role or database instead)"
                    .into(),
        });
    }
    // A quoted identifier (any case, any character), then libpq's escapes for `options`
    // (a backslash before spaces and backslashes), then percent-encoding for the URL.
    let identifier = format!("\"{}\"", schema.replace('"', "\"\""));
    let option = format!("-csearch_path={identifier}")
        .replace('\\', "\\\\")
        .replace(' ', "\\ ");
    let separator = if target.contains('?') { '&' } else { '?' };
    format!("{target}{separator}options={}", percent_encode(&option)).parse()
}

/// `server`'s URL naming `database` instead of its own.
fn with_database(server: &DatabaseUrl, database: &str) -> Result<DatabaseUrl> {
    let mut url = url::Url::parse(server.connection_target()).map_err(|e| Error::InvalidUrl {
        url: server.to_string(),
        reason: e.to_string(),
    })?;
    url.set_path(&percent_encode(database));
    url.as_str().parse()
}

/// Every byte but ASCII letters, digits, `-`, `_` and `.` as `%XX`.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schema_tenant_is_the_database_url_with_its_search_path() {
        let db: DatabaseUrl = "postgres://app:s3cret@db/shop?sslmode=disable"
            .parse()
            .unwrap();
        let url = with_search_path(&db, "Tenant \"A\"").unwrap();
        assert_eq!(
            url.connection_target(),
            "postgres://app:s3cret@db/shop?sslmode=disable&options=-csearch_path%3D%22Tenant%5C%20%22%22A%22%22%22"
        );
        assert!(!url.to_string().contains("s3cret"));
        let err = with_search_path(&url, "b").unwrap_err();
        assert!(err.to_string().contains("already sets `options`"), "{err}");
    }

    #[test]
    fn a_database_tenant_is_the_server_url_with_that_database() {
        let server: DatabaseUrl = "mysql://root:pw@127.0.0.1:3306/admin".parse().unwrap();
        let url = with_database(&server, "tenant_7").unwrap();
        assert_eq!(
            url.connection_target(),
            "mysql://root:pw@127.0.0.1:3306/tenant_7"
        );
        let url = with_database(&"mariadb://root@h/x".parse().unwrap(), "t 1").unwrap();
        assert_eq!(url.connection_target(), "mysql://root@h/t%201");
    }

    #[test]
    fn lists_skip_comments_and_say_which_line_is_wrong() {
        let targets =
            FleetTarget::parse_list("  # all\npostgres://u@h/a\n\n  sqlite://b.db  \n", "f")
                .unwrap();
        let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["postgres://u@h/a", "sqlite://b.db"]);
        let err = FleetTarget::parse_list("sqlite://a.db\noracle://x/y\n", "urls.txt").unwrap_err();
        assert!(err.to_string().contains("urls.txt, line 2"), "{err}");
    }

    #[test]
    fn sqlite_files_match_in_one_directory() {
        let dir = std::env::temp_dir().join(format!("fleet-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["t_b.db", "t_a.db", "other.db", "t_c.db-journal"] {
            std::fs::write(dir.join(f), b"").unwrap();
        }
        let pattern = format!("{}/t_*.db", dir.display());
        let names: Vec<String> = FleetTarget::sqlite_files(&pattern)
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(
            names,
            [
                dir.join("t_a.db").display().to_string(),
                dir.join("t_b.db").display().to_string()
            ]
        );
        let err = FleetTarget::sqlite_files(&format!("{}/*/x.db", dir.display())).unwrap_err();
        assert!(err.to_string().contains("only the file name"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
