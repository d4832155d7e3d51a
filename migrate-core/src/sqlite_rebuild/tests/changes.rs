//! What each [`TableChange`] does to the table, and what it refuses, naming the culprit.

use super::*;

#[test]
fn set_not_null_keeps_every_value_and_rejects_null_afterwards() {
    let mut conn = database(
        "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, photo BLOB, note TEXT);
             INSERT INTO people VALUES
                 (1, 'O''Brien', x'00ff10', NULL),
                 (2, 'Zoë \"Z\" 日本', NULL, 'it''s, (odd)'),
                 (7, '', x'', '');",
    );
    let before = dump(&mut conn, "people");
    rebuild(&mut conn, "people", set_not_null("name")).expect("rebuild");
    assert_eq!(dump(&mut conn, "people"), before);
    assert!(before.contains(&"1|'O''Brien'|X'00FF10'|NULL".to_owned()));
    assert!(before.contains(&"2|'Zoë \"Z\" 日本'|NULL|'it''s, (odd)'".to_owned()));
    assert_eq!(
        schema_sql(&mut conn, "people"),
        r#"CREATE TABLE "people" (id INTEGER PRIMARY KEY, name TEXT NOT NULL, photo BLOB, note TEXT)"#
    );
    assert!(fails(&mut conn, "INSERT INTO people (name) VALUES (NULL)"));
    run(&mut conn, "INSERT INTO people (name) VALUES ('ok')");
    let leftovers = texts(
        &mut conn,
        "SELECT name AS v FROM sqlite_master WHERE name LIKE '%migrate_tmp%'",
    );
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn set_not_null_plans_nothing_when_the_column_is_already_not_null() {
    let mut conn = database("CREATE TABLE t (a TEXT CONSTRAINT a_set NOT NULL)");
    let statements = rebuild_statements(&mut conn, "t", &set_not_null("a")).expect("plan");
    assert!(statements.is_empty(), "{statements:?}");
}

#[test]
fn set_not_null_turns_an_explicit_null_into_not_null() {
    let mut conn = database(
        "CREATE TABLE t (a TEXT CONSTRAINT maybe NULL ON CONFLICT ABORT DEFAULT 'x', b INT)",
    );
    rebuild(&mut conn, "t", set_not_null("a")).expect("rebuild");
    assert_eq!(
        schema_sql(&mut conn, "t"),
        r#"CREATE TABLE "t" (a TEXT CONSTRAINT maybe NOT NULL ON CONFLICT ABORT DEFAULT 'x', b INT)"#
    );
    assert!(fails(&mut conn, "INSERT INTO t (a) VALUES (NULL)"));
}

#[test]
fn set_not_null_fails_when_rows_hold_null_and_changes_nothing() {
    let mut conn = database("CREATE TABLE t (a TEXT); INSERT INTO t VALUES ('x'), (NULL)");
    let before = schema_sql(&mut conn, "t");
    let err = rebuild(&mut conn, "t", set_not_null("a")).expect_err("NULL rows");
    assert!(
        err.to_string().contains("NOT NULL constraint failed"),
        "{err}"
    );
    assert_eq!(schema_sql(&mut conn, "t"), before);
    assert_eq!(dump(&mut conn, "t"), ["'x'", "NULL"]);
}

#[test]
fn drop_not_null_removes_name_and_conflict_clause_but_not_lookalikes() {
    let mut conn = database(
        "CREATE TABLE t (
                id INTEGER PRIMARY KEY,
                a TEXT CONSTRAINT a_required NOT NULL ON CONFLICT ABORT DEFAULT 'NOT NULL' CHECK (a IS NOT NULL OR id > 0),
                b TEXT NOT NULL
            )",
    );
    rebuild(&mut conn, "t", drop_not_null("a")).expect("rebuild");
    assert_eq!(
        schema_sql(&mut conn, "t"),
        r#"CREATE TABLE "t" (
                id INTEGER PRIMARY KEY,
                a TEXT DEFAULT 'NOT NULL' CHECK (a IS NOT NULL OR id > 0),
                b TEXT NOT NULL
            )"#
    );
    run(&mut conn, "INSERT INTO t (id, a, b) VALUES (1, NULL, 'x')");
    assert!(fails(
        &mut conn,
        "INSERT INTO t (id, a, b) VALUES (2, 'x', NULL)"
    ));
    assert!(fails(
        &mut conn,
        "INSERT INTO t (id, a, b) VALUES (-1, NULL, 'x')"
    ));
}

