//! `constrain!` and `unconstrain!` on every database, for NOT NULL, CHECK, UNIQUE and FOREIGN
//! KEY: violations are named before any change; after `up` a violating insert fails, after
//! `down` it succeeds again; and the tables keep their rows, index, trigger and the foreign key
//! that references them (on SQLite, through the table rebuild).

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod helpers_support;

use helpers_support::*;
use migrate_core::{Dialect, MigrationSet, MigrationState};
use migrate_tests::fixtures::helpers_constraints::{check, foreign_key, not_null, unique};
use migrate_tests::{TestDb, test_each_dialect};

/// Customers (two without an email), orders (one without customer or total) and notes on
/// orders; the trigger records each order in `order_audit`.
fn seed_shop(db: &TestDb) {
    db.execute(&format!(
        "INSERT INTO customers (id, email, name) VALUES \
         (1, 'ada@example.com', 'Ada'), (2, 'grace@example.com', 'Grace'), (3, NULL, 'No Email'), \
         (4, NULL, 'Also None'), (5, {zoe}, {zoe_name})",
        zoe = literal(db, Some("zoë@example.com")),
        zoe_name = literal(db, Some("Zoë")),
    ));
    db.execute(
        "INSERT INTO orders (id, customer_id, total_cents, status) VALUES \
         (1, 1, 100, 'new'), (2, 2, 0, 'paid'), (3, NULL, NULL, 'new'), (4, 5, 250, 'shipped')",
    );
    db.execute("INSERT INTO order_notes (id, order_id, note) VALUES (1, 1, 'gift wrap'), (2, 4, 'leave at door')");
}

/// One kind of constraint, as the tests exercise it.
struct Kind {
    set: &'static MigrationSet,
    /// The table constrained.
    table: &'static str,
    /// Inserts rows that violate the constraint.
    violations: &'static str,
    /// What the refusal says (count and ids).
    refusal: &'static [&'static str],
    /// An insert the constraint forbids.
    violating_insert: &'static str,
}

const NOT_NULL: Kind = Kind {
    set: &not_null::SET,
    table: "orders",
    violations: "INSERT INTO orders (id, customer_id, total_cents, status) VALUES (5, 1, 10, NULL), (6, 2, 20, NULL)",
    refusal: &[
        "cannot make `orders.status` NOT NULL",
        "2 rows",
        "(ids 5, 6)",
    ],
    violating_insert: "INSERT INTO orders (id, customer_id, total_cents, status) VALUES (9, 1, 1, NULL)",
};

const CHECK: Kind = Kind {
    set: &check::SET,
    table: "orders",
    violations: "INSERT INTO orders (id, customer_id, total_cents) VALUES (5, 1, -1), (7, 1, -500)",
    refusal: &[
        "cannot add CHECK `orders_total_nonnegative` to `orders`",
        "2 rows",
        "(ids 5, 7)",
    ],
    violating_insert: "INSERT INTO orders (id, customer_id, total_cents) VALUES (9, 1, -1)",
};

const UNIQUE: Kind = Kind {
    set: &unique::SET,
    table: "customers",
    violations: "INSERT INTO customers (id, email, name) VALUES \
                 (6, 'ada@example.com', 'Ada again'), (7, 'grace@example.com', 'G'), (8, 'ada@example.com', 'Ada 3')",
    refusal: &[
        "cannot add UNIQUE `customers_email_key` to `customers`",
        "5 rows",
        "(ids 1, 2, 6, 7, 8)",
    ],
    violating_insert: "INSERT INTO customers (id, email, name) VALUES (9, 'ada@example.com', 'copy')",
};

const FOREIGN_KEY: Kind = Kind {
    set: &foreign_key::SET,
    table: "orders",
    violations: "INSERT INTO orders (id, customer_id, total_cents) VALUES (5, 99, 10), (6, 42, 0)",
    refusal: &[
        "cannot add FOREIGN KEY `orders_customer_fk` to `orders`",
        "2 rows",
        "(ids 5, 6)",
    ],
    violating_insert: "INSERT INTO orders (id, customer_id, total_cents) VALUES (9, 99, 1)",
};

/// The schema of `table`, on SQLite with its `CREATE TABLE` text.
fn exact_schema(db: &TestDb, table: &str) -> Vec<String> {
    let mut lines = schema(db, table);
    if db.dialect() == Dialect::Sqlite {
        lines.push(sqlite_table_sql(db, table));
    }
    lines
}

/// Seeds violating rows: applying the constraint fails, naming them, and changes nothing.
fn assert_refused(db: &TestDb, kind: &Kind) {
    up_to(db, kind.set, 1).unwrap();
    seed_shop(db);
    db.execute(kind.violations);
    let schema_before = exact_schema(db, kind.table);

    let message = data_check_message(up_to(db, kind.set, 2));
    for part in kind.refusal {
        assert!(message.contains(part), "`{part}` in: {message}");
    }
    assert_eq!(
        exact_schema(db, kind.table),
        schema_before,
        "nothing changed"
    );
    assert_eq!(state(db, kind.set, 2), MigrationState::Pending);
}

/// Everything around `orders` still works: its rows, the index, the trigger, and the foreign
/// key of `order_notes` that references it.
fn assert_orders_intact(db: &TestDb, orders_before: &[(String, Vec<Option<String>>)]) {
    assert_eq!(rows(db, "orders"), orders_before, "every order kept");
    assert!(
        schema(db, "orders")
            .iter()
            .any(|line| line.contains("orders_status_idx")),
        "the index is kept: {:?}",
        schema(db, "orders")
    );
    let audited = db.count("SELECT COUNT(*) AS n FROM order_audit");
    db.execute(
        "INSERT INTO orders (id, customer_id, total_cents, status) VALUES (100, 1, 1, 'new')",
    );
    assert_eq!(
        db.count("SELECT COUNT(*) AS n FROM order_audit"),
        audited + 1,
        "the trigger fires"
    );
    db.execute("DELETE FROM orders WHERE id = 100");
    assert_eq!(
        column(db, "order_notes", "note"),
        some(&["gift wrap", "leave at door"])
    );
    assert!(
        fails(
            db,
            "INSERT INTO order_notes (id, order_id, note) VALUES (3, 12345, 'lost')"
        ),
        "order_notes still references orders"
    );
}

