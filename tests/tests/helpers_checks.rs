//! `count_rows!`, `spot_check!` and `verify!` on every database: what they report in the
//! output, the count `count_rows!` returns, and `verify!` failing with the offending rows.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod helpers_support;

use helpers_support::*;
use migrate_core::MigrationState;
use migrate_tests::fixtures::helpers_checks::{failing_verify, reports};
use migrate_tests::{TestDb, test_each_dialect};

/// Five items: quotes, a backslash, non-ASCII, an empty name, NULLs in each column.
fn seed_items(db: &TestDb) {
    db.execute(&format!(
        "INSERT INTO items (id, name, qty, status) VALUES \
         (1, 'Widget', 10, 'new'), (2, {quoted}, 0, NULL), (3, NULL, 7, 'old'), \
         (4, {zoe}, -2, 'new'), (5, '', NULL, NULL)",
        quoted = literal(db, Some("O'Brien \"x\" \\")),
        zoe = literal(db, Some("Zoë 日本")),
    ));
}

test_each_dialect! {
    fn counts_and_spot_checks_appear_in_the_output(db: &TestDb) {
        up_to(db, &reports::SET, 1).unwrap();
        seed_items(db);

        let (result, run) = up_recorded(db, &reports::SET, 2);
        result.unwrap();
        let expected = [
            "`items` rows: 5",
            "`items` rows where is_null(status): 2",
            "spot check of `items`:",
            "  id=\"1\" name=\"Widget\" qty=\"10\"",
            "  id=\"2\" name=\"O'Brien \"\"x\"\" \\\" qty=\"0\"",
            "  id=\"3\" name=NULL qty=\"7\"",
            "spot check of `items`:",
            "  name=\"Widget\" status=\"new\"",
            "  name=NULL status=\"old\"",
            "verified no item is oversold by more than two: `coalesce(qty, 0) >= - 2` holds on every row of `items`",
        ];
        assert_eq!(run.notes, expected);
    }
}

test_each_dialect! {
    fn count_rows_returns_the_count_to_the_migration(db: &TestDb) {
        up_to(db, &reports::SET, 2).unwrap();
        seed_items(db);

        let err = up_to(db, &reports::SET, 3).unwrap_err();
        assert!(err.to_string().contains("1 items have no quantity"), "{err}");
        db.execute("UPDATE items SET qty = 0 WHERE qty IS NULL");
        let (result, run) = up_recorded(db, &reports::SET, 3);
        result.unwrap();
        assert_eq!(run.notes, ["`items` rows where is_null(qty): 0"]);
    }
}

test_each_dialect! {
    fn verify_fails_naming_the_rows_including_those_where_the_condition_is_null(db: &TestDb) {
        up_to(db, &failing_verify::SET, 1).unwrap();
        seed_items(db);

        let message = data_check_message(up_to(db, &failing_verify::SET, 2));
        assert!(
            message.ends_with(
                "check failed: every item has a positive quantity: `qty > 0` is not true in 3 rows of `items` (ids 2, 4, 5)"
            ),
            "{message}"
        );
        assert_eq!(state(db, &failing_verify::SET, 2), MigrationState::Pending);

        db.execute("UPDATE items SET qty = 1 WHERE qty IS NULL OR qty <= 0");
        up_to(db, &failing_verify::SET, 2).unwrap();
    }
}

/// SQLite keeps whatever bytes were written in a text column: a spot check shows a value with
/// NUL bytes or bytes that are not UTF-8 (as U+FFFD) instead of failing the migration.
#[test]
fn sqlite_spot_checks_show_text_that_is_not_utf8() {
    let db = TestDb::new(migrate_core::Dialect::Sqlite);
    up_to(&db, &reports::SET, 1).unwrap();
    db.execute(
        "INSERT INTO items (id, name, qty, status) VALUES \
         (1, CAST(X'61FF62' AS TEXT), 10, 'new'), (2, CAST(X'610062' AS TEXT), 0, NULL)",
    );
    let (result, run) = up_recorded(&db, &reports::SET, 2);
    result.unwrap();
    assert!(
        run.notes
            .contains(&"  id=\"1\" name=\"a\u{fffd}b\" qty=\"10\"".to_owned()),
        "{:?}",
        run.notes
    );
    assert!(
        run.notes
            .contains(&"  id=\"2\" name=\"a\0b\" qty=\"0\"".to_owned()),
        "{:?}",
        run.notes
    );
}
