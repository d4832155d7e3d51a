//! `migrate new`: ids from the module's files, timestamp ids, and a scaffold whose down
//! migration fails until it is written.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use migrate_core::{Dialect, DownTarget, ErrorKind, Runner};
use migrate_tests::TestDb;
use migrate_tests::fixtures::scaffolded;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A new directory holding an empty `migrations/mod.rs`.
fn project() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "migrate-new-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    std::fs::write(dir.join("migrations/mod.rs"), "").unwrap();
    dir
}

/// Runs `migrate new` of fixture set `set` in `dir`; returns the created file's name.
fn new(dir: &Path, set: &str, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_migrate-fixtures"))
        .env("MIGRATE_FIXTURE", set)
        .env_remove("DATABASE_URL")
        .current_dir(dir)
        .arg("new")
        .args(args)
        .args(["--module-file", "migrations/mod.rs"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let created = stdout.split_whitespace().nth(1).unwrap();
    Path::new(created)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn two_in_a_row_take_two_ids() {
    let dir = project();
    // The basic set has ids 1 to 3; the second `new` sees the first's file, not the binary.
    assert_eq!(new(&dir, "basic", &["add_status"]), "m0004_add_status.rs");
    assert_eq!(new(&dir, "basic", &["add_index"]), "m0005_add_index.rs");
    let module = std::fs::read_to_string(dir.join("migrations/mod.rs")).unwrap();
    assert_eq!(module, "mod m0004_add_status;\nmod m0005_add_index;\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn timestamp_ids_when_the_set_has_them_or_when_asked() {
    let dir = project();
    // The Diesel fixture's ids are timestamps, so the new one is too (now, UTC).
    let created = new(&dir, "diesel_dir", &["add_tags"]);
    let id: u64 = created[1..15].parse().unwrap();
    assert!(migrate_sql::version::is_timestamp_id(id), "{created}");
    assert!(id > 20240401000000, "{created}");
    let dir2 = project();
    let created = new(&dir2, "basic", &["add_tags", "--timestamp"]);
    assert!(
        created[1..15].bytes().all(|b| b.is_ascii_digit()),
        "{created}"
    );
    // Once a timestamp id is in the module, `--sequential` still goes above it.
    let next = new(&dir2, "basic", &["add_more", "--sequential"]);
    let next_id: u64 = next[1..15].parse().unwrap();
    assert_eq!(next_id, created[1..15].parse::<u64>().unwrap() + 1);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&dir2);
}

#[test]
fn the_scaffold_is_the_compiled_fixture_and_its_down_fails_loudly() {
    let dir = project();
    assert_eq!(new(&dir, "basic", &["add_status"]), "m0004_add_status.rs");
    let written = std::fs::read_to_string(dir.join("migrations/m0004_add_status.rs")).unwrap();
    assert_eq!(
        written,
        include_str!("../src/fixtures/scaffolded/m0004_add_status.rs"),
        "the fixture is what `new` writes"
    );
    let _ = std::fs::remove_dir_all(&dir);

    let db = TestDb::new(Dialect::Sqlite);
    let registry = scaffolded::SET.registry().unwrap();
    let mut conn = db.connect();
    Runner::new(&mut conn, &registry).up(None).unwrap();
    let error = Runner::new(&mut conn, &registry)
        .down(DownTarget::Steps(1))
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Migration, "{error}");
    assert!(error.to_string().contains("is not written yet"), "{error}");
    let status = Runner::new(&mut conn, &registry).status().unwrap();
    assert_eq!(
        status[0].state,
        migrate_core::MigrationState::Applied,
        "still applied"
    );
}
