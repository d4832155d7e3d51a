//! `split_column!` and `merge_columns!` on every database: split then merge (the derived down)
//! restores every value byte for byte, whatever separators, quotes or characters it holds; rows
//! the target columns cannot hold are named before anything changes.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod helpers_support;

use helpers_support::*;
use migrate_core::{Dialect, MigrationState};
use migrate_tests::fixtures::helpers_split::{impossible, merges, round_trips};
use migrate_tests::{TestDb, test_each_dialect};

/// Splits `values`, seeded into `table.source`, by applying the round-trip set; checks every
/// part against [`split_reference`]; reverts; and checks that the values and the schema came
/// back exactly.
fn assert_round_trip(
    db: &TestDb,
    (table, source): (&str, &str),
    parts: &[&str],
    separator: &str,
    values: &[Option<&str>],
) {
    up_to(db, &round_trips::SET, 1).unwrap();
    insert_texts(db, table, source, values);
    let schema_before = schema(db, table);

    let (result, run) = up_recorded(db, &round_trips::SET, 5);
    result.unwrap();
    let notes = run.text();
    assert!(
        notes.contains(&format!(
            "split `{table}.{source}` in {} rows",
            values.len()
        )),
        "{notes}"
    );
    assert!(
        !db.columns(table).contains(&source.to_owned()),
        "the source column is dropped"
    );
    for (i, part) in parts.iter().enumerate() {
        let expected: Vec<Option<String>> = values
            .iter()
            .map(|v| split_reference(*v, separator, parts.len())[i].clone())
            .collect();
        assert_eq!(
            column(db, table, part),
            expected,
            "part `{part}` of {values:?}"
        );
    }

    down_to(db, &round_trips::SET, 1).unwrap();
    assert_eq!(
        column(db, table, source),
        texts(values),
        "merged back byte for byte"
    );
    assert_eq!(schema(db, table), schema_before);
}

/// The value of `table.column` in row `id`.
fn value(db: &TestDb, table: &str, column: &str, id: usize) -> Option<String> {
    helpers_support::column(db, table, column)[id - 1].clone()
}

const NAMES: [Option<&str>; 20] = [
    Some("Mary Ann Smith"),
    Some("Cher"),
    Some(" Leading"),
    Some("Trailing "),
    Some("Double  Space"),
    Some(""),
    None,
    Some(" "),
    Some("  "),
    Some("O'Brien Jr"),
    Some("say \"hi\" there"),
    Some("back\\slash and\\"),
    Some("Zoë Ñúñez"),
    Some("日本 語"),
    Some("🎉 party 🎉"),
    Some("a b c d e"),
    Some("tab\tno-space"),
    Some("line\nbreak here"),
    Some("''"),
    Some("\\"),
];

test_each_dialect! {
    fn split_at_a_space_round_trips_every_name(db: &TestDb) {
        assert_round_trip(db, ("names", "full_name"), &["first_name", "last_name"], " ", &NAMES);
    }
}

test_each_dialect! {
    fn split_keeps_everything_after_the_first_separator_in_the_last_part(db: &TestDb) {
        up_to(db, &round_trips::SET, 1).unwrap();
        insert_texts(db, "names", "full_name", &NAMES);
        up_to(db, &round_trips::SET, 2).unwrap();
        let name = |id| (value(db, "names", "first_name", id), value(db, "names", "last_name", id));
        let pair = |a: &str, b: Option<&str>| (Some(a.to_owned()), b.map(str::to_owned));
        assert_eq!(name(1), pair("Mary", Some("Ann Smith")), "middle names are kept");
        assert_eq!(name(2), pair("Cher", None), "a single name is not duplicated");
        assert_eq!(name(3), pair("", Some("Leading")));
        assert_eq!(name(4), pair("Trailing", Some("")));
        assert_eq!(name(5), pair("Double", Some(" Space")));
        assert_eq!(name(6), pair("", None));
        assert_eq!(name(7), (None, None));
        assert_eq!(name(9), pair("", Some(" ")));
    }
}

test_each_dialect! {
    fn split_at_a_multi_character_separator_into_three_round_trips(db: &TestDb) {
        assert_round_trip(
            db,
            ("addresses", "address"),
            &["street", "city", "country"],
            ", ",
            &[
                Some("1 Main St, Springfield, USA"),
                Some("Paris"),
                Some("a, b"),
                Some("a,b, c"),
                Some("a,, b"),
                Some(", leading"),
                Some("trailing, "),
                Some(", , ,"),
                Some("x, y, z, w, v"),
                Some(","),
                Some(" ,"),
                Some(""),
                None,
                Some("日本, 東京, 渋谷"),
                Some("🏠, 🏙\u{fe0f}"),
                Some("O'Hare, \"Chicago\", IL\\"),
            ],
        );
    }
}