/// Applies the constraint over valid rows: a violating insert fails, everything around the
/// table still works; `down` lifts it and restores the schema exactly.
fn assert_enforced_then_lifted(db: &TestDb, kind: &Kind) {
    up_to(db, kind.set, 1).unwrap();
    seed_shop(db);
    let schema_before = exact_schema(db, kind.table);
    let rows_before = rows(db, kind.table);
    let orders_before = rows(db, "orders");

    up_to(db, kind.set, 2).unwrap();
    assert!(
        fails(db, kind.violating_insert),
        "the constraint holds: {}",
        kind.violating_insert
    );
    assert_eq!(rows(db, kind.table), rows_before);
    assert_orders_intact(db, &orders_before);

    down_to(db, kind.set, 1).unwrap();
    assert_eq!(
        exact_schema(db, kind.table),
        schema_before,
        "down restores the schema (on MySQL, DROP FOREIGN KEY keeps the index MySQL created for the key)"
    );
    assert_orders_intact(db, &orders_before);
    db.execute(kind.violating_insert);
}

test_each_dialect! {
    fn not_null_names_the_null_rows_before_any_change(db: &TestDb) {
        assert_refused(db, &NOT_NULL);
    }
}

test_each_dialect! {
    fn not_null_is_enforced_after_up_and_lifted_by_down(db: &TestDb) {
        assert_enforced_then_lifted(db, &NOT_NULL);
    }
}

test_each_dialect! {
    fn not_null_keeps_the_column_default(db: &TestDb) {
        up_to(db, &not_null::SET, 2).unwrap();
        db.execute("INSERT INTO orders (id, customer_id, total_cents) VALUES (1, 1, 1)");
        assert_eq!(column(db, "orders", "status"), some(&["new"]));
    }
}

test_each_dialect! {
    fn unconstrain_allows_null_and_its_derived_down_checks_before_constraining_again(db: &TestDb) {
        up_to(db, &not_null::SET, 1).unwrap();
        seed_shop(db);
        up_to(db, &not_null::SET, 3).unwrap();
        db.execute("INSERT INTO orders (id, customer_id, total_cents, status) VALUES (5, 1, 1, NULL)");

        let message = data_check_message(down_to(db, &not_null::SET, 2));
        assert!(message.contains("1 row"), "{message}");
        assert!(message.contains("(id 5)"), "{message}");
        assert_eq!(state(db, &not_null::SET, 3), MigrationState::Applied);

        db.execute("DELETE FROM orders WHERE id = 5");
        down_to(db, &not_null::SET, 2).unwrap();
        assert!(fails(db, NOT_NULL.violating_insert));
    }
}

test_each_dialect! {
    fn check_names_the_violating_rows_before_any_change(db: &TestDb) {
        assert_refused(db, &CHECK);
    }
}

test_each_dialect! {
    fn check_is_enforced_after_up_and_lifted_by_down(db: &TestDb) {
        assert_enforced_then_lifted(db, &CHECK);
    }
}

test_each_dialect! {
    fn check_accepts_null_like_the_database_does(db: &TestDb) {
        up_to(db, &check::SET, 1).unwrap();
        seed_shop(db);
        up_to(db, &check::SET, 2).unwrap();
        db.execute("INSERT INTO orders (id, customer_id, total_cents) VALUES (9, 1, NULL)");
    }
}

test_each_dialect! {
    fn unique_names_every_duplicated_row_before_any_change(db: &TestDb) {
        assert_refused(db, &UNIQUE);
    }
}

test_each_dialect! {
    fn unique_is_enforced_after_up_and_lifted_by_down(db: &TestDb) {
        assert_enforced_then_lifted(db, &UNIQUE);
        // NULLs are not duplicates of each other.
        db.execute("DELETE FROM customers WHERE id = 9");
        up_to(db, &unique::SET, 2).unwrap();
        db.execute("INSERT INTO customers (id, email, name) VALUES (10, NULL, 'third without email')");
    }
}

test_each_dialect! {
    fn unique_check_agrees_with_the_column_collation(db: &TestDb) {
        up_to(db, &unique::SET, 1).unwrap();
        db.execute(
            "INSERT INTO customers (id, email) VALUES (1, 'ada@example.com'), (2, 'ADA@example.com'), \
             (3, 'bob@example.com'), (4, 'bob@example.com ')",
        );
        let result = up_to(db, &unique::SET, 2);
        match db.dialect() {
            // The default collation ignores case and trailing spaces: the check finds what the
            // index would refuse, instead of a raw duplicate-key error.
            Dialect::Mysql => {
                let message = data_check_message(result);
                assert!(message.contains("4 rows") && message.contains("(ids 1, 2, 3, 4)"), "{message}");
            }
            Dialect::Postgres | Dialect::Sqlite => result.unwrap(),
        }
    }
}

test_each_dialect! {
    fn foreign_key_names_the_orphans_before_any_change(db: &TestDb) {
        assert_refused(db, &FOREIGN_KEY);
    }
}

test_each_dialect! {
    fn foreign_key_is_enforced_after_up_and_lifted_by_down(db: &TestDb) {
        assert_enforced_then_lifted(db, &FOREIGN_KEY);
    }
}
