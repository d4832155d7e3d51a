//! A migration file whose `mod` line is missing is not compiled: every command names it (`check`
//! as a problem, with a non-zero exit), `migrate new` gives an id above it, and nothing else
//! changes. Run in temporary copies of the scaffolded fixture set's directory, found from the
//! current directory as `file!()` gives it.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use migrate_tests::{TestDb, test_each_dialect};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where the scaffolded set's `mod.rs` lies, relative to the workspace root.
const SET_DIR: &str = "tests/src/fixtures/scaffolded";

/// A new directory holding a copy of the scaffolded set's files at `SET_DIR`.
fn copy_of_the_set(what: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!(
        "migrate-undeclared-{what}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/fixtures/scaffolded");
    let target = root.join(SET_DIR);
    std::fs::create_dir_all(&target).unwrap();
    for file in ["mod.rs", "m0004_add_status.rs"] {
        std::fs::copy(source.join(file), target.join(file)).unwrap();
    }
    root
}

/// Adds what a forgotten `mod` line leaves behind: a migration file, a migration in a directory
/// module, and a helper file without migrations (which is not one).
fn add_undeclared_files(root: &Path) {
    let dir = root.join(SET_DIR);
    std::fs::write(
        dir.join("m0005_create_stray.rs"),
        "use migrate_core::prelude::*;\n\n#[migration(id = 5, irreversible)]\nfn create_stray(m: &mut Migration) -> Result<()> {\n    m.execute(\"CREATE TABLE stray (id INTEGER PRIMARY KEY)\")?;\n    Ok(())\n}\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("m0006_in_a_directory")).unwrap();
    std::fs::write(
        dir.join("m0006_in_a_directory/mod.rs"),
        "use migrate_core::prelude::*;\n\n#[migrate_core::migration(id = 6, irreversible)]\nfn in_a_directory(m: &mut Migration) -> Result<()> {\n    m.execute(\"CREATE TABLE stray_too (id INTEGER PRIMARY KEY)\")?;\n    Ok(())\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("helpers.rs"),
        "//! Shared by migrations, not one: a #[migration(...)] in a comment does not count.\npub fn batch() -> u64 { 1000 }\n",
    )
    .unwrap();
}

fn migrate(root: &Path, db: &TestDb, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_migrate-fixtures"))
        .env("MIGRATE_FIXTURE", "scaffolded")
        .env("NO_COLOR", "1")
        .env_remove("DATABASE_URL")
        .current_dir(root)
        .arg("--database-url")
        .arg(db.url())
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn warning_for(file: &str, module: &str) -> String {
    format!(
        "`{SET_DIR}/{file}` defines a migration, but no `mod {module};` line in `{SET_DIR}/mod.rs` declares it"
    )
}

/// Asserts that `output` names both undeclared files (in `stream`) and not the helper.
fn names_both(what: &str, stream: &str) {
    for (file, module) in [
        ("m0005_create_stray.rs", "m0005_create_stray"),
        ("m0006_in_a_directory/mod.rs", "m0006_in_a_directory"),
    ] {
        assert!(
            stream.contains(&warning_for(file, module)),
            "{what} does not name {file}:\n{stream}"
        );
    }
    assert!(
        !stream.contains("helpers"),
        "{what} names the helper file:\n{stream}"
    );
}

test_each_dialect! {
    fn every_command_names_a_file_without_its_mod_line(db: &TestDb) {
        drop(db.connect()); // Creates the SQLite file, which only `up` would.
        let clean = copy_of_the_set("clean");
        let stray = copy_of_the_set("stray");
        add_undeclared_files(&stray);

        // status: the same table as without the files, and a warning naming each of them.
        let status = migrate(&stray, db, &["status"]);
        let clean_status = migrate(&clean, db, &["status"]);
        assert!(status.status.success(), "{}", text(&status.stderr));
        assert_eq!(text(&status.stdout), text(&clean_status.stdout));
        assert_eq!(text(&clean_status.stderr), "", "a false warning");
        names_both("status", &text(&status.stderr));
        assert!(text(&status.stderr).starts_with("warning: "));

        // check: a problem, so CI fails (exit 6, needs attention); also in --json.
        let check = migrate(&stray, db, &["check"]);
        assert_eq!(check.status.code(), Some(6), "{}", text(&check.stdout));
        names_both("check", &text(&check.stdout));
        assert!(!text(&check.stdout).contains("nothing needs attention"));
        let clean_check = migrate(&clean, db, &["check"]);
        assert!(clean_check.status.success(), "{}", text(&clean_check.stdout));
        let json = migrate(&stray, db, &["check", "--json"]);
        let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(json["ok"], false);
        assert_eq!(json["problems"].as_array().unwrap().len(), 2, "{json}");

        // up: warns, applies what is compiled (4) and nothing of the undeclared files.
        let up = migrate(&stray, db, &["up"]);
        assert!(up.status.success(), "{}", text(&up.stderr));
        names_both("up", &text(&up.stderr));
        assert!(!db.has_table("stray") && !db.has_table("stray_too"));
        let applied = migrate(&clean, db, &["history"]);
        assert!(text(&applied.stdout).contains("add_status"), "{}", text(&applied.stdout));
        assert_eq!(text(&migrate(&stray, db, &["status"]).stdout), text(&migrate(&clean, db, &["status"]).stdout));

        // new: an id above the undeclared files' (not one of theirs), with the warning.
        let new = migrate(&stray, db, &["new", "add_index"]);
        assert!(new.status.success(), "{}", text(&new.stderr));
        names_both("new", &text(&new.stderr));
        assert!(text(&new.stdout).contains("m0007_add_index.rs (migration 7)"), "{}", text(&new.stdout));
        // The new file is declared (though not built yet): no warning for it.
        let after = migrate(&stray, db, &["status"]);
        assert!(!text(&after.stderr).contains("m0007"), "{}", text(&after.stderr));
        names_both("status after new", &text(&after.stderr));

        std::fs::remove_dir_all(&clean).unwrap();
        std::fs::remove_dir_all(&stray).unwrap();
    }
}
