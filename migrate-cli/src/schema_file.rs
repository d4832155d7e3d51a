//! `schema.rs` kept in step, as `diesel migration run` keeps it: with a `[print_schema]` section
//! that names a `file` in `diesel.toml`, `up`, `down` and `redo` rewrite that file from the
//! migrated database, and `check --schema` fails when it differs.
//!
//! `diesel.toml` is found as Diesel CLI finds it: `DIESEL_CONFIG_FILE`, else the nearest
//! directory from the current one up that has a `diesel.toml`. Paths in it are relative to its
//! directory. Supported keys: `file`,
//! `schema`, `filter` (`only_tables` / `except_tables`, regular expressions matched anywhere in
//! the name, as Diesel matches them); others are refused rather than ignored.

use migrate_core::diesel_schema::{SchemaOptions, print_schema};
use migrate_core::{AnyConnection, Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The `[print_schema]` section.
#[derive(Default)]
pub struct SchemaConfig {
    /// Where `schema.rs` is written (absolute, or relative to the current directory); without
    /// one, `up` writes nothing (as `diesel migration run`).
    pub file: Option<PathBuf>,
    schema: Option<String>,
    filter: Filter,
}

#[derive(Default)]
enum Filter {
    #[default]
    None,
    Only(Vec<regex::Regex>),
    Except(Vec<regex::Regex>),
}

/// The keys of `[print_schema]` this implementation honours.
const KEYS: &str = "`file`, `schema`, `filter`";

impl SchemaConfig {
    /// The `[print_schema]` section of the `diesel.toml` found, if any.
    pub fn find() -> Result<Option<SchemaConfig>> {
        let Some(path) = config_path() else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| config_error(&path, format!("cannot be read: {e}")))?;
        let base = path.parent().unwrap_or(Path::new("."));
        parse(&text, base).map_err(|message| config_error(&path, message))
    }

    /// `schema.rs` for the database, formatted by `rustfmt` as Diesel CLI formats it.
    pub fn generate(&self, conn: &mut AnyConnection, history_table: &str) -> Result<String> {
        let keep = |name: &str| name != history_table && self.filter.keeps(name);
        let text = print_schema(
            conn,
            &SchemaOptions {
                schema: self.schema.as_deref(),
                keep_table: &keep,
            },
        )?;
        Ok(rustfmt(&text).unwrap_or_else(|reason| {
            tracing::warn!("cannot format schema.rs with rustfmt ({reason}); writing it unformatted, as Diesel CLI does");
            text
        }))
    }

    /// Rewrites the file when the database implies another text; returns the file when it
    /// changed.
    pub fn write(&self, conn: &mut AnyConnection, history_table: &str) -> Result<Option<&Path>> {
        let Some(file) = &self.file else {
            return Ok(None);
        };
        let text = self.generate(conn, history_table)?;
        if std::fs::read_to_string(file).is_ok_and(|old| old == text) {
            return Ok(None);
        }
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| write_error(file, &e))?;
        }
        std::fs::write(file, text).map_err(|e| write_error(file, &e))?;
        Ok(Some(file))
    }

    /// Whether the file holds what the database implies (`check --schema`); the first line
    /// that differs when it does not.
    pub fn compare(&self, conn: &mut AnyConnection, history_table: &str) -> Result<Option<String>> {
        let Some(file) = &self.file else {
            return Ok(Some(
                "diesel.toml's [print_schema] names no `file` to compare".to_owned(),
            ));
        };
        let text = self.generate(conn, history_table)?;
        let old = std::fs::read_to_string(file).unwrap_or_default();
        if old.lines().eq(text.lines()) {
            return Ok(None);
        }
        let line = old
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| old.lines().count().min(text.lines().count()));
        Ok(Some(format!(
            "`{}` differs from what the database implies from line {}: expected `{}`",
            file.display(),
            line + 1,
            text.lines().nth(line).unwrap_or("(end of file)").trim()
        )))
    }
}

impl Filter {
    fn keeps(&self, table: &str) -> bool {
        match self {
            Filter::None => true,
            Filter::Only(patterns) => patterns.iter().any(|p| p.is_match(table)),
            Filter::Except(patterns) => !patterns.iter().any(|p| p.is_match(table)),
        }
    }
}

fn config_error(path: &Path, message: String) -> Error {
    Error::Configuration {
        message: format!("`{}` {message}", path.display()),
        hint: format!(
            "`[print_schema]` supports {KEYS} here; fix the file, or regenerate schema.rs with `diesel print-schema`"
        ),
    }
}

