//! Shared by the helper tests (`helpers_*.rs`): running a fixture set, seeding and reading
//! values, describing a table's schema, and collecting what a run reports.
//!
//! Each test binary uses a part of it.
#![allow(dead_code)]

use diesel::{QueryableByName, RunQueryDsl};
use migrate_core::{
    AnyConnection, Dialect, Error, ErrorKind, MigrationDescriptor, MigrationId, MigrationSet,
    MigrationState, Observer, Registry, Runner,
};
use migrate_core::{DownTarget, Progress};
use migrate_tests::TestDb;

/// The migrations of a fixture set.
pub fn registry(set: &'static MigrationSet) -> Registry {
    set.registry().expect("fixture sets have unique ids")
}

/// Applies the set's migrations up to and including `to`.
pub fn up_to(db: &TestDb, set: &'static MigrationSet, to: u64) -> migrate_core::Result<()> {
    let registry = registry(set);
    let mut conn = db.connect();
    Runner::new(&mut conn, &registry)
        .up(Some(MigrationId(to)))
        .map(drop)
}

/// Applies the set's migrations up to and including `to`, recording what the run reports.
pub fn up_recorded(
    db: &TestDb,
    set: &'static MigrationSet,
    to: u64,
) -> (migrate_core::Result<()>, Recorder) {
    let registry = registry(set);
    let mut conn = db.connect();
    let mut recorder = Recorder::default();
    let result = Runner::new(&mut conn, &registry)
        .observer(&mut recorder)
        .up(Some(MigrationId(to)))
        .map(drop);
    (result, recorder)
}

/// Reverts the set's migrations newer than `to`.
pub fn down_to(db: &TestDb, set: &'static MigrationSet, to: u64) -> migrate_core::Result<()> {
    let registry = registry(set);
    let mut conn = db.connect();
    Runner::new(&mut conn, &registry)
        .down(DownTarget::To(MigrationId(to)))
        .map(drop)
}

/// The state of migration `id` of the set.
pub fn state(db: &TestDb, set: &'static MigrationSet, id: u64) -> MigrationState {
    let registry = registry(set);
    let mut conn = db.connect();
    Runner::new(&mut conn, &registry)
        .status()
        .expect("status")
        .into_iter()
        .find(|s| s.id == MigrationId(id))
        .map(|s| s.state)
        .expect("the migration is in the set")
}

/// What a run reported: the notes of its migrations and the progress of batched helpers.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Every note, in order.
    pub notes: Vec<String>,
    /// Every progress report, in order.
    pub progress: Vec<Progress>,
}

impl Recorder {
    /// The notes as one text, one per line.
    pub fn text(&self) -> String {
        self.notes.join("\n")
    }

    /// The number of batches the last finished batched step committed.
    pub fn batches(&self) -> u64 {
        self.progress
            .iter()
            .rev()
            .find(|p| p.finished)
            .map_or(0, |p| p.batches)
    }
}

impl Observer for Recorder {
    fn note(&mut self, _migration: &MigrationDescriptor, text: &str) {
        self.notes.push(text.to_owned());
    }

    fn progress(&mut self, _migration: &MigrationDescriptor, progress: &Progress) {
        self.progress.push(progress.clone());
    }
}

/// The message of a failed data check; fails the test for any other error.
pub fn data_check_message(result: migrate_core::Result<()>) -> String {
    let err = result.expect_err("the data check should have failed");
    assert_eq!(err.kind(), ErrorKind::Data, "a data check failure: {err}");
    assert!(
        matches!(
            &err,
            Error::MigrationFailed {
                rolled_back: true,
                ..
            }
        ),
        "a check that fails before any change leaves nothing to roll back: {err:?}"
    );
    err.to_string()
}

/// `value` as a SQL literal of the database (NULL for `None`).
pub fn literal(db: &TestDb, value: Option<&str>) -> String {
    match value {
        Some(text) => migrate_sql::quote_str(db.dialect(), text).expect("no NUL in test values"),
        None => "NULL".to_owned(),
    }
}

