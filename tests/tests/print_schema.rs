//! Diesel's print-schema rules, on shapes that exercise them (`fixtures/print_schema/*.sql`):
//! keywords and spaces in names, composite keys, two foreign keys between one pair of tables
//! (left out of `joinable!`), a self-reference (left out), a table keyed by its rowid, the
//! `schema` and filter options. The snapshots are the text before `rustfmt`.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use migrate_core::diesel_schema::{SchemaOptions, print_schema};
use migrate_core::{Dialect, ErrorKind};
use migrate_tests::TestDb;

fn generate(db: &TestDb, schema: Option<&str>, keep: &dyn Fn(&str) -> bool) -> String {
    let mut conn = db.connect();
    print_schema(
        &mut conn,
        &SchemaOptions {
            schema,
            keep_table: keep,
        },
    )
    .unwrap()
}

#[test]
fn postgres() {
    let db = TestDb::new(Dialect::Postgres);
    db.execute(include_str!("../fixtures/print_schema/postgres.sql"));
    insta::assert_snapshot!(generate(&db, None, &|_| true));
}

#[test]
fn postgres_schema_and_filter() {
    let db = TestDb::new(Dialect::Postgres);
    db.execute(
        "CREATE SCHEMA app; \
         CREATE TABLE app.items (id INTEGER PRIMARY KEY, label TEXT NOT NULL); \
         CREATE TABLE app.item_notes (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES app.items (id)); \
         CREATE TABLE app.audit (id INTEGER PRIMARY KEY); \
         CREATE TABLE public.elsewhere (id INTEGER PRIMARY KEY)",
    );
    insta::assert_snapshot!(generate(&db, Some("app"), &|t| t != "audit"));
}

#[test]
fn mysql() {
    let db = TestDb::new(Dialect::Mysql);
    db.execute(include_str!("../fixtures/print_schema/mysql.sql"));
    insta::assert_snapshot!(generate(&db, None, &|_| true));
}

#[test]
fn a_mysql_enum_column_is_refused_naming_it() {
    let db = TestDb::new(Dialect::Mysql);
    db.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, mood ENUM('ok', 'sad'))");
    let mut conn = db.connect();
    let error = print_schema(
        &mut conn,
        &SchemaOptions {
            schema: None,
            keep_table: &|_| true,
        },
    )
    .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`people.mood` has type `enum('ok','sad')`"),
        "{error}"
    );
}

#[test]
fn sqlite() {
    let db = TestDb::new(Dialect::Sqlite);
    db.execute(include_str!("../fixtures/print_schema/sqlite.sql"));
    insta::assert_snapshot!(generate(&db, None, &|_| true));
}

#[test]
fn a_postgres_table_without_primary_key_is_refused_as_diesel_refuses_it() {
    let db = TestDb::new(Dialect::Postgres);
    db.execute("CREATE TABLE loose (note TEXT)");
    let mut conn = db.connect();
    let error = print_schema(
        &mut conn,
        &SchemaOptions {
            schema: None,
            keep_table: &|_| true,
        },
    )
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Config);
    assert!(
        error.to_string().contains("`loose` has no primary key"),
        "{error}"
    );
}

#[test]
fn a_postgres_enum_column_is_refused_naming_it() {
    let db = TestDb::new(Dialect::Postgres);
    db.execute("CREATE TYPE mood AS ENUM ('ok', 'sad'); CREATE TABLE people (id INTEGER PRIMARY KEY, mood mood)");
    let mut conn = db.connect();
    let error = print_schema(
        &mut conn,
        &SchemaOptions {
            schema: None,
            keep_table: &|_| true,
        },
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("`people.mood` has type `mood`"),
        "{error}"
    );
}
