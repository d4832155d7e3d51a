//! `#[migration(reversible)]` on every database: for each invertible helper, `up` then the
//! derived `down` restores the schema and every value exactly, one migration at a time and all
//! of them at once.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod helpers_support;

use helpers_support::*;
use migrate_core::Dialect;
use migrate_tests::fixtures::helpers_reversible::SET;
use migrate_tests::{TestDb, test_each_dialect};

/// The migrations of the set, by id, with the helper each one exercises.
const STEPS: [(u64, &str); 13] = [
    (2, "add_column! NOT NULL"),
    (3, "rename_column!"),
    (4, "split_column!"),
    (5, "merge_columns!"),
    (6, "denormalize!"),
    (7, "constrain! NOT NULL"),
    (8, "constrain! CHECK"),
    (9, "constrain! UNIQUE"),
    (10, "unconstrain! NOT NULL"),
    (11, "update! of an added column"),
    (12, "backfill! of an added column"),
    (13, "transform_rows! into an added column"),
    (14, "constrain! FOREIGN KEY"),
];

/// The split's down adds the merged column back last: only the column order differs.
const MOVES_A_COLUMN: u64 = 4;

fn seed(db: &TestDb) {
    db.execute(&format!(
        "INSERT INTO owners (id, name) VALUES (1, 'Ada'), (2, {obrien}), (3, NULL)",
        obrien = literal(db, Some("O'Brien 日本")),
    ));
    db.execute(&format!(
        "INSERT INTO accounts (id, full_name, owner_id, balance, email, note) VALUES \
         (1, 'Mary Ann Smith', 1, 1500, 'mary@example.com', 'vip'), \
         (2, 'Cher', 2, 0, NULL, NULL), \
         (3, NULL, NULL, 20, NULL, 'no name'), \
         (4, {zoe}, 3, 999, 'zoe@example.com', ''), \
         (5, '', 1, 1000, 'x@example.com', {quotes})",
        zoe = literal(db, Some(" Zoë  Ñ ")),
        quotes = literal(db, Some("quote ' \" \\")),
    ));
}

/// Schema and values of both tables; on SQLite also the `CREATE TABLE` text of `accounts`.
fn snapshot(db: &TestDb, with_column_order: bool) -> Vec<String> {
    let mut lines = Vec::new();
    for table in ["owners", "accounts"] {
        lines.extend(
            schema(db, table)
                .into_iter()
                .map(|l| format!("{table}: {l}")),
        );
        lines.extend(
            rows(db, table)
                .into_iter()
                .map(|(c, v)| format!("{table}.{c}: {v:?}")),
        );
    }
    if with_column_order && db.dialect() == Dialect::Sqlite {
        lines.push(sqlite_table_sql(db, "accounts"));
    }
    lines
}

test_each_dialect! {
    fn each_helper_is_undone_exactly_by_its_derived_down(db: &TestDb) {
        up_to(db, &SET, 1).unwrap();
        seed(db);
        for (id, helper) in STEPS {
            let exact = id != MOVES_A_COLUMN;
            let before = snapshot(db, exact);
            up_to(db, &SET, id).unwrap_or_else(|e| panic!("{helper}: up failed: {e}"));
            assert_ne!(snapshot(db, exact), before, "{helper} changed something");
            down_to(db, &SET, id - 1).unwrap_or_else(|e| panic!("{helper}: down failed: {e}"));
            assert_eq!(snapshot(db, exact), before, "{helper}: the derived down restores everything");
            up_to(db, &SET, id).unwrap();
        }
    }
}

test_each_dialect! {
    fn all_derived_downs_together_restore_the_original_tables(db: &TestDb) {
        up_to(db, &SET, 1).unwrap();
        seed(db);
        let before = snapshot(db, false);
        up_to(db, &SET, 14).unwrap();
        down_to(db, &SET, 1).unwrap();
        assert_eq!(snapshot(db, false), before, "every derived down, newest first, restores the tables");
    }
}
