//! `backfill!` and `transform_rows!` on every database: several batches by key, filters,
//! resuming after the last committed batch without touching a row twice, and typed values
//! (NULLs, quotes, non-ASCII, floats) written back exactly.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod helpers_support;

use diesel::sql_types::{Double, Nullable};
use diesel::{QueryableByName, RunQueryDsl};
use helpers_support::*;
use migrate_core::Resolution;
use migrate_core::{AnyConnection, MigrationId, MigrationState, Runner};
use migrate_tests::fixtures::helpers_batched::{backfill, poisoned, transform};
use migrate_tests::{TestDb, test_each_dialect};

/// Twenty keys with gaps, as a real table has after deletes.
const KEYS: [i64; 20] = [
    1, 2, 3, 4, 5, 7, 9, 10, 11, 14, 15, 16, 20, 21, 22, 30, 31, 40, 41, 50,
];

/// Seeds `counters` with [`KEYS`]; every third row is of kind `a`, one has no kind.
fn seed_counters(db: &TestDb) {
    let rows: Vec<String> = KEYS
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let kind = match i % 3 {
                _ if *key == 30 => "NULL",
                0 => "'a'",
                1 => "'b'",
                _ => "'A'",
            };
            format!("({key}, 0, {kind})")
        })
        .collect();
    db.execute(&format!(
        "INSERT INTO counters (id, hits, kind) VALUES {}",
        rows.join(", ")
    ));
}

/// `hits` of every row, by key.
fn hits(db: &TestDb) -> Vec<(i64, i64)> {
    let values = column(db, "counters", "hits");
    KEYS.iter()
        .zip(values)
        .map(|(key, hits)| (*key, hits.and_then(|h| h.parse().ok()).unwrap_or(-1)))
        .collect()
}

test_each_dialect! {
    fn backfill_walks_the_keys_in_batches_and_touches_each_row_once(db: &TestDb) {
        up_to(db, &backfill::SET, 1).unwrap();
        seed_counters(db);

        let (result, run) = up_recorded(db, &backfill::SET, 2);
        result.unwrap();
        assert!(hits(db).iter().all(|(_, hits)| *hits == 1), "{:?}", hits(db));
        assert_eq!(run.batches(), 7, "20 rows, 3 per batch");
        let last = run.progress.last().expect("progress was reported");
        assert_eq!((last.done, last.total, last.finished), (20, Some(20), true));
        let notes = run.text();
        assert!(notes.contains("backfill counters.hits: 20 rows in 7 batches"), "{notes}");
    }
}

test_each_dialect! {
    fn backfill_sets_only_the_rows_its_filter_selects(db: &TestDb) {
        up_to(db, &backfill::SET, 1).unwrap();
        seed_counters(db);

        let (result, run) = up_recorded(db, &backfill::SET, 3);
        result.unwrap();
        let statuses = column(db, "counters", "status");
        let kinds = column(db, "counters", "kind");
        for ((key, status), kind) in KEYS.iter().zip(&statuses).zip(&kinds) {
            // Exactly "a": not "A" (on MySQL's case-insensitive collation too), not NULL.
            let expected = (kind.as_deref() == Some("a")).then(|| "done".to_owned());
            assert_eq!(status, &expected, "row {key} of kind {kind:?}");
        }
        let done = statuses.iter().flatten().count() as u64;
        assert_eq!(done, 6);
        // Batches are counted by key, the filter only selects within them: 20 keys, 4 a batch.
        let last = run.progress.last().expect("progress was reported");
        assert_eq!((last.done, last.total, last.batches), (done, Some(done), 5));
    }
}

test_each_dialect! {
    fn backfill_resumes_after_the_recorded_key_without_touching_rows_before_it(db: &TestDb) {
        up_to(db, &backfill::SET, 1).unwrap();
        seed_counters(db);
        // What a run killed after committing its batch ending at key 10 leaves behind.
        // The checksum is the code's: the attempt ran this code. The key is in the column
        // versions before `resume_at` wrote, which a resumed run still reads.
        let registry = backfill::SET.registry().unwrap();
        let checksum = registry.get(MigrationId(2)).unwrap().checksum();
        db.execute(&format!(
            "INSERT INTO _migrate_history (id, name, checksum, state, operation, applied_at, steps_done, resume_key) \
             VALUES (2, 'count_hits', '{checksum}', 'running', 'up', '2026-01-01 00:00:00', 0, 10)"
        ));
        assert_eq!(state(db, &backfill::SET, 2), MigrationState::Interrupted);

        let (result, run) = up_recorded(db, &backfill::SET, 2);
        result.unwrap();
        for (key, hits) in hits(db) {
            assert_eq!(hits, i64::from(key > 10), "row {key}");
        }
        let notes = run.text();
        assert!(notes.contains("resuming after key 10"), "{notes}");
        assert!(notes.contains("12 rows in 4 batches"), "{notes}");
        assert_eq!(state(db, &backfill::SET, 2), MigrationState::Applied);
    }
}

/// `tally` of every row of `tallies`, by id.
fn tallies(db: &TestDb) -> Vec<Option<String>> {
    column(db, "tallies", "tally")
}

