//! The schema, as sqlite_master and the pragmas tell it: the objects around the table (indexes,
//! views, triggers), its columns and whether its rowid is one of them, and the statements made
//! from that (dropping dependents, copying rows, carrying the AUTOINCREMENT sequence over). Apart
//! because it is the only part that queries the database; the `CREATE TABLE` text is read
//! elsewhere.

use super::definition::TableDefinition;
use super::tokens::{TokenKind, quote, same_name, tokenize, unquote};
use crate::error::{Error, Result};
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl, SqliteConnection};
use migrate_sql::{Dialect, quote_str};

/// A row of `sqlite_master`: a table, index, view or trigger.
#[derive(Debug, QueryableByName)]
pub(super) struct SchemaObject {
    /// `table`, `index`, `view` or `trigger`.
    #[diesel(sql_type = Text)]
    pub(super) kind: String,
    /// Its name.
    #[diesel(sql_type = Text)]
    pub(super) name: String,
    /// The table (or view) an index or trigger belongs to; its own name for tables and views.
    #[diesel(sql_type = Text)]
    pub(super) tbl_name: String,
    /// NULL for the indexes SQLite makes for UNIQUE and PRIMARY KEY constraints.
    #[diesel(sql_type = Nullable<Text>)]
    pub(super) sql: Option<String>,
}

/// A column as `pragma_table_xinfo` describes it.
#[derive(Debug, QueryableByName)]
pub(super) struct ColumnInfo {
    /// Its name.
    #[diesel(sql_type = Text)]
    pub(super) name: String,
    /// 2 and 3 mark generated columns (virtual and stored), whose values are computed, not set.
    #[diesel(sql_type = Integer)]
    hidden: i32,
    /// The column's position in the primary key, 0 if it is not part of it.
    #[diesel(sql_type = Integer)]
    pk: i32,
}

/// Every object of the main schema, in creation order (so that recreating them in that order
/// recreates a view after the views it selects from).
pub(super) fn load_schema(conn: &mut SqliteConnection) -> Result<Vec<SchemaObject>> {
    diesel::sql_query("SELECT type AS kind, name, tbl_name, sql FROM sqlite_master ORDER BY rowid")
        .load(conn)
        .map_err(|e| Error::database("reading the SQLite schema", e))
}

/// The table called `name`, matched ignoring ASCII case as SQLite does.
pub(super) fn find_table<'s>(schema: &'s [SchemaObject], name: &str) -> Option<&'s SchemaObject> {
    schema
        .iter()
        .find(|o| o.kind == "table" && same_name(&o.name, name))
}

/// The columns of `table`, generated ones included, in order.
pub(super) fn table_columns(conn: &mut SqliteConnection, table: &str) -> Result<Vec<ColumnInfo>> {
    diesel::sql_query("SELECT name, hidden, pk FROM pragma_table_xinfo(?) ORDER BY cid")
        .bind::<Text, _>(table)
        .load(conn)
        .map_err(|e| Error::database(format!("reading the columns of table `{table}`"), e))
}

/// The name under which to copy the rowid, when it is not a column's value already: without it
/// the copy would renumber the rows, and applications may hold those numbers.
pub(super) fn rowid_to_copy(
    conn: &mut SqliteConnection,
    definition: &TableDefinition<'_>,
    columns: &[ColumnInfo],
) -> Result<Option<&'static str>> {
    if definition.without_rowid || rowid_is_a_column(conn, definition.table, columns)? {
        return Ok(None);
    }
    // A column may take one of the rowid's names; any free one still means the rowid.
    Ok(["rowid", "oid", "_rowid_"]
        .into_iter()
        .find(|alias| !columns.iter().any(|c| same_name(&c.name, alias))))
}

/// Whether an INTEGER PRIMARY KEY column aliases the rowid: a primary key that, unlike every
/// other kind, has no index of its own.
fn rowid_is_a_column(
    conn: &mut SqliteConnection,
    table: &str,
    columns: &[ColumnInfo],
) -> Result<bool> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    if !columns.iter().any(|c| c.pk > 0) {
        return Ok(false);
    }
    let indexes: Count =
        diesel::sql_query("SELECT count(*) AS n FROM pragma_index_list(?) WHERE origin = 'pk'")
            .bind::<Text, _>(table)
            .get_result(conn)
            .map_err(|e| Error::database(format!("reading the indexes of table `{table}`"), e))?;
    Ok(indexes.n == 0)
}