test_each_dialect! {
    fn split_at_a_letter_matches_only_that_case(db: &TestDb) {
        let values = [
            Some("BOXxOX"),
            Some("XXX"),
            Some("xXx"),
            Some("Xx"),
            Some("x"),
            Some("maxima"),
            Some("ÄxÖ"),
            Some("mixed XxX case"),
            Some(""),
            None,
        ];
        assert_round_trip(db, ("codes", "code"), &["prefix", "suffix"], "x", &values);

        // Directly: an upper-case X is not the separator, on MySQL's case-insensitive collation too.
        up_to(db, &round_trips::SET, 5).unwrap();
        assert_eq!(value(db, "codes", "prefix", 1).as_deref(), Some("BOX"));
        assert_eq!(value(db, "codes", "suffix", 1).as_deref(), Some("OX"));
        assert_eq!(value(db, "codes", "prefix", 2).as_deref(), Some("XXX"));
        assert_eq!(value(db, "codes", "suffix", 2), None);
    }
}

test_each_dialect! {
    fn split_into_four_parts_round_trips(db: &TestDb) {
        assert_round_trip(
            db,
            ("paths", "path"),
            &["a", "b", "c", "d"],
            "/",
            &[
                Some("a/b/c/d"),
                Some("a/b/c/d/e/f"),
                Some("a/b"),
                Some("a/b/c"),
                Some("/"),
                Some("//"),
                Some("///"),
                Some("////"),
                Some("a"),
                Some(""),
                None,
                Some("/usr/local/bin"),
                Some("ü/ö/ä"),
                Some("\\/\\/"),
                Some("'/\"/'"),
            ],
        );
    }
}

/// Seeds the tight split's table and checks that applying it fails with `expected` in the
/// message, before changing anything.
fn assert_split_refused(db: &TestDb, names: &[Option<&str>], expected: &[&str]) {
    up_to(db, &impossible::SET, 1).unwrap();
    insert_texts(db, "names", "full_name", names);
    let schema_before = schema(db, "names");
    let rows_before = rows(db, "names");

    let message = data_check_message(up_to(db, &impossible::SET, 2));
    for part in expected {
        assert!(message.contains(part), "`{part}` in: {message}");
    }
    assert_eq!(schema(db, "names"), schema_before, "nothing changed");
    assert_eq!(rows(db, "names"), rows_before);
    assert_eq!(state(db, &impossible::SET, 2), MigrationState::Pending);
}

test_each_dialect! {
    fn split_names_the_rows_whose_not_null_part_would_be_null(db: &TestDb) {
        assert_split_refused(
            db,
            &[Some("Cher"), Some("Plato"), Some(""), Some("Ada Lovelace"), Some("Bono"), Some("Sting"), Some("Pelé"), Some("Enya")],
            &["cannot split `names.full_name`", "in 7 rows", "NOT NULL `last_name`", "(ids 1, 2, 3, 5, 6, ...)"],
        );
    }
}

test_each_dialect! {
    fn split_names_the_rows_whose_first_part_is_null(db: &TestDb) {
        assert_split_refused(
            db,
            &[Some("Ada Lovelace"), None],
            &["in 1 row `full_name` is NULL", "NOT NULL `first_name`", "(id 2)"],
        );
    }
}

test_each_dialect! {
    fn split_names_the_rows_whose_part_is_longer_than_its_varchar(db: &TestDb) {
        // "Zoëab" has five characters but six bytes: it fits.
        assert_split_refused(
            db,
            &[Some("Alexander Hamilton"), Some("Zoëab cd"), Some("日本語日本語 x"), Some("Bob Ross")],
            &["in 2 rows the part for `first_name` is longer than its 5 characters", "(ids 1, 3)"],
        );
        db.execute("DELETE FROM names WHERE id IN (1, 3)");
        up_to(db, &impossible::SET, 2).unwrap();
        assert_eq!(column(db, "names", "first_name"), some(&["Zoëab", "Bob"]));
    }
}

/// Name parts as a split makes them: no part after a NULL one.
const PARTS: [[Option<&str>; 3]; 11] = [
    [Some("Mary"), Some("Ann"), Some("Smith")],
    [Some("Mary"), Some("Ann"), Some("Smith Jones")],
    [Some("Cher"), None, None],
    [Some(""), None, None],
    [Some(""), Some(""), Some("")],
    [None, None, None],
    [Some("Zoë"), Some("Ñúñez"), None],
    [Some("O'Brien"), Some("\"Jr\""), Some("back\\slash")],
    [Some("日本"), Some("語"), None],
    [Some("a"), Some(""), Some("b")],
    [Some("🎉"), Some(""), None],
];