test_each_dialect! {
    fn transform_rows_that_panics_is_retried_after_its_last_committed_batch(db: &TestDb) {
        up_to(db, &poisoned::SET, 1).unwrap();
        let rows: Vec<String> = (1..=10)
            .map(|id| format!("({id}, 0, {})", if id == 8 { "1" } else { "NULL" }))
            .collect();
        db.execute(&format!("INSERT INTO tallies (id, tally, poisoned) VALUES {}", rows.join(", ")));

        let err = up_to(db, &poisoned::SET, 2).unwrap_err();
        assert!(err.to_string().contains("row is poisoned"), "{err}");
        // Batches 1-3 and 4-6 committed; 7-9 panicked and was rolled back.
        assert_eq!(tallies(db), some(&["1", "1", "1", "1", "1", "1", "0", "0", "0", "0"]));
        // The run changed rows: it must be remembered, with where it stopped, not forgotten.
        assert_eq!(state(db, &poisoned::SET, 2), MigrationState::Failed);

        db.execute("UPDATE tallies SET poisoned = NULL");
        let registry = registry(&poisoned::SET);
        let mut conn = db.connect();
        Runner::new(&mut conn, &registry).resolve(MigrationId(2), Resolution::Retry).unwrap();
        assert_eq!(tallies(db), some(&["1"; 10]), "every row processed exactly once");
        assert_eq!(state(db, &poisoned::SET, 2), MigrationState::Applied);
    }
}

/// The values of a DOUBLE column by id, read as `f64` (not through text).
fn doubles(db: &TestDb, column: &str) -> Vec<Option<f64>> {
    #[derive(QueryableByName)]
    struct Value {
        #[diesel(sql_type = Nullable<Double>)]
        v: Option<f64>,
    }
    let sql = format!("SELECT {column} AS v FROM measures ORDER BY id");
    let rows: Vec<Value> = match &mut db.connect() {
        AnyConnection::Postgres(c) => diesel::sql_query(&sql).load(c),
        AnyConnection::Mysql(c) => diesel::sql_query(&sql).load(c),
        AnyConnection::Sqlite(c) => diesel::sql_query(&sql).load(c),
        _ => unreachable!("the tests build every backend"),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.into_iter().map(|r| r.v).collect()
}

/// Bit patterns, so that -0.0 differs from 0.0 and every last bit counts.
fn bits(values: &[Option<f64>]) -> Vec<Option<u64>> {
    values.iter().map(|v| v.map(f64::to_bits)).collect()
}

const MEASURES: i32 = 15;

/// Rows 1..=15 with NULLs in each input, quotes and non-ASCII in labels.
fn seed_measures(db: &TestDb) {
    let labels = [
        Some("plain"),
        None,
        Some("O'Brien \"q\" \\"),
        Some("Zoë 日本 🎉"),
        Some(""),
    ];
    for id in 1..=MEASURES {
        let a = if id % 4 == 0 {
            "NULL".to_owned()
        } else {
            (id * 1000 - 7).to_string()
        };
        let b = if id % 5 == 0 {
            "NULL".to_owned()
        } else {
            format!("{}.25", id * 3)
        };
        let label = literal(db, labels[usize::try_from(id).unwrap() % labels.len()]);
        db.execute(&format!(
            "INSERT INTO measures (id, a, b, label) VALUES ({id}, {a}, {b}, {label})"
        ));
    }
}

test_each_dialect! {
    fn transform_rows_writes_typed_values_back_exactly_in_batches(db: &TestDb) {
        up_to(db, &transform::SET, 1).unwrap();
        seed_measures(db);
        let schema_before = schema(db, "measures");
        let rows_before = rows(db, "measures");
        let inputs = doubles(db, "b");
        let labels = column(db, "measures", "label");

        let (result, run) = up_recorded(db, &transform::SET, 2);
        result.unwrap();
        assert_eq!(run.batches(), 4, "15 rows, 4 per batch");

        // Floats, computed in Rust and read back as floats, are the same bits.
        let ratios: Vec<Option<f64>> = inputs.iter().map(|b| b.map(|b| b / 3.0)).collect();
        assert_eq!(bits(&doubles(db, "ratio")), bits(&ratios));
        let special: Vec<Option<f64>> = (1..=MEASURES)
            .map(|id| Some(transform::SPECIAL_FLOATS[usize::try_from(id).unwrap() % transform::SPECIAL_FLOATS.len()]))
            .collect();
        assert_eq!(bits(&doubles(db, "special")), bits(&special));

        // Text with quotes, backslashes and non-ASCII, NULL inputs handled in Rust.
        let notes: Vec<Option<String>> = (1..=MEASURES)
            .zip(&labels)
            .map(|(id, label)| Some(transform::note(id, label.as_deref())))
            .collect();
        assert_eq!(column(db, "measures", "note"), notes);
        let twice: Vec<Option<String>> = (1..=MEASURES)
            .map(|id| (id % 4 != 0).then(|| (i64::from(id * 1000 - 7) * 2).to_string()))
            .collect();
        assert_eq!(column(db, "measures", "twice"), twice);

        down_to(db, &transform::SET, 1).unwrap();
        assert_eq!(schema(db, "measures"), schema_before);
        assert_eq!(rows(db, "measures"), rows_before);
    }
}
