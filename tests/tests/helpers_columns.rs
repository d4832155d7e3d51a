//! `add_column!`, `rename_column!`, `update!` and `drop_column!` on every database, over rows
//! holding edge cases and NULLs: the values after `up`, and the table restored by `down`.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod helpers_support;

use helpers_support::*;
use migrate_core::MigrationState;
use migrate_tests::fixtures::helpers_columns::{
    computed, not_null_over_nulls, renamed_updated_dropped,
};
use migrate_tests::{TestDb, test_each_dialect};

/// Six people: NULLs in every column somewhere, quotes, non-ASCII, an empty nick, the age
/// boundaries 18 and 65, and points whose triple overflows 32 bits.
fn seed_people(db: &TestDb) {
    db.execute(&format!(
        "INSERT INTO people (id, name, nick, age, points, born) VALUES \
         (1, 'Ada', 'ada', 36, 10, '1990-05-01 10:00:00'), \
         (2, {zoe}, NULL, 17, NULL, '2007-12-31 23:59:59'), \
         (3, NULL, 'ghost', NULL, 0, NULL), \
         (4, {obrien}, {quoted}, 65, -5, '1960-01-01 00:00:00'), \
         (5, NULL, NULL, 18, 2147483647, NULL), \
         (6, {japanese}, '', 64, 1, '2000-02-29 12:00:00')",
        zoe = literal(db, Some("Zoë")),
        obrien = literal(db, Some("O'Brien")),
        quoted = literal(db, Some("ob \"quoted\" \\")),
        japanese = literal(db, Some("日本 語")),
    ));
}

test_each_dialect! {
    fn add_column_fills_each_kind_of_expression_and_down_drops_the_columns(db: &TestDb) {
        up_to(db, &computed::SET, 1).unwrap();
        seed_people(db);
        let schema_before = schema(db, "people");
        let rows_before = rows(db, "people");

        let (result, run) = up_recorded(db, &computed::SET, 2);
        result.unwrap();

        // year(): NULL where born is NULL.
        assert_eq!(column(db, "people", "born_year"), texts(&[Some("1990"), Some("2007"), None, Some("1960"), None, Some("2000")]));
        // if/else: the CASE of each dialect, with the boundaries 18 and 65 and a NULL age.
        assert_eq!(column(db, "people", "age_group"), some(&["adult", "minor", "unknown", "senior", "adult", "adult"]));
        // concat(): NULL if any part is NULL; quotes and non-ASCII kept.
        assert_eq!(
            column(db, "people", "label"),
            texts(&[Some("Ada (ada)"), None, None, Some("O'Brien (ob \"quoted\" \\)"), None, Some("日本 語 ()")])
        );
        // coalesce(): the first non-NULL, and an empty string is not NULL.
        assert_eq!(column(db, "people", "display"), some(&["ada", "Zoë", "ghost", "ob \"quoted\" \\", "anonymous", ""]));
        // Arithmetic in 64 bits, NULL propagating.
        assert_eq!(column(db, "people", "bonus"), texts(&[Some("29"), None, Some("-1"), Some("-16"), Some("6442450940"), Some("2")]));

        let notes = run.text();
        assert!(notes.contains("`people` has 6 rows"), "{notes}");
        assert!(notes.contains("filled `people.born_year` in 6 rows"), "{notes}");
        assert!(notes.contains("`people.born_year` is NULL in 2 rows"), "{notes}");
        assert!(notes.contains("`people.label` is NULL in 3 rows"), "{notes}");

        // The NOT NULL columns are constrained, the nullable ones are not.
        assert!(fails(db, "INSERT INTO people (id, age_group, display) VALUES (7, NULL, 'x')"));
        assert!(fails(db, "INSERT INTO people (id, age_group, display) VALUES (7, 'x', NULL)"));
        db.execute("INSERT INTO people (id, age_group, display) VALUES (7, 'x', 'y')");
        db.execute("DELETE FROM people WHERE id = 7");

        down_to(db, &computed::SET, 1).unwrap();
        assert_eq!(schema(db, "people"), schema_before);
        assert_eq!(rows(db, "people"), rows_before);
    }
}