#[test]
fn drop_not_null_plans_nothing_when_the_column_is_nullable() {
    let mut conn =
        database("CREATE TABLE t (a TEXT DEFAULT NULL, b REFERENCES t ON DELETE SET NULL)");
    for column in ["a", "b"] {
        let statements = rebuild_statements(&mut conn, "t", &drop_not_null(column)).expect("plan");
        assert!(statements.is_empty(), "{column}: {statements:?}");
    }
}

#[test]
fn drop_not_null_keeps_the_line_comment_before_it_closed() {
    let mut conn = database(
        "CREATE TABLE t (
                a TEXT -- the a, (not b)
                    NOT NULL,
                b INT
            )",
    );
    rebuild(&mut conn, "t", drop_not_null("a")).expect("rebuild");
    assert_eq!(
        schema_sql(&mut conn, "t"),
        "CREATE TABLE \"t\" (
                a TEXT -- the a, (not b)
                    ,
                b INT
            )"
    );
    run(&mut conn, "INSERT INTO t VALUES (NULL, 1)");
}

#[test]
fn add_check_is_enforced_and_keeps_the_rows() {
    let mut conn = database(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, price REAL);
             INSERT INTO items VALUES (1, 0), (2, 9.5), (3, NULL);",
    );
    let before = dump(&mut conn, "items");
    rebuild(
        &mut conn,
        "items",
        add_check("price_not_negative", "price >= 0"),
    )
    .expect("rebuild");
    assert_eq!(dump(&mut conn, "items"), before);
    assert_eq!(
        schema_sql(&mut conn, "items"),
        r#"CREATE TABLE "items" (id INTEGER PRIMARY KEY, price REAL, CONSTRAINT "price_not_negative" CHECK (price >= 0))"#
    );
    assert!(fails(&mut conn, "INSERT INTO items (price) VALUES (-1)"));
    run(&mut conn, "INSERT INTO items (price) VALUES (1)");
}

#[test]
fn add_check_fails_when_rows_violate_it_and_changes_nothing() {
    let mut conn = database("CREATE TABLE t (n INT); INSERT INTO t VALUES (1), (-2)");
    let before = schema_sql(&mut conn, "t");
    let err = rebuild(&mut conn, "t", add_check("positive", "n > 0")).expect_err("violated");
    assert!(err.to_string().contains("CHECK constraint failed"), "{err}");
    assert_eq!(schema_sql(&mut conn, "t"), before);
    assert_eq!(dump(&mut conn, "t"), ["-2", "1"]);
}

#[test]
fn add_check_refuses_a_name_a_table_or_column_constraint_has() {
    let mut conn = database(
        "CREATE TABLE t (a INT CONSTRAINT a_positive CHECK (a > 0), CONSTRAINT small CHECK (a < 9))",
    );
    for name in ["A_POSITIVE", "small"] {
        let err = error_of(&mut conn, "t", add_check(name, "a <> 5"));
        assert!(
            err.contains("table `t` already has a constraint named"),
            "{err}"
        );
    }
}

#[test]
fn add_check_refuses_an_expression_that_escapes_its_parentheses() {
    let mut conn = database("CREATE TABLE t (a INT)");
    for (expression, why) in [
        ("a > 0) OR (1", "closes a parenthesis it did not open"),
        ("(a > 0", "leaves a parenthesis open"),
        ("a <> 'x", "unterminated"),
        ("a > 0 /* comment", "unterminated"),
        ("  ", "is empty"),
    ] {
        let err = error_of(&mut conn, "t", add_check("c", expression));
        assert!(err.contains(why), "{expression}: {err}");
        assert!(err.contains("CHECK constraint `c` on table `t`"), "{err}");
    }
}

#[test]
fn add_check_ends_a_trailing_line_comment_before_the_closing_parenthesis() {
    let mut conn = database("CREATE TABLE t (a INT)");
    rebuild(&mut conn, "t", add_check("c", "a > 0 -- positive")).expect("rebuild");
    assert!(fails(&mut conn, "INSERT INTO t VALUES (0)"));
}

#[test]
fn add_foreign_key_is_enforced_after_the_rebuild() {
    let mut conn = database(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INT);
             INSERT INTO customers VALUES (1, 'a'), (2, 'b');
             INSERT INTO orders VALUES (10, 1), (11, 2), (12, NULL);",
    );
    let before = dump(&mut conn, "orders");
    rebuild(
        &mut conn,
        "orders",
        add_foreign_key("orders_customer", "Customer_ID", "CUSTOMERS", "ID"),
    )
    .expect("rebuild");
    assert_eq!(dump(&mut conn, "orders"), before);
    assert_eq!(
        schema_sql(&mut conn, "orders"),
        r#"CREATE TABLE "orders" (id INTEGER PRIMARY KEY, customer_id INT, CONSTRAINT "orders_customer" FOREIGN KEY ("customer_id") REFERENCES "customers" ("id"))"#
    );
    assert!(fails(&mut conn, "INSERT INTO orders VALUES (13, 99)"));
    assert!(fails(&mut conn, "DELETE FROM customers WHERE id = 1"));
    run(&mut conn, "INSERT INTO orders VALUES (13, 2)");
}