/// Inserts one row per value into `table (id, column)`, with ids from 1.
pub fn insert_texts(db: &TestDb, table: &str, column: &str, values: &[Option<&str>]) {
    for (i, value) in values.iter().enumerate() {
        db.execute(&format!(
            "INSERT INTO {table} (id, {column}) VALUES ({}, {})",
            i + 1,
            literal(db, *value)
        ));
    }
}

/// `expr` cast to text in the database's SQL.
pub fn as_text(db: &TestDb, expr: &str) -> String {
    match db.dialect() {
        Dialect::Mysql => format!("CAST({expr} AS CHAR)"),
        Dialect::Postgres | Dialect::Sqlite => format!("CAST({expr} AS TEXT)"),
    }
}

/// The values of `table.column` by id, as text.
pub fn column(db: &TestDb, table: &str, column: &str) -> Vec<Option<String>> {
    db.texts(&format!(
        "SELECT {} AS v FROM {table} ORDER BY id",
        as_text(db, column)
    ))
}

/// Texts as the values [`column`] returns.
pub fn texts(values: &[Option<&str>]) -> Vec<Option<String>> {
    values.iter().map(|v| v.map(str::to_owned)).collect()
}

/// Non-NULL texts as the values [`column`] returns.
pub fn some(values: &[&str]) -> Vec<Option<String>> {
    values.iter().map(|v| Some((*v).to_owned())).collect()
}

/// Every value of `table`, column by column (in name order), rows by id: equal before a
/// migration and after its down when the data was restored exactly.
pub fn rows(db: &TestDb, table: &str) -> Vec<(String, Vec<Option<String>>)> {
    let mut columns = db.columns(table);
    columns.sort();
    columns
        .into_iter()
        .map(|c| {
            let values = column(db, table, &c);
            (c, values)
        })
        .collect()
}

