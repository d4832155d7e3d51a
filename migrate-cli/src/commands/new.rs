//! `new NAME`: scaffold a migration with the next id in the migrations module.
//!
//! The id is above every id the compiled binary knows *and* every id written in the module's
//! files, so two `new` in a row (with no build between) give two ids. It is a timestamp
//! (`YYYYMMDDHHMMSS`, UTC) when the set already uses timestamp ids (a Diesel directory, say) or
//! with `--timestamp`: ids made on two branches at once then rarely collide, and a migration
//! merged below the newest applied one is reported by `status`/`up` (`up --out-of-order`).

use super::Session;
use crate::args::NewArgs;
use crate::output::Output;
use crate::set_files::{locate_set_file, module_dir};
use migrate_core::{Error, Result};
use migrate_sql::version::{is_timestamp_id, timestamp_id};
use std::fs;
use std::path::Path;
use std::process::ExitCode;

pub fn new(session: &Session, args: &NewArgs, out: &mut Output) -> Result<ExitCode> {
    let name = args.name.as_str();
    if !is_snake_case(name) {
        return Err(Error::InvalidTarget {
            message: format!("`{name}` is not a valid migration name"),
            hint: "use snake_case letters, digits and underscores, starting with a letter, for example `add_status`".into(),
        });
    }
    let set_file = match &args.module_file {
        Some(path) => path.clone(),
        None => locate_set_file(session.cli.set)?,
    };
    let dir = module_dir(&set_file);
    let mut known: Vec<u64> = session.registry.iter().map(|m| m.id().0).collect();
    known.extend(ids_in_module(&set_file, &dir));
    let highest = known.iter().copied().max().unwrap_or(0);
    let timestamps = if args.timestamp {
        true
    } else if args.sequential {
        false
    } else {
        known.iter().any(|&id| is_timestamp_id(id))
    };
    let id = if timestamps {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        timestamp_id(now).max(highest + 1)
    } else {
        highest + 1
    };
    let module = if timestamps {
        format!("m{id}_{name}")
    } else {
        format!("m{id:04}_{name}")
    };
    let path = dir.join(format!("{module}.rs"));
    if path.exists() {
        return Err(Error::msg(format!("`{}` already exists", path.display())));
    }
    fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
    fs::write(&path, scaffold(id, name, &path)).map_err(|e| io_error(&path, e))?;
    let mut parent = fs::read_to_string(&set_file).map_err(|e| io_error(&set_file, e))?;
    if !parent.is_empty() && !parent.ends_with('\n') {
        parent.push('\n');
    }
    parent.push_str(&format!("mod {module};\n"));
    fs::write(&set_file, parent).map_err(|e| io_error(&set_file, e))?;
    out.line(&format!(
        "created {} (migration {id}) and declared it in {}",
        path.display(),
        set_file.display()
    ));
    Ok(ExitCode::SUCCESS)
}

fn is_snake_case(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The ids written in the module: in `mod m<id>_name;` declarations of the set's file, in the
/// names of `m<id>_name.rs` files (or `m<id>_name/mod.rs`) beside it, and in `#[migration(id = N` attributes of those
/// files (which the binary may not have been rebuilt with yet).
fn ids_in_module(set_file: &Path, dir: &Path) -> Vec<u64> {
    let mut ids = Vec::new();
    if let Ok(text) = fs::read_to_string(set_file) {
        ids.extend(text.lines().filter_map(|line| {
            let rest = line.trim().strip_prefix("pub ").unwrap_or(line.trim());
            rest.strip_prefix("mod ").and_then(id_of_module_name)
        }));
        ids.extend(ids_in_attributes(&text));
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return ids;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        // A module is `name.rs` or `name/mod.rs`.
        let (module, file) = match file_name.strip_suffix(".rs") {
            Some(stem) => (stem, entry.path()),
            None => (file_name.as_str(), entry.path().join("mod.rs")),
        };
        if !file.is_file() {
            continue;
        }
        ids.extend(id_of_module_name(module));
        if let Ok(text) = fs::read_to_string(file) {
            ids.extend(ids_in_attributes(&text));
        }
    }
    ids
}

/// `m0012_add_status` (or `m20240131120000_add_status;`) → 12.
fn id_of_module_name(name: &str) -> Option<u64> {
    let digits: String = name
        .strip_prefix('m')?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The ids of `#[migration(id = N ...)]` attributes in `text`.
fn ids_in_attributes(text: &str) -> Vec<u64> {
    text.split("#[migration(")
        .skip(1)
        .filter_map(|rest| {
            let args = rest.split(')').next()?;
            args.split(',').find_map(|arg| {
                let (key, value) = arg.split_once('=')?;
                (key.trim() == "id")
                    .then(|| value.trim().replace('_', "").parse().ok())
                    .flatten()
            })
        })
        .collect()
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::msg(format!("cannot write `{}`: {e}", path.display()))
}

/// The new migration. Its down migration fails until it is written: a scaffold that reverted
/// nothing would let `migrate down` report success while the database keeps the change.
fn scaffold(id: u64, name: &str, path: &Path) -> String {
    let file = path.display().to_string().escape_default().to_string();
    format!(
        r#"use migrate_core::prelude::*;

/// TODO: say what this migration does (the first paragraph is its description).
#[migration(id = {id}, down = revert_{name})]
fn {name}(m: &mut Migration) -> Result<()> {{
    // m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
    let _ = m;
    Ok(())
}}

fn revert_{name}(m: &mut Migration) -> Result<()> {{
    // m.execute("ALTER TABLE orders DROP COLUMN status")?;
    let _ = m;
    Err(Error::msg(
        "the down migration of `{name}` is not written yet: write `revert_{name}` in {file}, or declare the migration `irreversible`",
    ))
}}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_written_in_a_module() {
        assert_eq!(id_of_module_name("m0012_add_status"), Some(12));
        assert_eq!(
            id_of_module_name("m20240131120000_x;"),
            Some(20240131120000)
        );
        assert_eq!(id_of_module_name("helpers"), None);
        assert_eq!(
            ids_in_attributes(
                "#[migration(id = 7, down = d)]\nfn a() {}\n#[migration(reversible, id = 1_000)]"
            ),
            [7, 1000]
        );
    }
}
