//! Migrations that run online (`transaction = false`) on every database: the helpers give the
//! same values and the same schema as in one transaction, on text, composite and integer keys;
//! PostgreSQL adds constraints NOT VALID then VALIDATE and builds unique indexes CONCURRENTLY;
//! MySQL/MariaDB are asked for INSTANT/INPLACE changes; and an online split killed at a random
//! point resumes to the right values.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod helpers_support;

use helpers_support::*;
use migrate_core::{Dialect, MigrationState};
use migrate_tests::fixtures::online::twins;
use migrate_tests::{TestDb, test_each_dialect};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// Seeds the same rows into the `atomic_*` and `online_*` twins: unicode, quotes, NULLs,
/// single names, missing customers.
fn seed_twins(db: &TestDb) {
    let people: [(&str, &str, Option<i32>, Option<i32>); 10] = [
        ("p-01", "Mary Ann Smith", Some(34), Some(1)),
        ("p-02", "Cher", Some(70), Some(2)),
        ("Ü-03", "Zoë Ünal", None, None),
        ("a", "O'Brien Jr", Some(12), Some(3)),
        ("B", " Leading", Some(17), Some(1)),
        ("p-10", "Trailing ", Some(65), None),
        ("p-2", "", None, Some(2)),
        ("日本", "山田 太郎", Some(40), Some(3)),
        ("z z", "say \"hi\" there", Some(0), Some(1)),
        ("p-99", "back\\slash x", Some(64), Some(2)),
    ];
    for p in ["atomic", "online"] {
        for (id, name) in [(1, Some("Ada")), (2, Some("Bé")), (3, None)] {
            db.execute(&format!(
                "INSERT INTO {p}_customers (id, name) VALUES ({id}, {})",
                literal(db, name)
            ));
        }
        for (code, name, age, customer) in people {
            let number = |v: Option<i32>| v.map_or("NULL".to_owned(), |v| v.to_string());
            db.execute(&format!(
                "INSERT INTO {p}_people (code, full_name, age, customer_id) VALUES ({}, {}, {}, {})",
                literal(db, Some(code)),
                literal(db, Some(name)),
                number(age),
                number(customer)
            ));
        }
        for order in 1..=6 {
            for line in 1..=5 {
                let qty = if (order + line) % 4 == 0 {
                    "NULL".to_owned()
                } else {
                    (order * line).to_string()
                };
                db.execute(&format!(
                    "INSERT INTO {p}_lines (order_id, line, qty) VALUES ({order}, {line}, {qty})"
                ));
            }
        }
    }
}

/// Every value of `table`, column by column in name order, rows in key order.
fn values(db: &TestDb, table: &str, key: &str) -> Vec<(String, Vec<Option<String>>)> {
    let mut columns = db.columns(table);
    columns.sort();
    columns
        .into_iter()
        .map(|c| {
            let values = db.texts(&format!(
                "SELECT {} AS v FROM {table} ORDER BY {key}",
                as_text(db, &c)
            ));
            (c, values)
        })
        .collect()
}

/// The three twin pairs with their keys.
const TWINS: [(&str, &str); 3] = [
    ("customers", "id"),
    ("people", "code"),
    ("lines", "order_id, line"),
];

/// Asserts that each `online_*` table holds the values and schema of its `atomic_*` twin.
fn assert_twins_agree(db: &TestDb, when: &str) {
    for (table, key) in TWINS {
        let atomic = values(db, &format!("atomic_{table}"), key);
        let online = values(db, &format!("online_{table}"), key);
        assert_eq!(atomic, online, "values of `{table}` {when}");
        let atomic: Vec<String> = schema(db, &format!("atomic_{table}"))
            .into_iter()
            .map(|line| line.replace("atomic_", "online_"))
            .collect();
        assert_eq!(
            atomic,
            schema(db, &format!("online_{table}")),
            "schema of `{table}` {when}"
        );
    }
}

