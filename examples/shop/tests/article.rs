//! The reference article's examples 005–010, as migrations 5–10 of the shop, on every database:
//! the data after `up`, and the data restored by `down --to 4`.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use assert_cmd::Command;
use migrate_core::Dialect;
use migrate_tests::{TestDb, test_each_dialect};

/// Full names covering what a naive split gets wrong.
const NAMES: [&str; 12] = [
    "Mary Ann Smith",
    "Cher",
    " Leading",
    "Trailing ",
    "Double  Space",
    "",
    "O'Brien Jr",
    "Zoë Ñúñez",
    "日本 語",
    "a b c d",
    "back\\slash \"quoted\"",
    "tab\tseparated",
];

fn migrate(db: &TestDb, args: &[&str]) -> String {
    let output = Command::cargo_bin("migrate")
        .unwrap()
        .arg("--database-url")
        .arg(db.url())
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "migrate {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn text(db: &TestDb) -> &'static str {
    match db.dialect() {
        Dialect::Mysql => "CHAR",
        _ => "TEXT",
    }
}

fn seed(db: &TestDb) {
    for (i, name) in NAMES.iter().enumerate() {
        let id = i + 1;
        let age = [10, 17, 18, 64, 65, 90][i % 6];
        let year = 2019 + i % 5;
        let escaped = name.replace('\'', "''");
        let escaped = if db.dialect() == Dialect::Mysql {
            escaped.replace('\\', "\\\\")
        } else {
            escaped
        };
        db.execute(&format!(
            "INSERT INTO users (id, full_name, age, created_at, posts_count, comments_count, followers_count) \
             VALUES ({id}, '{escaped}', {age}, '{year}-03-0{} 12:00:00', {id}, {}, {})",
            1 + i % 9,
            id * 2,
            id % 3
        ));
    }
    db.execute(
        "INSERT INTO customers (id, name) VALUES (1, 'Ada'), (2, 'Grace Hopper'), (3, 'Zoë')",
    );
    for id in 1..=9 {
        db.execute(&format!(
            "INSERT INTO orders (id, customer_id, total_cents, created_at) VALUES ({id}, {}, {}, '2024-01-01 00:00:00')",
            1 + id % 3,
            id * 100
        ));
    }
}

fn column(db: &TestDb, sql: &str) -> Vec<Option<String>> {
    db.texts(sql)
}

fn some(values: &[&str]) -> Vec<Option<String>> {
    values.iter().map(|v| Some((*v).to_owned())).collect()
}

test_each_dialect! {
    fn article_examples_round_trip(db: &TestDb) {
        migrate(db, &["up", "--to", "4"]);
        seed(db);
        let output = migrate(db, &["up"]);
        assert!(output.contains("applied 6 migrations"), "{output}");
        assert!(output.contains("split `users.full_name` in 12 rows"), "{output}");

        // 005: split at the first space; the rest, and single names, survive whole.
        assert!(!db.columns("users").contains(&"full_name".to_owned()));
        let first = column(db, "SELECT first_name AS v FROM users ORDER BY id");
        let last = column(db, "SELECT last_name AS v FROM users ORDER BY id");
        assert_eq!(first[0].as_deref(), Some("Mary"));
        assert_eq!(last[0].as_deref(), Some("Ann Smith"));
        assert_eq!((first[1].as_deref(), last[1].as_deref()), (Some("Cher"), None));
        assert_eq!((first[2].as_deref(), last[2].as_deref()), (Some(""), Some("Leading")));
        assert_eq!((first[3].as_deref(), last[3].as_deref()), (Some("Trailing"), Some("")));
        assert_eq!((first[4].as_deref(), last[4].as_deref()), (Some("Double"), Some(" Space")));
        assert_eq!((first[5].as_deref(), last[5].as_deref()), (Some(""), None));
        assert_eq!((first[8].as_deref(), last[8].as_deref()), (Some("日本"), Some("語")));
        assert_eq!((first[11].as_deref(), last[11].as_deref()), (Some("tab\tseparated"), None));

        // 006: the year of created_at.
        let t = text(db);
        let years = column(db, &format!("SELECT CAST(created_year AS {t}) AS v FROM users ORDER BY id"));
        let expected: Vec<String> = (0..NAMES.len()).map(|i| (2019 + i % 5).to_string()).collect();
        assert_eq!(years, expected.iter().map(|y| Some(y.clone())).collect::<Vec<_>>());

        // 007: the customer's name on each order.
        let names = column(db, "SELECT customer_name AS v FROM orders ORDER BY id");
        assert_eq!(names, some(&["Grace Hopper", "Zoë", "Ada", "Grace Hopper", "Zoë", "Ada", "Grace Hopper", "Zoë", "Ada"]));

        // 008: age groups at the boundaries 18 and 65.
        let groups = column(db, "SELECT age_group AS v FROM users WHERE id <= 6 ORDER BY id");
        assert_eq!(groups, some(&["minor", "minor", "adult", "adult", "senior", "senior"]));

        // 009: the score computed in Rust.
        let scores = column(db, &format!("SELECT CAST(CAST(score AS INTEGER) AS {t}) AS v FROM users ORDER BY id")
            .replace("AS INTEGER", if db.dialect() == Dialect::Mysql { "AS SIGNED" } else { "AS INTEGER" }));
        let expected: Vec<Option<String>> = (1..=NAMES.len())
            .map(|id| Some((id * 10 + id * 2 * 5 + (id % 3) * 20).to_string()))
            .collect();
        assert_eq!(scores, expected);

        // 010: every order processed.
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM orders WHERE status = 'processed'"), 9);

        // Down to 4 restores the base schema and every full name, byte for byte.
        let output = migrate(db, &["down", "--to", "4"]);
        assert!(output.contains("reverted 6 migrations"), "{output}");
        let mut users = db.columns("users");
        users.sort();
        let mut base = ["id", "full_name", "age", "created_at", "posts_count", "comments_count", "followers_count"].map(String::from).to_vec();
        base.sort();
        assert_eq!(users, base);
        assert_eq!(db.columns("orders"), ["id", "customer_id", "total_cents", "created_at"]);
        let restored = column(db, "SELECT full_name AS v FROM users ORDER BY id");
        assert_eq!(restored, some(&NAMES));
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM orders"), 9);

        // And up again gives the same result.
        migrate(db, &["up"]);
        assert_eq!(column(db, "SELECT last_name AS v FROM users ORDER BY id"), last);
    }
}

test_each_dialect! {
    fn a_split_that_cannot_hold_a_row_changes_nothing(db: &TestDb) {
        migrate(db, &["up", "--to", "4"]);
        seed(db);
        // A first name longer than first_name's 50 characters.
        let long = "X".repeat(60);
        db.execute(&format!(
            "INSERT INTO users (id, full_name, age, created_at, posts_count, comments_count, followers_count) \
             VALUES (100, '{long} Y', 30, '2020-01-01 00:00:00', 0, 0, 0)"
        ));
        let output = Command::cargo_bin("migrate")
            .unwrap()
            .arg("--database-url")
            .arg(db.url())
            .arg("up")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(9), "a data check failure: {}", String::from_utf8_lossy(&output.stderr));
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(err.contains("in 1 row the part for `first_name` is longer than its 50 characters (id 100)"), "{err}");
        assert!(err.contains("hint: nothing was changed; make `first_name` longer"), "{err}");
        // Nothing of migration 5 happened, on MySQL too: the check ran before any change.
        assert!(db.columns("users").contains(&"full_name".to_owned()));
        assert!(!db.columns("users").contains(&"first_name".to_owned()));
    }
}
