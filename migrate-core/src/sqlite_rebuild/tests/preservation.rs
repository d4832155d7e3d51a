//! What a rebuild keeps besides the change: rows and rowids, indexes, triggers, views, foreign
//! keys, the AUTOINCREMENT sequence, STRICT and WITHOUT ROWID, generated columns, the `CREATE
//! TABLE` text byte for byte, and SQLite's order of steps.

use super::*;

#[test]
fn indexes_of_every_kind_come_back_and_work() {
    let mut conn = database(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT, deleted INT);
             CREATE UNIQUE INDEX t_name ON t (name);
             CREATE INDEX t_live ON t (email) WHERE deleted = 0;
             CREATE INDEX t_lower ON t (lower(email));
             CREATE INDEX \"t \"\"odd\"\" index\" ON \"t\" (\"deleted\" DESC);
             INSERT INTO t VALUES (1, 'a@x', 'a', 0), (2, 'b@x', 'b', 1);",
    );
    let indexes = "SELECT name || ': ' || coalesce(sql, 'auto') AS v FROM sqlite_master WHERE type = 'index' ORDER BY name";
    let before = texts(&mut conn, indexes);
    assert_eq!(before.len(), 5, "{before:?}");
    rebuild(&mut conn, "t", set_not_null("name")).expect("rebuild");
    assert_eq!(texts(&mut conn, indexes), before);
    assert!(fails(
        &mut conn,
        "INSERT INTO t (email, name) VALUES ('c@x', 'a')"
    ));
    assert!(fails(
        &mut conn,
        "INSERT INTO t (email, name) VALUES ('a@x', 'c')"
    ));
    // INDEXED BY fails unless the index exists and serves the query.
    let by_expression = "SELECT id AS v FROM t INDEXED BY t_lower WHERE lower(email) = 'a@x'";
    assert_eq!(texts(&mut conn, by_expression), ["1"]);
}

#[test]
fn triggers_on_and_about_the_table_still_fire() {
    let mut conn = database(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
             CREATE TABLE audit (what TEXT);
             CREATE TABLE other (v TEXT);
             CREATE TRIGGER t_audit AFTER INSERT ON t BEGIN INSERT INTO audit VALUES ('t ' || new.v); END;
             CREATE TRIGGER other_copies AFTER INSERT ON other BEGIN INSERT INTO t (v) VALUES (new.v); END;",
    );
    rebuild(&mut conn, "t", set_not_null("v")).expect("rebuild");
    run(&mut conn, "INSERT INTO other VALUES ('x')");
    assert_eq!(texts(&mut conn, "SELECT what AS v FROM audit"), ["t x"]);
    assert_eq!(texts(&mut conn, "SELECT v FROM t"), ["x"]);
    let triggers = texts(
        &mut conn,
        "SELECT name AS v FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
    );
    assert_eq!(triggers, ["other_copies", "t_audit"]);
}

#[test]
fn foreign_keys_to_and_from_the_table_still_hold() {
    let mut conn = database(
        "PRAGMA foreign_keys = ON;
             CREATE TABLE customers (id INTEGER PRIMARY KEY);
             CREATE TABLE orders (
                 id INTEGER PRIMARY KEY,
                 customer_id INT REFERENCES customers (id),
                 replaces INT REFERENCES orders (id)
             );
             CREATE TABLE lines (order_id INT NOT NULL REFERENCES orders (id) ON DELETE CASCADE);
             INSERT INTO customers VALUES (1);
             INSERT INTO orders VALUES (10, 1, NULL), (11, 1, 10);
             INSERT INTO lines VALUES (10), (11);",
    );
    rebuild(&mut conn, "orders", set_not_null("customer_id")).expect("rebuild");
    assert!(fails(&mut conn, "INSERT INTO orders VALUES (12, 99, NULL)"));
    assert!(fails(&mut conn, "INSERT INTO orders VALUES (12, 1, 99)"));
    assert!(fails(&mut conn, "INSERT INTO lines VALUES (99)"));
    assert!(fails(&mut conn, "DELETE FROM customers"));
    run(&mut conn, "DELETE FROM orders WHERE id = 11");
    assert_eq!(texts(&mut conn, "SELECT order_id AS v FROM lines"), ["10"]);
    assert_eq!(
        schema_sql(&mut conn, "lines"),
        "CREATE TABLE lines (order_id INT NOT NULL REFERENCES orders (id) ON DELETE CASCADE)"
    );
}