test_each_dialect! {
    fn online_helpers_give_the_values_and_schema_of_one_transaction(db: &TestDb) {
        up_to(db, &twins::SET, 1).unwrap();
        seed_twins(db);
        let before = values(db, "online_people", "code");

        up_to(db, &twins::SET, 2).unwrap();
        let (result, run) = up_recorded(db, &twins::SET, 3);
        result.unwrap();
        let notes = run.text();
        for table in ["online_people", "online_lines"] {
            assert!(notes.contains(&format!("fill {table}: ")), "filled in batches: {notes}");
        }
        assert!(notes.contains("split `online_people.full_name` in 10 rows"), "{notes}");
        assert!(notes.contains("updated `online_people.age_group` in 2 rows"), "{notes}");
        assert_twins_agree(db, "after up");

        down_to(db, &twins::SET, 1).unwrap();
        assert_twins_agree(db, "after down");
        assert_eq!(values(db, "online_people", "code"), before, "the derived down restores every value");
        assert_eq!(state(db, &twins::SET, 3), MigrationState::Pending);
    }
}

/// PostgreSQL: the online form's statements hold ACCESS EXCLUSIVE only for an instant, and
/// leave every constraint validated and no helper constraint behind.
#[test]
fn postgres_adds_constraints_not_valid_then_validates() {
    let db = TestDb::new(Dialect::Postgres);
    up_to(&db, &twins::SET, 2).unwrap();
    let dry = run(&db, "online::twins", &["up", "--dry-run"]);
    let script = text(&dry);
    assert!(dry.status.success(), "{script}");
    for expected in [
        "ADD CONSTRAINT \"first_name_not_null\" CHECK (\"first_name\" IS NOT NULL) NOT VALID",
        "VALIDATE CONSTRAINT \"first_name_not_null\"",
        "ALTER COLUMN \"first_name\" SET NOT NULL",
        "DROP CONSTRAINT \"first_name_not_null\"",
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"online_people_first_key\"",
        "ADD CONSTRAINT \"online_people_first_key\" UNIQUE USING INDEX \"online_people_first_key\"",
        "FOREIGN KEY (\"customer_id\") REFERENCES \"online_customers\" (\"id\") NOT VALID",
        "VALIDATE CONSTRAINT \"online_people_customer_fk\"",
        "CHECK ((\"doubled\" >= 0)) NOT VALID",
        "-- in batches by `code`",
        "-- in batches by (`order_id`, `line`)",
    ] {
        assert!(
            script.contains(expected),
            "missing {expected:?} in:\n{script}"
        );
    }
    up_to(&db, &twins::SET, 3).unwrap();
    assert_eq!(
        db.count(
            "SELECT COUNT(*) AS n FROM pg_constraint WHERE conrelid IN \
             ('online_people'::regclass, 'online_lines'::regclass) AND NOT convalidated"
        ),
        0,
        "every constraint validated"
    );
    let index_valid = db.count(
        "SELECT COUNT(*) AS n FROM pg_index WHERE indexrelid = 'online_people_first_key'::regclass AND indisvalid",
    );
    assert_eq!(index_valid, 1);
}

/// PostgreSQL: an index a failed `CREATE INDEX CONCURRENTLY` left invalid is rebuilt, not kept.
#[test]
fn postgres_rebuilds_an_invalid_index_left_by_an_interrupted_build() {
    let db = TestDb::new(Dialect::Postgres);
    up_to(&db, &twins::SET, 1).unwrap();
    seed_twins(&db);
    up_to(&db, &twins::SET, 2).unwrap();
    // A concurrent build that fails on duplicates leaves its index behind, invalid.
    assert!(fails(
        &db,
        "CREATE UNIQUE INDEX CONCURRENTLY online_people_first_key ON online_people (customer_id)"
    ));
    let invalid = "SELECT COUNT(*) AS n FROM pg_index WHERE indexrelid = 'online_people_first_key'::regclass AND NOT indisvalid";
    assert_eq!(db.count(invalid), 1, "the setup leaves an invalid index");
    up_to(&db, &twins::SET, 3).unwrap();
    assert_eq!(
        db.texts("SELECT pg_get_indexdef('online_people_first_key'::regclass) AS v"),
        vec![Some(
            "CREATE UNIQUE INDEX online_people_first_key ON public.online_people USING btree (code, first_name)"
                .to_owned()
        )]
    );
}

/// MySQL/MariaDB: column changes are made INSTANT or INPLACE; the changes the server can only
/// make by copying the table are named in the output.
#[test]
fn mysql_online_changes_say_which_ones_lock() {
    let db = TestDb::new(Dialect::Mysql);
    up_to(&db, &twins::SET, 2).unwrap();
    let (result, run) = up_recorded(&db, &twins::SET, 3);
    result.unwrap();
    let notes = run.text();
    assert!(
        !notes.contains("ADD COLUMN"),
        "columns are added online: {notes}"
    );
    assert!(
        !notes.contains("DROP COLUMN"),
        "columns are dropped online: {notes}"
    );
    assert!(!notes.contains("NOT NULL, ALGORITHM"), "{notes}");
}