test_each_dialect! {
    fn add_column_not_null_over_null_values_names_the_rows_and_changes_nothing(db: &TestDb) {
        up_to(db, &not_null_over_nulls::SET, 1).unwrap();
        seed_people(db);
        let schema_before = schema(db, "people");

        let message = data_check_message(up_to(db, &not_null_over_nulls::SET, 2));
        assert!(message.contains("`people.born_year`"), "{message}");
        assert!(message.contains("2 rows"), "{message}");
        assert!(message.contains("(ids 3, 5)"), "{message}");

        // Nothing changed, on MySQL too, and the migration is simply pending again.
        assert_eq!(schema(db, "people"), schema_before);
        assert_eq!(state(db, &not_null_over_nulls::SET, 2), MigrationState::Pending);

        // Once the data is fixed, the same migration applies.
        db.execute("UPDATE people SET born = '1999-01-01 00:00:00' WHERE born IS NULL");
        up_to(db, &not_null_over_nulls::SET, 2).unwrap();
        assert_eq!(column(db, "people", "born_year"), some(&["1990", "2007", "1999", "1960", "1999", "2000"]));
    }
}

test_each_dialect! {
    fn rename_column_keeps_the_values_and_down_renames_it_back(db: &TestDb) {
        up_to(db, &renamed_updated_dropped::SET, 1).unwrap();
        seed_people(db);
        let nicks = column(db, "people", "nick");
        let schema_before = schema(db, "people");

        up_to(db, &renamed_updated_dropped::SET, 2).unwrap();
        assert_eq!(db.columns("people"), ["id", "name", "nickname", "age", "points", "born"]);
        assert_eq!(column(db, "people", "nickname"), nicks);

        down_to(db, &renamed_updated_dropped::SET, 1).unwrap();
        assert_eq!(db.columns("people"), ["id", "name", "nick", "age", "points", "born"]);
        assert_eq!(column(db, "people", "nick"), nicks);
        assert_eq!(schema(db, "people"), schema_before);
    }
}

test_each_dialect! {
    fn update_sets_only_the_rows_its_filter_selects(db: &TestDb) {
        up_to(db, &renamed_updated_dropped::SET, 1).unwrap();
        seed_people(db);
        db.execute(&format!(
            "UPDATE people SET name = {} WHERE id = 1; UPDATE people SET name = {} WHERE id = 4",
            literal(db, Some("  Ada ")),
            literal(db, Some(" O'Brien"))
        ));

        let (result, run) = up_recorded(db, &renamed_updated_dropped::SET, 3);
        result.unwrap();
        assert_eq!(column(db, "people", "name"), texts(&[Some("Ada"), Some("Zoë"), None, Some("O'Brien"), None, Some("日本 語")]));
        assert_eq!(column(db, "people", "points"), some(&["10", "0", "0", "-5", "2147483647", "1"]));
        let notes = run.text();
        assert!(notes.contains("updated `people.name` in 2 rows"), "{notes}");
        assert!(notes.contains("updated `people.points` in 1 row"), "{notes}");
    }
}

test_each_dialect! {
    fn drop_column_removes_only_that_column(db: &TestDb) {
        up_to(db, &renamed_updated_dropped::SET, 1).unwrap();
        seed_people(db);
        let names = column(db, "people", "name");

        up_to(db, &renamed_updated_dropped::SET, 4).unwrap();
        assert_eq!(db.columns("people"), ["id", "name", "nickname", "age", "born"]);
        assert_eq!(column(db, "people", "name"), names);
        assert_eq!(db.count("SELECT COUNT(*) AS n FROM people"), 6);
    }
}
