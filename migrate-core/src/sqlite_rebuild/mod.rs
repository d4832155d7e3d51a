//! SQLite table rebuilds: SQLite's only way to change a column's nullability or to add and drop
//! CHECK and FOREIGN KEY constraints (sqlite.org/lang_altertable.html, "Making Other Kinds Of
//! Table Schema Changes"; Alembic calls it batch mode).
//!
//! The new table's `CREATE TABLE` text is the old one with the change spliced in and every other
//! byte kept: regenerating it from pragmas would lose CHECK constraints, collations,
//! AUTOINCREMENT, STRICT, WITHOUT ROWID and comments. A small tokenizer finds the column
//! definitions and constraints in that text.
//!
//! This file holds the entry point and the order of the statements. What it plans from has a
//! module each: [`changes`] (the `CREATE TABLE` edits each [`TableChange`] makes), [`schema`]
//! (what sqlite_master and the pragmas say, and the statements made from it), [`definition`]
//! and [`item`] (the parsed `CREATE TABLE` text, its entries and its edits) and [`tokens`] (the
//! tokenizer and the name helpers).

mod changes;
mod definition;
mod item;
mod schema;
mod tokens;

use crate::error::{Error, Result};
use changes::change_edits;
use definition::{Edit, TableDefinition, apply_edits};
use diesel::SqliteConnection;
use migrate_sql::TableChange;
use schema::{
    SchemaObject, copy_statement, dependents, drop_statements, find_table, load_schema,
    rowid_to_copy, sequence_statements, table_columns, temporary_name,
};
use tokens::{quote, same_name};

/// The statements that apply `change` to `table`, planned from the table's current schema.
///
/// They drop the views and triggers that mention the table, create the changed table under a
/// temporary name, copy every row (with its rowid), carry over the AUTOINCREMENT sequence, drop
/// the old table, rename the new one, and recreate the indexes, views and triggers. The caller
/// runs them in order in one transaction, with `PRAGMA foreign_keys` off so that dropping the old
/// table neither fails nor cascades, and checks foreign keys before committing.
///
/// The list is empty when the table already is as asked: `SetNotNull` on a NOT NULL column,
/// `DropNotNull` on a nullable one.
pub(crate) fn rebuild_statements(
    conn: &mut SqliteConnection,
    table: &str,
    change: &TableChange,
) -> Result<Vec<String>> {
    let schema = load_schema(conn)?;
    let old = find_table(&schema, table).ok_or_else(|| Error::Rebuild {
        table: table.to_owned(),
        reason: format!("there is no table `{table}` to change"),
    })?;
    let sql = old.sql.as_deref().unwrap_or_default();
    let definition = TableDefinition::parse(&old.name, sql).map_err(|why| Error::Rebuild {
        table: old.name.clone(),
        reason: format!(
            "cannot read the CREATE TABLE statement of table `{}`: {why}",
            old.name
        ),
    })?;
    let edits = change_edits(conn, &schema, &definition, change)?;
    if edits.is_empty() {
        return Ok(Vec::new());
    }
    plan(conn, &schema, &definition, edits)
}

/// The full statement sequence of a rebuild whose `CREATE TABLE` edits are known.
fn plan(
    conn: &mut SqliteConnection,
    schema: &[SchemaObject],
    definition: &TableDefinition<'_>,
    mut edits: Vec<Edit>,
) -> Result<Vec<String>> {
    let old = definition.table;
    let temporary = temporary_name(schema, old);
    edits.push(Edit::replace(definition.name.clone(), quote(&temporary)));
    let columns = table_columns(conn, old)?;
    let rowid = rowid_to_copy(conn, definition, &columns)?;
    let dependents = dependents(schema, old);

    let mut statements = drop_statements(&dependents);
    statements.push(apply_edits(definition.sql, edits));
    statements.push(copy_statement(&temporary, old, &columns, rowid));
    if definition.autoincrement && find_table(schema, "sqlite_sequence").is_some() {
        statements.extend(sequence_statements(&temporary, old)?);
    }
    statements.push(format!("DROP TABLE {}", quote(old)));
    statements.push(format!(
        "ALTER TABLE {} RENAME TO {}",
        quote(&temporary),
        quote(old)
    ));
    // Indexes first: they only need the table; then views, which triggers may be defined on.
    statements.extend(
        schema
            .iter()
            .filter(|o| o.kind == "index" && same_name(&o.tbl_name, old))
            .filter_map(|o| o.sql.clone()),
    );
    for kind in ["view", "trigger"] {
        statements.extend(
            dependents
                .iter()
                .filter(|o| o.kind == kind)
                .filter_map(|o| o.sql.clone()),
        );
    }
    Ok(statements)
}

#[cfg(test)]
mod tests;
