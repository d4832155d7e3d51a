//! The switch, on every database: the application as it was (Diesel's migrations at startup)
//! migrates a database, then the switched application starts on it: Diesel's history is
//! adopted, nothing runs twice, the new Rust migration runs, and the typed schema works.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use migrate_tests::{TestDb, test_each_dialect};
use std::process::Command;

fn run(binary: &str, db: &TestDb, args: &[&str]) -> (i32, String) {
    let output = Command::new(binary)
        // Away from the example's diesel.toml: schema.rs generation has its own test.
        .current_dir(std::env::temp_dir())
        .env("DATABASE_URL", db.url())
        .env_remove("RUST_LOG")
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

const BEFORE: &str = env!("CARGO_BIN_EXE_blog-diesel");
const AFTER: &str = env!("CARGO_BIN_EXE_blog");
const MIGRATE: &str = env!("CARGO_BIN_EXE_blog-migrate");

test_each_dialect! {
    fn from_diesel_to_migrate(db: &TestDb) {
        let (code, text) = run(BEFORE, db, &[]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("diesel applied 3 migration(s)"), "{text}");
        assert!(text.contains("1 posts"), "{text}");

        let (code, text) = run(AFTER, db, &[]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("recorded the migrations Diesel had applied"), "{text}");
        assert!(text.contains("applied 1 migration(s) at startup"), "{text}");
        assert!(text.contains("20250301090000 add_posts_title_length"), "{text}");
        assert!(text.contains("2 posts"), "{text}");
        assert_eq!(
            db.count("SELECT COUNT(*) AS n FROM posts WHERE title_length = 6"),
            2,
            "the Rust migration filled the old post's title length"
        );
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM __diesel_schema_migrations"), 3);

        let (code, text) = run(AFTER, db, &[]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("applied 0 migration(s) at startup"), "{text}");

        let (code, text) = run(MIGRATE, db, &["status"]);
        assert_eq!(code, 0, "{text}");
        assert_eq!(text.matches("applied").count(), 4, "{text}");
    }
}

test_each_dialect! {
    fn the_command_adopts_too(db: &TestDb) {
        run(BEFORE, db, &[]);
        let (code, text) = run(MIGRATE, db, &["adopt-diesel"]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("adopted 3 migrations that Diesel had applied"), "{text}");
        let (code, text) = run(MIGRATE, db, &["up"]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("applied 1 migration"), "{text}");
        // `down` reverts the Rust migration, then the newest SQL one with its down.sql.
        let (code, text) = run(MIGRATE, db, &["down", "--steps", "2"]);
        assert_eq!(code, 0, "{text}");
        assert!(!db.columns("posts").contains(&"views".to_owned()), "{:?}", db.columns("posts"));
    }
}