fn fixture(db: &TestDb, set: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_migrate-fixtures"));
    cmd.env("MIGRATE_FIXTURE", set)
        .env_remove("DATABASE_URL")
        .arg("--database-url")
        .arg(db.url());
    cmd
}

fn run(db: &TestDb, set: &str, args: &[&str]) -> Output {
    fixture(db, set).args(args).output().unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

const PEOPLE: i64 = 30_000;

/// `people` with `PEOPLE` rows: "First<id> Last<id>", every seventh a single name "Solo<id>".
fn seed_people(db: &TestDb) {
    let output = run(db, "online::split", &["up", "--to", "1"]);
    assert!(output.status.success(), "{}", text(&output));
    let name = |n: &str, concat: &dyn Fn(&[&str]) -> String| {
        format!(
            "CASE WHEN {n} % 7 = 0 THEN {} ELSE {} END",
            concat(&["'Solo'", n]),
            concat(&["'First'", n, "' Last'", n])
        )
    };
    let sql = match db.dialect() {
        Dialect::Postgres => format!(
            "INSERT INTO people (id, full_name) SELECT g, {} FROM generate_series(1, {PEOPLE}) g",
            name("g", &|p| p.join(" || "))
        ),
        Dialect::Mysql => format!(
            "INSERT INTO people (id, full_name) SELECT seq, {} FROM seq_1_to_{PEOPLE}",
            name("seq", &|p| format!("CONCAT({})", p.join(", ")))
        ),
        Dialect::Sqlite => format!(
            "WITH RECURSIVE s (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {PEOPLE}) \
             INSERT INTO people (id, full_name) SELECT n, {} FROM s",
            name("n", &|p| p.join(" || "))
        ),
    };
    db.execute(&sql);
}

/// A pseudo-random number of milliseconds in `0..below`, different per run.
fn jitter(below: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    u64::from(nanos) % below
}

test_each_dialect! {
    fn an_online_split_killed_at_random_points_resumes_to_the_right_values(db: &TestDb) {
        seed_people(db);
        // How long an undisturbed run takes, on a copy of the work: the kills land anywhere in it.
        let started = std::time::Instant::now();
        let output = run(db, "online::split", &["up"]);
        assert!(output.status.success(), "{}", text(&output));
        let whole = started.elapsed().as_millis() as u64;
        let output = run(db, "online::split", &["down", "--to", "1"]);
        assert!(output.status.success(), "{}", text(&output));

        // Each attempt starts the split afresh and kills it at a random point; an attempt that
        // finished before its kill is reverted and tried again.
        let split = &migrate_tests::fixtures::online::split::SET;
        let mut interrupted = 0;
        for _ in 0..8 {
            if state(db, split, 2) == MigrationState::Applied {
                let output = run(db, "online::split", &["down", "--to", "1"]);
                assert!(output.status.success(), "{}", text(&output));
            }
            let mut child = fixture(db, "online::split")
                .arg("up")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(jitter(whole.max(50))));
            child.kill().unwrap();
            child.wait().unwrap();
            if state(db, split, 2) == MigrationState::Applied {
                continue;
            }
            interrupted += 1;
            let output = run(db, "online::split", &["up"]);
            assert!(output.status.success(), "{}", text(&output));
            assert_split_right(db);
            if interrupted == 2 {
                break;
            }
        }
        assert!(interrupted > 0, "no kill landed before the split finished (an undisturbed run took {whole} ms)");
    }
}

/// Every row of `people` split right, none lost.
fn assert_split_right(db: &TestDb) {
    assert_eq!(
        db.count("SELECT COUNT(*) AS n FROM people"),
        PEOPLE,
        "no row lost"
    );
    let wrong = db.count(&format!(
        "SELECT COUNT(*) AS n FROM people WHERE NOT ( \
           (id % 7 = 0 AND {} AND last_name IS NULL) OR (id % 7 <> 0 AND {} AND {}))",
        same(
            db,
            "first_name",
            &concat(db, &["'Solo'", &as_text(db, "id")])
        ),
        same(
            db,
            "first_name",
            &concat(db, &["'First'", &as_text(db, "id")])
        ),
        same(
            db,
            "last_name",
            &concat(db, &["'Last'", &as_text(db, "id")])
        ),
    ));
    assert_eq!(wrong, 0, "every row split right");
    assert!(!db.columns("people").contains(&"full_name".to_owned()));
}

