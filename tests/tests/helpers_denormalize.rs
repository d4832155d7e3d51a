//! `denormalize!` on every database: the related value copied onto each row, orphans named
//! before anything changes when the column is NOT NULL and left NULL when it is not.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod helpers_support;

use helpers_support::*;
use migrate_core::MigrationState;
use migrate_tests::fixtures::helpers_denormalize::{optional, required};
use migrate_tests::{TestDb, test_each_dialect};

/// Customers with quotes, backslashes, non-ASCII, an empty name and a NULL one.
fn seed_customers(db: &TestDb) {
    let names = [
        Some("Ada"),
        Some("O'Brien \"the\" \\ 日本"),
        None,
        Some(""),
        Some("🎉 Zoë"),
    ];
    insert_texts(db, "customers", "name", &names);
}

/// Orders of customers 1, 2, 4, 5 and 1, then three orphans: customer 99 does not exist,
/// customer NULL, and customer 3, whose name is NULL.
fn seed_orders(db: &TestDb) {
    db.execute(
        "INSERT INTO orders (id, customer_id, total_cents) VALUES \
         (1, 1, 100), (2, 2, 200), (3, 4, 300), (4, 5, 400), (5, 1, 500), \
         (6, 99, 600), (7, NULL, 700), (8, 3, 800)",
    );
}

const COPIED: [Option<&str>; 5] = [
    Some("Ada"),
    Some("O'Brien \"the\" \\ 日本"),
    Some(""),
    Some("🎉 Zoë"),
    Some("Ada"),
];

test_each_dialect! {
    fn denormalize_not_null_names_the_orphans_before_changing_anything(db: &TestDb) {
        up_to(db, &required::SET, 1).unwrap();
        seed_customers(db);
        seed_orders(db);
        let schema_before = schema(db, "orders");

        let message = data_check_message(up_to(db, &required::SET, 2));
        assert!(message.contains("`orders.customer_name`"), "{message}");
        assert!(message.contains("3 rows"), "{message}");
        assert!(message.contains("(ids 6, 7, 8)"), "{message}");
        assert_eq!(schema(db, "orders"), schema_before, "nothing changed, on MySQL too");
        assert_eq!(state(db, &required::SET, 2), MigrationState::Pending);
    }
}

test_each_dialect! {
    fn denormalize_not_null_copies_each_value_and_down_drops_the_column(db: &TestDb) {
        up_to(db, &required::SET, 1).unwrap();
        seed_customers(db);
        seed_orders(db);
        db.execute("DELETE FROM orders WHERE id > 5");
        let schema_before = schema(db, "orders");
        let rows_before = rows(db, "orders");

        let (result, run) = up_recorded(db, &required::SET, 2);
        result.unwrap();
        assert_eq!(column(db, "orders", "customer_name"), texts(&COPIED));
        let notes = run.text();
        assert!(notes.contains("copied `customers.name` into `orders.customer_name` for 5 rows"), "{notes}");
        assert!(fails(db, "INSERT INTO orders (id, customer_id, total_cents, customer_name) VALUES (9, 1, 1, NULL)"));

        down_to(db, &required::SET, 1).unwrap();
        assert_eq!(schema(db, "orders"), schema_before);
        assert_eq!(rows(db, "orders"), rows_before);
    }
}

test_each_dialect! {
    fn denormalize_nullable_leaves_orphans_null_and_counts_them(db: &TestDb) {
        up_to(db, &optional::SET, 1).unwrap();
        seed_customers(db);
        seed_orders(db);
        let schema_before = schema(db, "orders");
        let rows_before = rows(db, "orders");

        let (result, run) = up_recorded(db, &optional::SET, 2);
        result.unwrap();
        let mut expected = COPIED.to_vec();
        expected.extend([None, None, None]);
        assert_eq!(column(db, "orders", "customer_name"), texts(&expected));
        let notes = run.text();
        assert!(notes.contains("`orders.customer_name` found no value in 3 rows"), "{notes}");

        down_to(db, &optional::SET, 1).unwrap();
        assert_eq!(schema(db, "orders"), schema_before);
        assert_eq!(rows(db, "orders"), rows_before);
    }
}
