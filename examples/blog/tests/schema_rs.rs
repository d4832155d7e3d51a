//! schema.rs kept in step: with `[print_schema] file` in diesel.toml, `up` and `down` rewrite it
//! from the migrated database as `diesel migration run` does, and `check --schema` fails when it
//! differs. The expected files are compiled here (PostgreSQL, MySQL) and by the crate
//! (`src/schema.rs` is what the generator writes for SQLite, and the application queries through
//! it), so a generated file that Diesel cannot compile fails the build.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use diesel::prelude::*;
use migrate_core::Dialect;
use migrate_tests::{TestDb, test_each_dialect};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the generator writes for the blog's migrations on PostgreSQL, compiled.
#[allow(missing_docs, dead_code)]
#[path = "schema/postgres.rs"]
mod postgres_schema;

/// What it writes on MySQL/MariaDB, compiled.
#[allow(missing_docs, dead_code)]
#[path = "schema/mysql.rs"]
mod mysql_schema;

const BEFORE: &str = env!("CARGO_BIN_EXE_blog-diesel");
const MIGRATE: &str = env!("CARGO_BIN_EXE_blog-migrate");

/// A directory with a diesel.toml that asks for `schema.rs` in it.
fn project() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "blog-schema-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("diesel.toml"),
        "[print_schema]\nfile = \"schema.rs\"\nfilter = { except_tables = [\"^_migrate\"] }\n",
    )
    .unwrap();
    dir
}

fn run(binary: &str, dir: &Path, db: &TestDb, args: &[&str]) -> (i32, String) {
    let output = Command::new(binary)
        .current_dir(dir)
        .env_remove("DIESEL_CONFIG_FILE")
        .env("DATABASE_URL", db.url())
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

fn expected(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => include_str!("schema/postgres.rs"),
        Dialect::Sqlite => include_str!("../src/schema.rs"),
        Dialect::Mysql => include_str!("schema/mysql.rs"),
    }
}

test_each_dialect! {
    fn up_and_down_rewrite_schema_rs(db: &TestDb) {
        let dir = project();
        let file = dir.join("schema.rs");
        assert_eq!(run(BEFORE, &dir, db, &[]).0, 0);
        let (code, text) = run(MIGRATE, &dir, db, &["up"]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("wrote"), "{text}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), expected(db.dialect()));
        let (code, text) = run(MIGRATE, &dir, db, &["check", "--schema"]);
        assert_eq!(code, 0, "{text}");

        // Reverting the Rust migration drops its column from schema.rs.
        let (code, text) = run(MIGRATE, &dir, db, &["down"]);
        assert_eq!(code, 0, "{text}");
        let after_down = std::fs::read_to_string(&file).unwrap();
        assert!(!after_down.contains("title_length"), "{after_down}");
        let without_title_length: String = expected(db.dialect())
            .lines()
            .filter(|line| !line.contains("title_length"))
            .map(|line| format!("{line}\n"))
            .collect();
        assert_eq!(after_down, without_title_length);
        // A file that differs from the database fails `check --schema`; `redo` rewrites it.
        std::fs::write(&file, expected(db.dialect())).unwrap();
        let (code, text) = run(MIGRATE, &dir, db, &["check", "--schema"]);
        assert_eq!(code, 6, "{text}");
        assert!(text.contains("schema.rs` differs"), "{text}");
        let (code, text) = run(MIGRATE, &dir, db, &["redo"]);
        assert_eq!(code, 0, "{text}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), after_down);
        assert_eq!(run(MIGRATE, &dir, db, &["check", "--schema"]).0, 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Migrates a new database of `dialect` (Diesel, then migrate) and returns it.
fn migrated(dialect: Dialect) -> TestDb {
    let db = TestDb::new(dialect);
    let dir = project();
    assert_eq!(run(BEFORE, &dir, &db, &[]).0, 0);
    assert_eq!(run(MIGRATE, &dir, &db, &["up"]).0, 0);
    let _ = std::fs::remove_dir_all(&dir);
    db
}

/// Each generated file compiles (above) and queries the database it was generated from.
macro_rules! query_with {
    ($schema:ident, $conn:expr) => {{
        use $schema::{authors, posts};
        let rows: Vec<(String, String, i32)> = posts::table
            .inner_join(authors::table)
            .select((posts::title, authors::name, posts::title_length))
            .load($conn)
            .unwrap();
        assert_eq!(rows, [("post 1".to_owned(), "author 1".to_owned(), 6)]);
    }};
}

#[test]
fn the_generated_postgres_schema_queries_the_database() {
    let db = migrated(Dialect::Postgres);
    query_with!(
        postgres_schema,
        &mut PgConnection::establish(db.url()).unwrap()
    );
}

#[test]
fn the_generated_mysql_schema_queries_the_database() {
    let db = migrated(Dialect::Mysql);
    query_with!(
        mysql_schema,
        &mut MysqlConnection::establish(db.url()).unwrap()
    );
}
