//! End-to-end tests of the rebuild: each plans a change on an in-memory database and runs the
//! statements as the runner does, then checks the schema, the rows and what SQLite now enforces.
//! Apart from the code because they exercise every module at once; the helpers here are shared
//! by [`changes`] (what each change does and refuses) and [`preservation`] (what a rebuild keeps).

mod changes;
mod preservation;

use super::rebuild_statements;
use super::tokens::quote;
use crate::error::{Error, Result};
use diesel::connection::SimpleConnection;
use diesel::sql_types::{Nullable, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};
use migrate_sql::{Dialect, TableChange, quote_str};

fn database(schema: &str) -> SqliteConnection {
    let mut conn = SqliteConnection::establish(":memory:").expect("in-memory database");
    conn.batch_execute(schema).expect("test schema");
    conn
}

/// Plans `change` and runs it as the runner does: foreign keys off, one transaction, and
/// `pragma_foreign_key_check` before the commit.
fn rebuild(conn: &mut SqliteConnection, table: &str, change: TableChange) -> Result<Vec<String>> {
    let statements = rebuild_statements(conn, table, &change)?;
    conn.batch_execute("PRAGMA foreign_keys = OFF")?;
    let outcome = conn.transaction::<_, Error, _>(|c| {
        for statement in &statements {
            diesel::sql_query(statement)
                .execute(c)
                .map_err(|e| Error::Message(format!("{e} in {statement}")))?;
        }
        let violations = texts(c, "SELECT \"table\" AS v FROM pragma_foreign_key_check");
        if !violations.is_empty() {
            return Err(Error::Message(format!(
                "foreign keys violated in {violations:?}"
            )));
        }
        Ok(())
    });
    conn.batch_execute("PRAGMA foreign_keys = ON")?;
    outcome.map(|()| statements)
}

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = Nullable<Text>)]
    v: Option<String>,
}

/// The values of column `v` of a query, NULL as "NULL".
fn texts(conn: &mut SqliteConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Value>(conn)
        .expect(sql)
        .into_iter()
        .map(|r| r.v.unwrap_or_else(|| "NULL".to_owned()))
        .collect()
}

fn run(conn: &mut SqliteConnection, sql: &str) {
    conn.batch_execute(sql).expect(sql);
}

fn fails(conn: &mut SqliteConnection, sql: &str) -> bool {
    conn.batch_execute(sql).is_err()
}

fn literal(value: &str) -> String {
    quote_str(Dialect::Sqlite, value).expect("literal")
}

/// The `sql` of a schema object.
fn schema_sql(conn: &mut SqliteConnection, name: &str) -> String {
    let query = format!(
        "SELECT sql AS v FROM sqlite_master WHERE name = {}",
        literal(name)
    );
    texts(conn, &query).concat()
}

/// Every row of `table`, each value as `quote()` writes it (so NULL, blobs and quotes show).
fn dump(conn: &mut SqliteConnection, table: &str) -> Vec<String> {
    let columns = texts(
        conn,
        &format!(
            "SELECT name AS v FROM pragma_table_xinfo({}) ORDER BY cid",
            literal(table)
        ),
    );
    let row = columns
        .iter()
        .map(|c| format!("quote({})", quote(c)))
        .collect::<Vec<_>>()
        .join(" || '|' || ");
    texts(
        conn,
        &format!("SELECT {row} AS v FROM {} ORDER BY v", quote(table)),
    )
}

fn set_not_null(column: &str) -> TableChange {
    TableChange::SetNotNull {
        column: column.into(),
    }
}

fn drop_not_null(column: &str) -> TableChange {
    TableChange::DropNotNull {
        column: column.into(),
    }
}

fn add_check(name: &str, expression: &str) -> TableChange {
    TableChange::AddCheck {
        name: name.into(),
        expression: expression.into(),
    }
}

fn add_foreign_key(name: &str, column: &str, references: &str, to: &str) -> TableChange {
    TableChange::AddForeignKey {
        name: name.into(),
        columns: vec![column.into()],
        references: references.into(),
        referenced_columns: vec![to.into()],
    }
}

fn drop_constraint(name: &str) -> TableChange {
    TableChange::DropConstraint { name: name.into() }
}

fn error_of(conn: &mut SqliteConnection, table: &str, change: TableChange) -> String {
    match rebuild_statements(conn, table, &change) {
        Ok(statements) => panic!("expected an error, planned {statements:?}"),
        Err(e) => e.to_string(),
    }
}