#[test]
fn add_foreign_key_to_the_primary_key_and_to_the_table_itself() {
    let mut conn = database(
        "CREATE TABLE nodes (id INTEGER PRIMARY KEY, parent INT);
             INSERT INTO nodes VALUES (1, NULL), (2, 1);",
    );
    let change = TableChange::AddForeignKey {
        name: "parent_node".into(),
        columns: vec!["parent".into()],
        references: "nodes".into(),
        referenced_columns: Vec::new(),
    };
    rebuild(&mut conn, "nodes", change).expect("rebuild");
    assert!(
        schema_sql(&mut conn, "nodes")
            .ends_with(r#"CONSTRAINT "parent_node" FOREIGN KEY ("parent") REFERENCES "nodes")"#)
    );
    assert!(fails(&mut conn, "INSERT INTO nodes VALUES (3, 42)"));
    run(&mut conn, "INSERT INTO nodes VALUES (3, 2)");
}

#[test]
fn add_foreign_key_over_orphan_rows_fails_the_foreign_key_check() {
    let mut conn = database(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY);
             CREATE TABLE orders (customer_id INT);
             INSERT INTO orders VALUES (5);",
    );
    let err = rebuild(
        &mut conn,
        "orders",
        add_foreign_key("fk", "customer_id", "customers", "id"),
    )
    .expect_err("orphan");
    assert!(err.to_string().contains("foreign keys violated"), "{err}");
    assert_eq!(
        schema_sql(&mut conn, "orders"),
        "CREATE TABLE orders (customer_id INT)"
    );
}

#[test]
fn add_foreign_key_names_what_does_not_exist() {
    let mut conn = database(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY);
             CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INT);",
    );
    let err = error_of(
        &mut conn,
        "orders",
        add_foreign_key("fk", "client_id", "customers", "id"),
    );
    assert_eq!(
        err,
        "table `orders` has no column `client_id` (its columns are `id`, `customer_id`)"
    );
    let err = error_of(
        &mut conn,
        "orders",
        add_foreign_key("fk", "customer_id", "clients", "id"),
    );
    assert_eq!(
        err,
        "cannot add foreign key `fk` to table `orders`: there is no table `clients`"
    );
    let err = error_of(
        &mut conn,
        "orders",
        add_foreign_key("fk", "customer_id", "customers", "uid"),
    );
    assert_eq!(
        err,
        "cannot add foreign key `fk` to table `orders`: table `customers` has no column `uid` (its columns are `id`)"
    );
    let two_to_one = TableChange::AddForeignKey {
        name: "fk".into(),
        columns: vec!["id".into(), "customer_id".into()],
        references: "customers".into(),
        referenced_columns: vec!["id".into()],
    };
    let err = error_of(&mut conn, "orders", two_to_one);
    assert!(err.contains("list as many on both sides"), "{err}");
}

#[test]
fn drop_constraint_removes_a_table_constraint_wherever_it_stands() {
    let schema = "CREATE TABLE t (a INT, b INT, CONSTRAINT first CHECK (a > 0), CONSTRAINT middle UNIQUE (a, b), CONSTRAINT last CHECK (b > 0))";
    for (name, expected) in [
        (
            "first",
            r#"CREATE TABLE "t" (a INT, b INT, CONSTRAINT middle UNIQUE (a, b), CONSTRAINT last CHECK (b > 0))"#,
        ),
        (
            "middle",
            r#"CREATE TABLE "t" (a INT, b INT, CONSTRAINT first CHECK (a > 0), CONSTRAINT last CHECK (b > 0))"#,
        ),
        (
            "LAST",
            r#"CREATE TABLE "t" (a INT, b INT, CONSTRAINT first CHECK (a > 0), CONSTRAINT middle UNIQUE (a, b))"#,
        ),
    ] {
        let mut conn = database(schema);
        run(&mut conn, "INSERT INTO t VALUES (1, 1)");
        rebuild(&mut conn, "t", drop_constraint(name)).expect(name);
        assert_eq!(schema_sql(&mut conn, "t"), expected);
        assert_eq!(dump(&mut conn, "t"), ["1|1"]);
    }
}

