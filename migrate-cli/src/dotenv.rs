//! The `.env` file: read before the arguments, so `DATABASE_URL` in it counts as configured.
//!
//! A `.env` that exists but cannot be read or parsed stops the command: going on without it could
//! migrate another database (the binary's default) than the one the file names. Its lines are
//! never echoed, since they hold passwords.

use migrate_core::Error;
use std::path::{Path, PathBuf};

/// Loads the nearest `.env` (in the current directory or a parent) into the environment, without
/// overriding variables already set. Returns its path, or `None` when there is none.
pub fn load() -> Result<Option<PathBuf>, Error> {
    let Ok(cwd) = std::env::current_dir() else {
        return Ok(None);
    };
    let Some(path) = find(&cwd) else {
        return Ok(None);
    };
    match dotenvy::from_path(&path) {
        Ok(()) => Ok(Some(path)),
        Err(dotenvy::Error::LineParse(line, _)) => Err(malformed(&path, &line)),
        Err(error) => Err(Error::Configuration {
            message: format!(
                "cannot read `{}`: {}",
                path.display(),
                migrate_core::redact_credentials(&error.to_string())
            ),
            hint: "make the file readable, or remove it and pass --database-url; the command stops rather than fall back to another database".into(),
        }),
    }
}

fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(".env"))
        .find(|candidate| candidate.is_file())
}

/// The error for a line `dotenvy` cannot parse: its number and variable name, never its value.
fn malformed(path: &Path, line: &str) -> Error {
    let content = std::fs::read_to_string(path).unwrap_or_default();
    let number = content
        .find(line)
        .map(|at| content[..at].matches('\n').count() + 1);
    let variable = line
        .trim_start()
        .trim_start_matches("export ")
        .split_once('=')
        .map(|(name, _)| name.trim())
        .filter(|name| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    let place = match number {
        Some(n) => format!("line {n}"),
        None => "a line".to_owned(),
    };
    let what = match variable {
        Some(name) => {
            format!(" (it sets `{name}`; its value is not shown, it may hold a password)")
        }
        None => String::new(),
    };
    Error::Configuration {
        message: format!("cannot parse `{}`: {place} is malformed{what}", path.display()),
        hint: "fix that line (an unclosed quote is the usual cause) or pass --database-url; the command stops rather than fall back to another database".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_line_is_named_without_its_value() {
        let dir = std::env::temp_dir().join(format!("migrate-dotenv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok();
        let path = dir.join(".env");
        std::fs::write(
            &path,
            "A=1\nDATABASE_URL=\"mysql://root:pw@127.0.0.1/prod\n",
        )
        .ok();
        let err = malformed(&path, "DATABASE_URL=\"mysql://root:pw@127.0.0.1/prod\n");
        let text = err.to_string();
        assert!(text.contains("line 2 is malformed"), "{text}");
        assert!(text.contains("`DATABASE_URL`"), "{text}");
        assert!(!text.contains("pw@"), "{text}");
        assert_eq!(err.kind(), migrate_core::ErrorKind::Config);
        std::fs::remove_dir_all(&dir).ok();
    }
}