/// A name for the new table that no object uses yet.
pub(super) fn temporary_name(schema: &[SchemaObject], table: &str) -> String {
    let base = format!("_migrate_tmp_{table}");
    let taken = |name: &str| schema.iter().any(|o| same_name(&o.name, name));
    let mut name = base.clone();
    let mut attempt = 1;
    while taken(&name) {
        attempt += 1;
        name = format!("{base}_{attempt}");
    }
    name
}

/// The views and triggers that must go while the table is replaced, in creation order: the
/// rename checks every view and trigger, and fails on one that refers to a missing table. That
/// includes views on those views, and triggers on the views, which dropping a view removes.
pub(super) fn dependents<'s>(schema: &'s [SchemaObject], table: &str) -> Vec<&'s SchemaObject> {
    let mut names = vec![table.to_owned()];
    let mut chosen = vec![false; schema.len()];
    let mut grew = true;
    while grew {
        grew = false;
        for (object, chosen) in schema.iter().zip(chosen.iter_mut()) {
            let Some(sql) = object.sql.as_deref() else {
                continue;
            };
            if *chosen || !matches!(object.kind.as_str(), "view" | "trigger") {
                continue;
            }
            let on_a_dropped_object = names.iter().any(|n| same_name(n, &object.tbl_name));
            if on_a_dropped_object || mentions(sql, &names) {
                *chosen = true;
                grew = true;
                if object.kind == "view" {
                    names.push(object.name.clone());
                }
            }
        }
    }
    schema
        .iter()
        .zip(chosen)
        .filter_map(|(object, chosen)| chosen.then_some(object))
        .collect()
}

/// Whether `sql` names one of `names` anywhere. A false positive only costs a needless drop and
/// create, so unreadable text counts as a mention.
fn mentions(sql: &str, names: &[String]) -> bool {
    let Ok(tokens) = tokenize(sql) else {
        return true;
    };
    tokens.iter().any(|t| {
        matches!(
            t.kind,
            TokenKind::Word | TokenKind::QuotedName | TokenKind::Text
        ) && names.iter().any(|n| same_name(&unquote(t.text(sql)), n))
    })
}

/// Drops the triggers, then the views (dependent views first), that [`dependents`] chose.
pub(super) fn drop_statements(dependents: &[&SchemaObject]) -> Vec<String> {
    let triggers = dependents
        .iter()
        .filter(|o| o.kind == "trigger")
        .map(|o| format!("DROP TRIGGER {}", quote(&o.name)));
    let views = dependents
        .iter()
        .rev()
        .filter(|o| o.kind == "view")
        .map(|o| format!("DROP VIEW {}", quote(&o.name)));
    triggers.chain(views).collect()
}

/// Copies every stored column; generated columns are computed again by the new table.
pub(super) fn copy_statement(
    temporary: &str,
    old: &str,
    columns: &[ColumnInfo],
    rowid: Option<&str>,
) -> String {
    let mut names: Vec<String> = columns
        .iter()
        .filter(|c| !matches!(c.hidden, 2 | 3))
        .map(|c| quote(&c.name))
        .collect();
    names.extend(rowid.map(str::to_owned));
    let list = names.join(", ");
    format!(
        "INSERT INTO {} ({list}) SELECT {list} FROM {}",
        quote(temporary),
        quote(old)
    )
}

/// Gives the new table the old one's AUTOINCREMENT counter, which may be past the largest id
/// left: copying rows only sets it to that id. Renaming the table renames its sequence row.
pub(super) fn sequence_statements(temporary: &str, old: &str) -> Result<[String; 2]> {
    let temporary = table_literal(temporary)?;
    let old = table_literal(old)?;
    Ok([
        format!("DELETE FROM sqlite_sequence WHERE name = {temporary}"),
        format!(
            "INSERT INTO sqlite_sequence (name, seq) SELECT {temporary}, seq FROM sqlite_sequence WHERE name = {old}"
        ),
    ])
}

/// A table name as a string literal, for `sqlite_sequence.name`.
fn table_literal(name: &str) -> Result<String> {
    quote_str(Dialect::Sqlite, name).map_err(|e| Error::Rebuild {
        table: name.to_owned(),
        reason: format!("table `{name}`: {e}"),
    })
}