fn seed_parts(db: &TestDb, table: &str, parts: &[[Option<&str>; 3]]) {
    for (i, [first, middle, last]) in parts.iter().enumerate() {
        let (columns, values) = match table {
            "people" => (
                "first_name, middle_name, last_name",
                format!(
                    "{}, {}, {}",
                    literal(db, *first),
                    literal(db, *middle),
                    literal(db, *last)
                ),
            ),
            _ => (
                "first_name, last_name",
                format!("{}, {}", literal(db, *first), literal(db, *middle)),
            ),
        };
        db.execute(&format!(
            "INSERT INTO {table} (id, {columns}) VALUES ({}, {values})",
            i + 1
        ));
    }
}

test_each_dialect! {
    fn merge_joins_parts_up_to_the_first_null_and_its_down_splits_them_back(db: &TestDb) {
        up_to(db, &merges::SET, 1).unwrap();
        seed_parts(db, "people", &PARTS);
        let schema_before = schema(db, "people");
        let rows_before = rows(db, "people");

        up_to(db, &merges::SET, 2).unwrap();
        assert_eq!(
            column(db, "people", "full_name"),
            texts(&[
                Some("Mary Ann Smith"),
                Some("Mary Ann Smith Jones"),
                Some("Cher"),
                Some(""),
                Some("  "),
                None,
                Some("Zoë Ñúñez"),
                Some("O'Brien \"Jr\" back\\slash"),
                Some("日本 語"),
                Some("a  b"),
                Some("🎉 "),
            ])
        );
        assert_eq!(db.columns("people"), ["id", "full_name"]);

        down_to(db, &merges::SET, 1).unwrap();
        assert_eq!(rows(db, "people"), rows_before);
        assert_eq!(schema(db, "people"), schema_before);
    }
}

test_each_dialect! {
    fn merge_names_the_rows_whose_later_part_it_would_drop(db: &TestDb) {
        up_to(db, &merges::SET, 1).unwrap();
        seed_parts(db, "people", &[
            [Some("Ada"), None, Some("Lovelace")],
            [Some("Mary"), Some("Ann"), Some("Smith")],
            [None, Some("Plato"), None],
        ]);
        let rows_before = rows(db, "people");

        let message = data_check_message(up_to(db, &merges::SET, 2));
        assert!(message.contains("cannot merge into `people.full_name`"), "{message}");
        assert!(message.contains("2 rows"), "{message}");
        assert!(message.contains("(ids 1, 3)"), "{message}");
        assert_eq!(rows(db, "people"), rows_before, "nothing changed");
        assert_eq!(state(db, &merges::SET, 2), MigrationState::Pending);
    }
}

test_each_dialect! {
    fn merge_into_not_null_names_the_rows_without_a_first_part(db: &TestDb) {
        up_to(db, &merges::SET, 2).unwrap();
        seed_parts(db, "members", &[
            [Some("Ada"), Some("Lovelace"), None],
            [None, None, None],
            [Some("Cher"), None, None],
        ]);
        let schema_before = schema(db, "members");

        let message = data_check_message(up_to(db, &merges::SET, 3));
        assert!(message.contains("`members.full_name`"), "{message}");
        assert!(message.contains("1 row"), "{message}");
        assert!(message.contains("(id 2)"), "{message}");
        assert_eq!(schema(db, "members"), schema_before, "nothing changed, on MySQL too");
        assert_eq!(state(db, &merges::SET, 3), MigrationState::Pending);

        db.execute("DELETE FROM members WHERE id = 2");
        up_to(db, &merges::SET, 3).unwrap();
        assert_eq!(column(db, "members", "full_name"), some(&["Ada Lovelace", "Cher"]));
        assert!(fails(db, "INSERT INTO members (id, full_name) VALUES (9, NULL)"));
    }
}

/// The bytes of `names.column` by id, read as hexadecimal so that no conversion touches them.
fn name_bytes(db: &TestDb, column: &str) -> Vec<Option<String>> {
    let hex = match db.dialect() {
        Dialect::Sqlite => {
            format!("CASE WHEN {column} IS NULL THEN NULL ELSE hex(CAST({column} AS BLOB)) END")
        }
        Dialect::Mysql => format!("HEX({column})"),
        Dialect::Postgres => format!("upper(encode(convert_to({column}, 'UTF8'), 'hex'))"),
    };
    db.texts(&format!("SELECT {hex} AS v FROM names ORDER BY id"))
}