#[test]
fn autoincrement_continues_from_the_old_sequence() {
    let mut conn = database(
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
             CREATE TABLE empty (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
             INSERT INTO t (v) VALUES ('a'), ('b'), ('c');
             DELETE FROM t WHERE id = 3;",
    );
    rebuild(&mut conn, "t", set_not_null("v")).expect("rebuild");
    rebuild(&mut conn, "empty", set_not_null("v")).expect("rebuild");
    run(
        &mut conn,
        "INSERT INTO t (v) VALUES ('d'); INSERT INTO empty (v) VALUES ('e')",
    );
    assert_eq!(
        texts(&mut conn, "SELECT id || v AS v FROM t ORDER BY id"),
        ["1a", "2b", "4d"]
    );
    assert_eq!(texts(&mut conn, "SELECT id || v AS v FROM empty"), ["1e"]);
    assert_eq!(
        texts(
            &mut conn,
            "SELECT name || '=' || seq AS v FROM sqlite_sequence ORDER BY name"
        ),
        ["empty=1", "t=4"]
    );
}

#[test]
fn views_on_the_table_and_triggers_on_those_views_still_work() {
    let mut conn = database(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
             CREATE VIEW t_view AS SELECT id, v FROM t;
             CREATE VIEW t_upper AS SELECT id, upper(v) AS v FROM t_view;
             CREATE TRIGGER t_upper_insert INSTEAD OF INSERT ON t_upper
                 BEGIN INSERT INTO t (v) VALUES (lower(new.v)); END;
             CREATE VIEW unrelated AS SELECT 1 AS one;
             INSERT INTO t (v) VALUES ('a');",
    );
    let objects = "SELECT type || ' ' || name AS v FROM sqlite_master ORDER BY name";
    let before = texts(&mut conn, objects);
    let statements = rebuild(&mut conn, "t", set_not_null("v")).expect("rebuild");
    assert!(
        !statements.iter().any(|s| s.contains("unrelated")),
        "{statements:?}"
    );
    assert_eq!(texts(&mut conn, objects), before);
    run(&mut conn, "INSERT INTO t_upper (v) VALUES ('B')");
    assert_eq!(
        texts(&mut conn, "SELECT v FROM t_upper ORDER BY id"),
        ["A", "B"]
    );
}

#[test]
fn odd_identifiers_are_found_and_quoted() {
    let mut conn = database(
        "CREATE TABLE \"order items\" (
                 \"order\" INTEGER PRIMARY KEY,
                 [unit price] REAL,
                 \"say \"\"hi\"\"\" TEXT,
                 \"it's\" TEXT
             );
             CREATE TABLE \"select\" (\"from\" INT REFERENCES \"order items\");
             CREATE INDEX \"by \"\"price\"\"\" ON \"order items\" ([unit price]);
             CREATE VIEW \"the view\" AS SELECT \"order\" FROM \"order items\";
             INSERT INTO \"order items\" VALUES (1, 2.5, 'a', 'b');
             INSERT INTO \"select\" VALUES (1);",
    );
    let table = "order items";
    rebuild(&mut conn, table, set_not_null("UNIT PRICE")).expect("set not null");
    rebuild(
        &mut conn,
        table,
        add_check("it's \"positive\"", "[unit price] > 0"),
    )
    .expect("add check");
    rebuild(&mut conn, table, set_not_null("say \"hi\"")).expect("quoted quote");
    rebuild(&mut conn, "select", add_check("from", "\"from\" > 0")).expect("keywords");
    assert!(schema_sql(&mut conn, table).ends_with(
        "\"say \"\"hi\"\"\" TEXT NOT NULL,\n                 \"it's\" TEXT,\n                 CONSTRAINT \"it's \"\"positive\"\"\" CHECK ([unit price] > 0)\n             )"
    ));
    assert!(fails(
        &mut conn,
        "INSERT INTO \"order items\" VALUES (2, 0, 'a', 'b')"
    ));
    assert!(fails(&mut conn, "INSERT INTO \"select\" VALUES (0)"));
    assert_eq!(dump(&mut conn, table), ["1|2.5|'a'|'b'"]);
    assert_eq!(
        texts(&mut conn, "SELECT \"order\" AS v FROM \"the view\""),
        ["1"]
    );
    rebuild(&mut conn, table, drop_constraint("IT'S \"POSITIVE\"")).expect("drop");
    run(
        &mut conn,
        "INSERT INTO \"order items\" VALUES (2, 0, 'a', 'b')",
    );
}