#[test]
fn drop_constraint_makes_the_dropped_check_no_longer_apply() {
    let mut conn = database(
        "CREATE TABLE t (
                a INT, -- the a
                CONSTRAINT positive CHECK (a > 0) -- about positive
            );
            INSERT INTO t VALUES (1);",
    );
    rebuild(&mut conn, "t", drop_constraint("positive")).expect("rebuild");
    assert_eq!(
        schema_sql(&mut conn, "t"),
        "CREATE TABLE \"t\" (
                a INT -- the a
                 -- about positive
            )"
    );
    run(&mut conn, "INSERT INTO t VALUES (-1)");
}

#[test]
fn drop_constraint_removes_a_column_constraint() {
    let mut conn = database(
        "CREATE TABLE p (id INTEGER PRIMARY KEY);
             CREATE TABLE t (
                 a INT CONSTRAINT a_small CHECK (a < 10) NOT NULL,
                 p_id INT CONSTRAINT t_p REFERENCES p (id) ON DELETE SET NULL NOT DEFERRABLE DEFAULT NULL
             );",
    );
    rebuild(&mut conn, "t", drop_constraint("a_small")).expect("rebuild");
    rebuild(&mut conn, "t", drop_constraint("t_p")).expect("rebuild");
    assert_eq!(
        schema_sql(&mut conn, "t"),
        "CREATE TABLE \"t\" (
                 a INT NOT NULL,
                 p_id INT DEFAULT NULL
             )"
    );
    run(&mut conn, "INSERT INTO t VALUES (11, 99)");
}

#[test]
fn drop_constraint_separates_table_constraints_written_without_commas() {
    let mut conn = database(
        "CREATE TABLE t (a INT, CHECK (a > 0) CONSTRAINT below_ten CHECK (a < 10) UNIQUE (a))",
    );
    rebuild(&mut conn, "t", drop_constraint("below_ten")).expect("rebuild");
    assert_eq!(
        schema_sql(&mut conn, "t"),
        r#"CREATE TABLE "t" (a INT, CHECK (a > 0) UNIQUE (a))"#
    );
    run(&mut conn, "INSERT INTO t VALUES (10)");
    assert!(fails(&mut conn, "INSERT INTO t VALUES (0)"));
    assert!(fails(&mut conn, "INSERT INTO t VALUES (10)"));
}

#[test]
fn drop_constraint_lists_the_names_the_table_has() {
    let mut conn = database(
        "CREATE TABLE t (a INT CONSTRAINT a_check CHECK (a > 0), CONSTRAINT \"Odd Name\" UNIQUE (a));
             CREATE TABLE u (a INT CHECK (a > 0));",
    );
    assert_eq!(
        error_of(&mut conn, "t", drop_constraint("nope")),
        "table `t` has no constraint named `nope` (its named constraints are `a_check`, `Odd Name`)"
    );
    let err = error_of(&mut conn, "u", drop_constraint("nope"));
    assert!(err.contains("it has no named constraints"), "{err}");
}

#[test]
fn unknown_tables_and_columns_are_named() {
    let mut conn = database("CREATE TABLE t (a INT, \"B c\" TEXT); CREATE VIEW v AS SELECT 1");
    assert_eq!(
        error_of(&mut conn, "missing", set_not_null("a")),
        "there is no table `missing` to change"
    );
    assert_eq!(
        error_of(&mut conn, "v", set_not_null("a")),
        "there is no table `v` to change"
    );
    assert_eq!(
        error_of(&mut conn, "t", drop_not_null("b")),
        "table `t` has no column `b` (its columns are `a`, `B c`)"
    );
}

#[test]
fn table_and_column_names_match_ignoring_case_and_quotes() {
    let mut conn = database(
        "CREATE TABLE \"Mixed\" ([First Name] TEXT, `Last``s` TEXT, \"Age\" INT, 'quoted' TEXT, Bare INT);
             INSERT INTO Mixed VALUES ('a', 'b', 1, 'q', 2);",
    );
    for column in ["first name", "LAST`S", "age", "QUOTED", "bare"] {
        rebuild(&mut conn, "MIXED", set_not_null(column)).expect(column);
    }
    assert_eq!(
        schema_sql(&mut conn, "Mixed"),
        "CREATE TABLE \"Mixed\" ([First Name] TEXT NOT NULL, `Last``s` TEXT NOT NULL, \"Age\" INT NOT NULL, 'quoted' TEXT NOT NULL, Bare INT NOT NULL)"
    );
    assert_eq!(dump(&mut conn, "Mixed"), ["'a'|'b'|1|'q'|2"]);
}
