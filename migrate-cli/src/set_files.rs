//! The source files of a migration set: the file that declares it, the directory of its
//! submodules, and the migration files in that directory that no `mod` line declares.
//!
//! A migration file without its `mod` line is not compiled, so the binary cannot see it; only
//! the source tree can. A compile-time check would not be enough: cargo rebuilds a crate when a
//! file it compiled changes, and a file nothing declares is not one of them, so `cargo run -- up`
//! would reuse the old build without a word. The command therefore compares the directory with
//! the set's `mod` lines (and the files its migrations were compiled from) every time it runs,
//! wherever the source is present.

use migrate_core::{Error, MigrationSet, Registry, Result};
use regex::Regex;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// The file that declares the set. `file!()` is relative to the directory cargo compiled from
/// (the workspace root, usually also where `cargo run` runs); try that, then the crate's
/// manifest directory and its ancestors.
pub fn locate_set_file(set: &MigrationSet) -> Result<PathBuf> {
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
pub fn module_dir(set_file: &Path) -> PathBuf {
    let parent = set_file.parent().unwrap_or(Path::new("."));
    match set_file.file_stem().and_then(|s| s.to_str()) {
        Some("mod" | "lib" | "main") | None => parent.to_path_buf(),
        Some(stem) => parent.join(stem),
    }
}

/// A file in the set's directory that defines a migration but is not compiled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndeclaredFile {
    /// The file, as found from the current directory.
    pub path: PathBuf,
    /// The module name its `mod` line would declare.
    pub module: String,
    /// The file that should declare it.
    pub set_file: PathBuf,
}

impl UndeclaredFile {
    /// What is wrong and what to do, in one line.
    pub fn message(&self) -> String {
        format!(
            "`{}` defines a migration, but no `mod {};` line in `{}` declares it: it is not compiled, so no command sees it; add the line (or delete the file)",
            self.path.display(),
            self.module,
            self.set_file.display()
        )
    }
}

/// The migration files beside `set_file` (the set's file as found on disk) that neither a `mod`
/// line of `set_file` declares nor `registry` was compiled from. A file counts as a migration
/// file when a line of it starts with a `#[migration ...]` attribute.
pub fn undeclared_files(
    set: &MigrationSet,
    set_file: &Path,
    registry: &Registry,
) -> Vec<UndeclaredFile> {
    let dir = module_dir(set_file);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let declared = fs::read_to_string(set_file)
        .map(|text| declared_modules(&text))
        .unwrap_or_default();
    // The files the binary's migrations come from, relative to the set's directory as compiled.
    let compiled_dir = module_dir(Path::new(set.source_file()));
    let compiled: Vec<PathBuf> = registry
        .iter()
        .filter_map(|m| {
            Path::new(m.location().file)
                .strip_prefix(&compiled_dir)
                .ok()
                .map(Path::to_path_buf)
        })
        .collect();
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let (module, relative, file) = if let Some(stem) = name.strip_suffix(".rs") {
            (stem.to_owned(), PathBuf::from(&name), path.clone())
        } else if path.is_dir() {
            let file = path.join("mod.rs");
            (name.clone(), Path::new(&name).join("mod.rs"), file)
        } else {
            continue;
        };
        if path == set_file
            || matches!(module.as_str(), "mod" | "lib" | "main")
            || declared.contains(&module)
            || compiled.contains(&relative)
        {
            continue;
        }
        if fs::read_to_string(&file).is_ok_and(|text| defines_migration(&text)) {
            found.push(UndeclaredFile {
                path: file,
                module,
                set_file: set_file.to_path_buf(),
            });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// The names declared by `mod NAME;` lines (with any visibility and attributes before them).
fn declared_modules(text: &str) -> Vec<String> {
    static MOD_LINE: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(clippy::unwrap_used)] // A constant pattern.
        Regex::new(r"(?m)^\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?mod\s+(?:r#)?([A-Za-z_][A-Za-z0-9_]*)\s*[;{]").unwrap()
    });
    MOD_LINE
        .captures_iter(text)
        .map(|c| c[1].to_owned())
        .collect()
}

/// Whether a line starts with `#[migration(...)]` (or `#[migrate_core::migration(...)]`).
fn defines_migration(text: &str) -> bool {
    static ATTRIBUTE: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(clippy::unwrap_used)] // A constant pattern.
        Regex::new(r"(?m)^\s*#\[\s*(?:::)?(?:[A-Za-z_][A-Za-z0-9_]*\s*::\s*)*migration\s*[(\]]")
            .unwrap()
    });
    ATTRIBUTE.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mod_lines() {
        let text = "//! doc\nmod m0001_a;\npub mod m0002_b;\n#[cfg(test)] pub(crate) mod m0003_c;\n// mod m0004_d;\nmod inline { }\n";
        assert_eq!(
            declared_modules(text),
            ["m0001_a", "m0002_b", "m0003_c", "inline"]
        );
    }

    #[test]
    fn migration_attributes() {
        assert!(defines_migration(
            "use x;\n#[migration(id = 4, reversible)]\nfn a() {}"
        ));
        assert!(defines_migration("  #[migrate_core::migration(id = 4)]"));
        assert!(!defines_migration(
            "// #[migration(id = 4)]\nfn helper() {}"
        ));
        assert!(!defines_migration("#[migration_helper]\nfn x() {}"));
    }
}
