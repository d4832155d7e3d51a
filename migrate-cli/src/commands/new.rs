//! `new NAME`: scaffold a migration with the next id in the migrations module.

use super::Session;
use crate::args::NewArgs;
use crate::output::Output;
use migrate_core::{Error, MigrationSet, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn new(session: &Session, args: &NewArgs, out: &mut Output) -> Result<ExitCode> {
    let name = args.name.as_str();
    if !is_snake_case(name) {
        return Err(Error::InvalidTarget {
            message: format!("`{name}` is not a valid migration name"),
            hint: "use snake_case letters, digits and underscores, starting with a letter, for example `add_status`".into(),
        });
    }
    let id = session.registry.last_id().map_or(1, |id| id.0 + 1);
    let set_file = match &args.module_file {
        Some(path) => path.clone(),
        None => locate_set_file(session.cli.set)?,
    };
    let dir = module_dir(&set_file);
    let module = format!("m{id:04}_{name}");
    let path = dir.join(format!("{module}.rs"));
    if path.exists() {
        return Err(Error::msg(format!("`{}` already exists", path.display())));
    }
    fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
    fs::write(&path, scaffold(id, name)).map_err(|e| io_error(&path, e))?;
    let mut parent = fs::read_to_string(&set_file).map_err(|e| io_error(&set_file, e))?;
    if !parent.ends_with('\n') {
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

/// The file that declares the set. `file!()` is relative to the directory cargo compiled from
/// (the workspace root, usually also where `cargo run` runs); try that, then the crate's
/// manifest directory and its ancestors.
fn locate_set_file(set: &MigrationSet) -> Result<PathBuf> {
    let file = Path::new(set.source_file());
    let candidates = std::iter::once(file.to_path_buf()).chain(
        Path::new(set.manifest_dir())
            .ancestors()
            .map(|dir| dir.join(file)),
    );
    for candidate in candidates {
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    Err(Error::msg(format!(
        "cannot find `{}`, the file that declares the migration set; run `migrate new` from the workspace root",
        file.display()
    )))
}

/// Where submodules of the set's module live: next to `mod.rs`/`lib.rs`/`main.rs`, else in a
/// directory named after the file.
fn module_dir(set_file: &Path) -> PathBuf {
    let parent = set_file.parent().unwrap_or(Path::new("."));
    match set_file.file_stem().and_then(|s| s.to_str()) {
        Some("mod" | "lib" | "main") | None => parent.to_path_buf(),
        Some(stem) => parent.join(stem),
    }
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::msg(format!("cannot write `{}`: {e}", path.display()))
}

fn scaffold(id: u64, name: &str) -> String {
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
    Ok(())
}}
"#
    )
}