/// The red team's values: NUL bytes (SQLite and MySQL hold them in text) and, on SQLite, bytes
/// that are not UTF-8. Each is cut byte for byte and merged back whole.
fn nul_and_invalid_utf8_split_exactly(db: &TestDb) {
    // (value, first part, last part) in hexadecimal.
    let mut cases = vec![
        ("6100622063006400", "610062", Some("63006400")), // "a\0b c\0d"
        ("61006220630064", "610062", Some("630064")),     // "a\0b c\0d" without the end
        ("200020", "", Some("0020")),                     // " \0 "
        ("00", "00", None),                               // "\0"
        ("002000", "00", Some("00")),                     // "\0 \0"
    ];
    if db.dialect() == Dialect::Sqlite {
        cases.extend([
            ("FF20FE00", "FF", Some("FE00")), // not UTF-8
            ("C32041", "C3", Some("41")),     // a UTF-8 sequence cut short by the separator
            ("80", "80", None),
        ]);
    }
    up_to(db, &round_trips::SET, 1).unwrap();
    for (i, (value, _, _)) in cases.iter().enumerate() {
        let literal = match db.dialect() {
            Dialect::Sqlite => format!("CAST(X'{value}' AS TEXT)"),
            _ => format!("CONVERT(X'{value}' USING utf8mb4)"),
        };
        db.execute(&format!(
            "INSERT INTO names (id, full_name) VALUES ({}, {literal})",
            i + 1
        ));
    }
    let originals: Vec<Option<String>> = cases.iter().map(|c| Some(c.0.to_owned())).collect();
    assert_eq!(name_bytes(db, "full_name"), originals, "stored as written");
    up_to(db, &round_trips::SET, 2).unwrap();
    let firsts: Vec<Option<String>> = cases.iter().map(|c| Some(c.1.to_owned())).collect();
    let lasts: Vec<Option<String>> = cases.iter().map(|c| c.2.map(str::to_owned)).collect();
    assert_eq!(name_bytes(db, "first_name"), firsts);
    assert_eq!(name_bytes(db, "last_name"), lasts);
    down_to(db, &round_trips::SET, 1).unwrap();
    assert_eq!(
        name_bytes(db, "full_name"),
        originals,
        "merged back byte for byte"
    );
}

#[test]
fn sqlite_nul_bytes_and_invalid_utf8_split_and_merge_back_exactly() {
    nul_and_invalid_utf8_split_exactly(&TestDb::new(Dialect::Sqlite));
}

#[test]
fn mysql_nul_bytes_split_and_merge_back_exactly() {
    nul_and_invalid_utf8_split_exactly(&TestDb::new(Dialect::Mysql));
}

/// Makes every fill of `names.last_name` keep only its first character, as an application's
/// trigger might: the split's parts then no longer give back `full_name`.
fn spoil_last_names(db: &TestDb) {
    match db.dialect() {
        Dialect::Postgres => db.execute(
            "CREATE FUNCTION spoil() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN NEW.last_name := left(NEW.last_name, 1); RETURN NEW; END $$; \
             CREATE TRIGGER spoil BEFORE UPDATE ON names FOR EACH ROW EXECUTE FUNCTION spoil()",
        ),
        _ => db.execute(
            "CREATE TRIGGER spoil AFTER UPDATE ON names FOR EACH ROW WHEN length(NEW.last_name) > 1 \
             BEGIN UPDATE names SET last_name = substr(NEW.last_name, 1, 1) WHERE id = NEW.id; END",
        ),
    }
}

/// The split checks that its parts give back the source, byte for byte, before it drops the
/// source: a fill that lost text stops the migration with the source column and its values kept.
/// (MySQL cannot name the new columns in a trigger before they exist.)
fn parts_that_lose_text_stop_the_split_before_the_drop(db: &TestDb) {
    up_to(db, &round_trips::SET, 1).unwrap();
    insert_texts(
        db,
        "names",
        "full_name",
        &[Some("Mary Ann Smith"), Some("Cher"), None],
    );
    spoil_last_names(db);
    let err = up_to(db, &round_trips::SET, 2).unwrap_err();
    assert_eq!(err.kind(), migrate_core::ErrorKind::Data, "{err}");
    let message = err.to_string();
    assert!(
        message.contains("did not drop `full_name` of `names`: in 1 row joining `first_name` and `last_name` does not give back its value byte for byte"),
        "{message}"
    );
    let hint = err.hint().unwrap_or_default();
    assert!(hint.contains("nothing was dropped"), "{hint}");
    assert!(
        db.columns("names").contains(&"full_name".to_owned()),
        "the source is kept"
    );
    assert_eq!(
        column(db, "names", "full_name"),
        texts(&[Some("Mary Ann Smith"), Some("Cher"), None])
    );
}

#[test]
fn postgres_parts_that_lose_text_stop_the_split_before_the_drop() {
    parts_that_lose_text_stop_the_split_before_the_drop(&TestDb::new(Dialect::Postgres));
}

#[test]
fn sqlite_parts_that_lose_text_stop_the_split_before_the_drop() {
    parts_that_lose_text_stop_the_split_before_the_drop(&TestDb::new(Dialect::Sqlite));
}