/// A description of `table`'s schema, one sorted line per column (name, type, nullability,
/// default), constraint and index: equal before a migration and after its down when the schema
/// was restored. Column order is left out: a column dropped and added again comes last.
pub fn schema(db: &TestDb, table: &str) -> Vec<String> {
    let sql = match db.dialect() {
        Dialect::Postgres => format!(
            "SELECT CAST(column_name || ' ' || data_type \
               || COALESCE('(' || character_maximum_length || ')', '') \
               || CASE WHEN is_nullable = 'NO' THEN ' NOT NULL' ELSE '' END \
               || COALESCE(' DEFAULT ' || column_default, '') AS TEXT) AS v \
             FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{table}' \
             UNION ALL SELECT CAST('constraint ' || conname || ' ' || pg_get_constraintdef(oid) AS TEXT) \
             FROM pg_constraint WHERE conrelid = CAST('\"{table}\"' AS regclass) \
             UNION ALL SELECT CAST('index ' || indexdef AS TEXT) FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename = '{table}'"
        ),
        Dialect::Mysql => format!(
            "SELECT CAST(CONCAT(column_name, ' ', column_type, ' ', COALESCE(collation_name, ''), \
               IF(is_nullable = 'NO', ' NOT NULL', ''), COALESCE(CONCAT(' DEFAULT ', column_default), ''), \
               ' ', extra) AS CHAR) AS v \
             FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = '{table}' \
             UNION ALL SELECT CAST(CONCAT('constraint ', constraint_name, ' ', constraint_type) AS CHAR) \
             FROM information_schema.table_constraints WHERE table_schema = DATABASE() AND table_name = '{table}' \
             UNION ALL SELECT CAST(CONCAT('check ', constraint_name, ' ', check_clause) AS CHAR) \
             FROM information_schema.check_constraints WHERE constraint_schema = DATABASE() AND table_name = '{table}' \
             UNION ALL SELECT CAST(CONCAT('index ', index_name, ' ', non_unique, ' ', seq_in_index, ' ', column_name) AS CHAR) \
             FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = '{table}' \
             UNION ALL SELECT CAST(CONCAT('references ', constraint_name, ' ', referenced_table_name, ' ', update_rule, ' ', delete_rule) AS CHAR) \
             FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE() AND table_name = '{table}'"
        ),
        Dialect::Sqlite => format!(
            "SELECT name || ' ' || type || CASE WHEN \"notnull\" THEN ' NOT NULL' ELSE '' END \
               || COALESCE(' DEFAULT ' || dflt_value, '') || CASE WHEN pk > 0 THEN ' PRIMARY KEY' ELSE '' END AS v \
             FROM pragma_table_info('{table}') \
             UNION ALL SELECT 'index ' || name || ' ' || \"unique\" || ' ' || origin FROM pragma_index_list('{table}') \
             UNION ALL SELECT 'foreign key ' || \"from\" || ' -> ' || \"table\" || '(' || \"to\" || ') ' || on_update || ' ' || on_delete \
             FROM pragma_foreign_key_list('{table}') \
             UNION ALL SELECT type || ' ' || name || ': ' || sql FROM sqlite_master \
             WHERE tbl_name = '{table}' AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        ),
    };
    let mut lines: Vec<String> = db.texts(&sql).into_iter().flatten().collect();
    lines.sort();
    lines
}

/// The `CREATE TABLE` text SQLite keeps for `table`, with the double quotes around plain names
/// (letters, digits, `_`) removed: SQLite writes the names it renames quoted (a rebuilt table
/// renamed into place, a column renamed back), which changes nothing else. Every other byte is
/// as stored.
pub fn sqlite_table_sql(db: &TestDb, table: &str) -> String {
    assert_eq!(db.dialect(), Dialect::Sqlite);
    let sql = db
        .texts(&format!(
            "SELECT sql AS v FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
        ))
        .into_iter()
        .flatten()
        .next()
        .expect("the table exists");
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql.as_str();
    while let Some(open) = rest.find('"') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('"') {
            Some(close)
                if close > 0
                    && after[..close]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                out.push_str(&after[..close]);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('"');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `sql` fails on the database.
pub fn fails(db: &TestDb, sql: &str) -> bool {
    db.connect().batch_execute(sql).is_err()
}

/// What `split_column!` promises for `value` cut into `parts` at `separator`: each part but the
/// last is the text up to the next separator, the last is the rest, and parts after the last
/// separator found are NULL.
pub fn split_reference(value: Option<&str>, separator: &str, parts: usize) -> Vec<Option<String>> {
    let mut rest = value.map(str::to_owned);
    let mut out = Vec::with_capacity(parts);
    for _ in 1..parts {
        let Some(text) = rest.take() else {
            out.push(None);
            continue;
        };
        match text.find(separator) {
            Some(at) => {
                out.push(Some(text[..at].to_owned()));
                rest = Some(text[at + separator.len()..].to_owned());
            }
            None => out.push(Some(text)),
        }
    }
    out.push(rest);
    out
}

/// Runs one statement, returning the rows it changed.
pub fn execute(conn: &mut AnyConnection, sql: &str) -> diesel::QueryResult<usize> {
    match conn {
        AnyConnection::Postgres(c) => diesel::sql_query(sql).execute(c),
        AnyConnection::Mysql(c) => diesel::sql_query(sql).execute(c),
        AnyConnection::Sqlite(c) => diesel::sql_query(sql).execute(c),
        _ => unreachable!("the tests build every backend"),
    }
}

/// Every row `sql` returns.
pub fn load<T>(db: &TestDb, sql: &str) -> Vec<T>
where
    T: QueryableByName<diesel::pg::Pg>
        + QueryableByName<diesel::mysql::Mysql>
        + QueryableByName<diesel::sqlite::Sqlite>
        + 'static,
{
    let mut conn = db.connect();
    match &mut conn {
        AnyConnection::Postgres(c) => diesel::sql_query(sql).load(c),
        AnyConnection::Mysql(c) => diesel::sql_query(sql).load(c),
        AnyConnection::Sqlite(c) => diesel::sql_query(sql).load(c),
        _ => unreachable!("the tests build every backend"),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}