fn write_error(path: &Path, e: &std::io::Error) -> Error {
    Error::msg(format!("cannot write `{}`: {e}", path.display()))
}

/// `DIESEL_CONFIG_FILE`, else the nearest `diesel.toml` from the current directory up.
fn config_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("DIESEL_CONFIG_FILE") {
        return Some(PathBuf::from(path));
    }
    std::env::current_dir().ok().and_then(|dir| {
        dir.ancestors()
            .map(|d| d.join("diesel.toml"))
            .find(|p| p.is_file())
    })
}

fn parse(text: &str, base: &Path) -> std::result::Result<Option<SchemaConfig>, String> {
    let table: toml::Table =
        toml::from_str(text).map_err(|e| format!("is not valid TOML: {}", e.message()))?;
    let Some(section) = table.get("print_schema") else {
        return Ok(None);
    };
    let section = section
        .as_table()
        .ok_or("has a `print_schema` that is not a table")?;
    let mut file = None;
    let mut schema = None;
    let mut filter = Filter::None;
    for (key, value) in section {
        match key.as_str() {
            "file" => {
                let path = value.as_str().ok_or("`file` is not a string")?;
                file = Some(base.join(path));
            }
            "schema" => {
                schema = Some(value.as_str().ok_or("`schema` is not a string")?.to_owned());
            }
            "filter" => filter = parse_filter(value)?,
            // Diesel's defaults, written out, change nothing.
            "column_sorting" if value.as_str() == Some("ordinal_position") => {}
            "with_docs" if value.as_bool() == Some(false) => {}
            "generate_missing_sql_type_definitions" if value.as_bool() == Some(true) => {}
            "allow_tables_to_appear_in_same_query_config"
                if value.as_str() == Some("all_tables") => {}
            other if value.is_table() && !["filter"].contains(&other) => {
                return Err(format!(
                    "has several `[print_schema.{other}]` sections, which this implementation does not support"
                ));
            }
            other => {
                return Err(format!(
                    "sets `{other}` in [print_schema], which this implementation does not support"
                ));
            }
        }
    }
    Ok(Some(SchemaConfig {
        file,
        schema,
        filter,
    }))
}

fn parse_filter(value: &toml::Value) -> std::result::Result<Filter, String> {
    let table = value
        .as_table()
        .ok_or("`filter` is not a table: write `filter = { except_tables = [\"...\"] }`")?;
    let patterns = |list: &toml::Value| -> std::result::Result<Vec<regex::Regex>, String> {
        list.as_array()
            .ok_or("a table filter is a list of regular expressions")?
            .iter()
            .map(|p| {
                let p = p.as_str().ok_or("a table filter pattern is a string")?;
                regex::Regex::new(p).map_err(|e| format!("pattern `{p}`: {e}"))
            })
            .collect()
    };
    match (
        table.get("only_tables"),
        table.get("except_tables"),
        table.len(),
    ) {
        (Some(list), None, 1) => Ok(Filter::Only(patterns(list)?)),
        (None, Some(list), 1) => Ok(Filter::Except(patterns(list)?)),
        _ => Err("`filter` takes one of `only_tables` or `except_tables`".into()),
    }
}

/// Formats `text` with `rustfmt`, as Diesel CLI does.
fn rustfmt(text: &str) -> std::result::Result<String, String> {
    let mut child = Command::new("rustfmt")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
    }
    String::from_utf8(output.stdout).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> std::result::Result<Option<SchemaConfig>, String> {
        parse(text, Path::new("/project"))
    }

    #[test]
    fn print_schema_sections() {
        assert!(config("").unwrap().is_none());
        let no_file = config("[print_schema]\nschema = \"x\"").unwrap().unwrap();
        assert!(no_file.file.is_none(), "no file, nothing written");
        let c = config(
            "[print_schema]\nfile = \"src/schema.rs\"\nfilter = { except_tables = [\"^_migrate\", \"audit\"] }",
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.file.as_deref(), Some(Path::new("/project/src/schema.rs")));
        assert!(c.filter.keeps("users"));
        assert!(!c.filter.keeps("_migrate_history"));
        assert!(
            !c.filter.keeps("user_audit_log"),
            "patterns match anywhere, as Diesel's"
        );
    }

    #[test]
    fn unsupported_keys_are_refused() {
        let error = config("[print_schema]\nfile = \"s.rs\"\nimport_types = [\"x\"]")
            .err()
            .unwrap();
        assert!(error.contains("import_types"), "{error}");
        let error = config("[print_schema]\nfile = \"s.rs\"\nfilter = { tables = [] }")
            .err()
            .unwrap();
        assert!(error.contains("only_tables"), "{error}");
    }
}