/// `a = b`, byte for byte.
fn same(db: &TestDb, a: &str, b: &str) -> String {
    match db.dialect() {
        Dialect::Mysql => format!("BINARY {a} = BINARY {b}"),
        Dialect::Postgres | Dialect::Sqlite => format!("{a} = {b}"),
    }
}

fn concat(db: &TestDb, parts: &[&str]) -> String {
    match db.dialect() {
        Dialect::Mysql => format!("CONCAT({})", parts.join(", ")),
        Dialect::Postgres | Dialect::Sqlite => format!("({})", parts.join(" || ")),
    }
}

/// The `K batches, X s` of a batched step's summary line that starts with `label`.
fn batches_and_seconds(output: &str, label: &str) -> (u64, f64) {
    let line = output
        .lines()
        .find_map(|line| line.split_once(label).map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("no `{label}` summary in: {output}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let after = |word: &str| {
        words
            .iter()
            .position(|w| w.trim_end_matches(',') == word)
            .map(|i| words[i - 1])
            .unwrap_or_else(|| panic!("no `{word}` in: {line}"))
    };
    (
        after("batches").parse().unwrap(),
        after("s").parse().unwrap(),
    )
}

test_each_dialect! {
    fn batch_pause_rests_after_each_batch_of_an_online_fill(db: &TestDb) {
        seed_people(db);
        let output = run(db, "online::split", &["up", "--batch-pause", "25"]);
        let out = text(&output);
        assert!(output.status.success(), "{out}");
        assert!(out.contains("resting 25 ms after each"), "the summary says the pause: {out}");
        let (batches, seconds) = batches_and_seconds(&out, "fill people: ");
        assert!(batches > 1, "{out}");
        assert!(
            seconds >= batches as f64 * 0.025,
            "{batches} batches with a 25 ms rest after each took only {seconds} s: {out}"
        );
        assert_split_right(db);

        let output = run(db, "online::split", &["down", "--to", "1", "--batch-pause", "0"]);
        let out = text(&output);
        assert!(output.status.success(), "{out}");
        assert!(!out.contains("resting"), "no pause with --batch-pause 0: {out}");
    }
}

test_each_dialect! {
    fn a_commit_slower_than_max_commit_time_makes_an_online_fill_back_off(db: &TestDb) {
        seed_people(db);
        // Each commit waits for a log (or journal) flush to disk: with 1 ms batches, hundreds
        // of them, and a limit of 1 ms, some commit is over it on any disk that really flushes.
        // PostgreSQL's one small WAL flush can take less than 1 ms on a disk with a write cache:
        // there a deferred constraint trigger makes each commit that updated `people` sleep
        // 3 ms first (once per transaction), so that the test does not depend on the disk.
        if db.dialect() == Dialect::Postgres {
            db.execute(
                "CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                   IF current_setting('test.slept', true) IS DISTINCT FROM 'yes' THEN \
                     PERFORM pg_sleep(0.003); PERFORM set_config('test.slept', 'yes', true); \
                   END IF; RETURN NULL; END $$; \
                 CREATE CONSTRAINT TRIGGER slow_commit AFTER UPDATE ON people \
                   DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()",
            );
        }
        let output = run(
            db,
            "online::split",
            &["up", "--batch-time", "1", "--max-commit-time", "1"],
        );
        let out = text(&output);
        assert!(output.status.success(), "{out}");
        let line = out
            .lines()
            .find(|l| l.contains("fill people: "))
            .unwrap_or_else(|| panic!("no summary of the fill in: {out}"));
        assert!(
            line.contains("commit(s) over 1 ms") && line.contains("backed off"),
            "the summary says the back-off: {line}"
        );
        assert_split_right(db);

        let output = run(
            db,
            "online::split",
            &["down", "--to", "1", "--batch-time", "1", "--max-commit-time", "0"],
        );
        let out = text(&output);
        assert!(output.status.success(), "{out}");
        assert!(!out.contains("backed off"), "no back-off with --max-commit-time 0: {out}");
    }
}