#[test]
fn comments_strings_and_multi_line_constraints_are_kept_byte_for_byte() {
    let schema = "CREATE TABLE t ( -- a comment, with a comma (and a parenthesis
    id INTEGER PRIMARY KEY, /* block, ( comment */
    label TEXT DEFAULT 'a, b (c' COLLATE NOCASE,
    price NUMERIC(10, 2) CHECK (
        price >= 0
        AND price < 1e6 -- upper bound, )
    ),
    CONSTRAINT label_shape CHECK (label NOT LIKE '%--%' AND label <> ')'), -- trailing
    UNIQUE (label, price) ON CONFLICT REPLACE
)";
    let mut conn = database(schema);
    run(&mut conn, "INSERT INTO t VALUES (1, 'x', 1.5)");
    rebuild(&mut conn, "t", add_check("label_not_empty", "label <> ''")).expect("rebuild");
    let expected = format!(
        "CREATE TABLE \"t\"{},\n    CONSTRAINT \"label_not_empty\" CHECK (label <> '')\n)",
        schema
            .strip_prefix("CREATE TABLE t")
            .and_then(|s| s.strip_suffix("\n)"))
            .expect("schema shape")
    );
    assert_eq!(schema_sql(&mut conn, "t"), expected);
    rebuild(&mut conn, "t", drop_constraint("label_not_empty")).expect("drop");
    assert_eq!(
        schema_sql(&mut conn, "t"),
        schema.replacen(" t ", " \"t\" ", 1)
    );
    assert_eq!(dump(&mut conn, "t"), ["1|'x'|1.5"]);
}

#[test]
fn a_constraint_is_added_after_comments_that_end_the_column_list() {
    let mut conn = database(
        "CREATE TABLE t (
    a INT -- the a, last
    -- nothing more
)",
    );
    rebuild(&mut conn, "t", add_check("positive", "a > 0")).expect("rebuild");
    assert_eq!(
        schema_sql(&mut conn, "t"),
        "CREATE TABLE \"t\" (
    a INT, -- the a, last
    -- nothing more
    CONSTRAINT \"positive\" CHECK (a > 0)
)"
    );
}

#[test]
fn without_rowid_tables_are_rebuilt_without_rowid() {
    let mut conn = database(
        "CREATE TABLE kv (k TEXT, part INT, v BLOB, PRIMARY KEY (k, part)) WITHOUT ROWID;
             INSERT INTO kv VALUES ('a', 1, x'01'), ('b', 2, NULL);",
    );
    let before = dump(&mut conn, "kv");
    let statements =
        rebuild(&mut conn, "kv", add_check("part_positive", "part > 0")).expect("rebuild");
    assert!(
        !statements.iter().any(|s| s.contains("rowid,")),
        "{statements:?}"
    );
    assert_eq!(dump(&mut conn, "kv"), before);
    assert!(schema_sql(&mut conn, "kv").ends_with(") WITHOUT ROWID"));
    assert!(fails(&mut conn, "INSERT INTO kv VALUES ('a', 1, NULL)"));
}

#[test]
fn strict_tables_stay_strict() {
    let mut conn = database(
        "CREATE TABLE s (id INTEGER PRIMARY KEY, n INTEGER, t TEXT) STRICT;
             INSERT INTO s VALUES (1, 2, 'x');",
    );
    rebuild(&mut conn, "s", set_not_null("t")).expect("rebuild");
    assert!(schema_sql(&mut conn, "s").ends_with(") STRICT"));
    assert!(fails(
        &mut conn,
        "INSERT INTO s VALUES (2, 'not a number', 'y')"
    ));
    assert_eq!(dump(&mut conn, "s"), ["1|2|'x'"]);
}

#[test]
fn rowids_are_kept_when_no_column_holds_them() {
    let mut conn = database(
        "CREATE TABLE codes (code TEXT PRIMARY KEY, label TEXT);
             CREATE TABLE shadowed (rowid TEXT, n INT);
             INSERT INTO codes (rowid, code, label) VALUES (10, 'a', 'x'), (35, 'b', 'y');
             INSERT INTO shadowed (oid, rowid, n) VALUES (7, 'r', 1), (9, 's', 2);",
    );
    let codes = "SELECT rowid || code AS v FROM codes ORDER BY rowid";
    let shadowed = "SELECT _rowid_ || rowid AS v FROM shadowed ORDER BY _rowid_";
    rebuild(&mut conn, "codes", set_not_null("label")).expect("codes");
    rebuild(&mut conn, "shadowed", set_not_null("n")).expect("shadowed");
    assert_eq!(texts(&mut conn, codes), ["10a", "35b"]);
    assert_eq!(texts(&mut conn, shadowed), ["7r", "9s"]);
}

#[test]
fn generated_columns_are_computed_again_not_copied() {
    let mut conn = database(
        "CREATE TABLE g (
                 a INT,
                 doubled INT GENERATED ALWAYS AS (a * 2) VIRTUAL,
                 next INT AS (a + 1) STORED NOT NULL
             );
             INSERT INTO g (a) VALUES (1), (5);",
    );
    let statements = rebuild(&mut conn, "g", set_not_null("a")).expect("rebuild");
    assert!(
        statements
            .iter()
            .any(|s| s.starts_with("INSERT INTO") && s.contains("(\"a\", rowid)")),
        "{statements:?}"
    );
    assert_eq!(dump(&mut conn, "g"), ["1|2|2", "5|10|6"]);
    rebuild(&mut conn, "g", drop_not_null("next")).expect("generated column");
    assert!(schema_sql(&mut conn, "g").contains("next INT AS (a + 1) STORED\n"));
}

#[test]
fn the_temporary_name_avoids_existing_tables() {
    let mut conn = database(
        "CREATE TABLE t (a INT);
             CREATE TABLE _migrate_tmp_t (kept INT);
             INSERT INTO _migrate_tmp_t VALUES (1);",
    );
    let statements = rebuild(&mut conn, "t", set_not_null("a")).expect("rebuild");
    assert!(
        statements.contains(&r#"ALTER TABLE "_migrate_tmp_t_2" RENAME TO "t""#.to_owned()),
        "{statements:?}"
    );
    assert_eq!(dump(&mut conn, "_migrate_tmp_t"), ["1"]);
}

#[test]
fn the_statements_follow_sqlites_procedure_in_order() {
    let mut conn = database(
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
             CREATE INDEX t_v ON t (v);
             CREATE VIEW t_view AS SELECT v FROM t;
             CREATE TRIGGER t_trigger AFTER DELETE ON t BEGIN SELECT 1; END;",
    );
    let statements = rebuild_statements(&mut conn, "t", &set_not_null("v")).expect("plan");
    assert_eq!(
        statements,
        [
            r#"DROP TRIGGER "t_trigger""#,
            r#"DROP VIEW "t_view""#,
            r#"CREATE TABLE "_migrate_tmp_t" (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL)"#,
            r#"INSERT INTO "_migrate_tmp_t" ("id", "v") SELECT "id", "v" FROM "t""#,
            "DELETE FROM sqlite_sequence WHERE name = '_migrate_tmp_t'",
            "INSERT INTO sqlite_sequence (name, seq) SELECT '_migrate_tmp_t', seq FROM sqlite_sequence WHERE name = 't'",
            r#"DROP TABLE "t""#,
            r#"ALTER TABLE "_migrate_tmp_t" RENAME TO "t""#,
            "CREATE INDEX t_v ON t (v)",
            "CREATE VIEW t_view AS SELECT v FROM t",
            "CREATE TRIGGER t_trigger AFTER DELETE ON t BEGIN SELECT 1; END",
        ]
    );
}
