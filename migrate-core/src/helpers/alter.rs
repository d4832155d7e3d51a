//! Table changes planned from the live schema: MySQL restates a column's whole definition to
//! change its nullability, SQLite rebuilds the table to change constraints. The SQL itself is
//! written by `migrate_sql::runtime::table_change`; this module reads what it needs.

use crate::connection::{AnyConnection, with_connection};
use crate::error::{Error, Result};
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use migrate_sql::runtime::catalog;
use migrate_sql::runtime::table_change::{self, MysqlColumn};
use migrate_sql::{Dialect, TableChange};

/// What `--dry-run` prints for a change when no database is there to plan it from.
pub(super) fn describe(dialect: Dialect, table: &str, change: &TableChange) -> String {
    let how = match dialect {
        Dialect::Sqlite => {
            "rebuild the table (new table, copy, drop, rename, restore indexes and triggers)"
        }
        Dialect::Mysql => "restate the column's definition with MODIFY COLUMN",
        Dialect::Postgres => "ALTER TABLE",
    };
    format!("-- {table}: {change:?} — the statements depend on the current schema: {how}")
}

/// The statements that make `change` to `table` as the database stands now.
pub(super) fn plan(
    conn: &mut AnyConnection,
    table: &str,
    change: &TableChange,
) -> Result<Vec<String>> {
    match conn {
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(_) => Ok(vec![table_change::postgres(table, change)]),
        #[cfg(feature = "mysql")]
        AnyConnection::Mysql(_) => mysql(conn, table, change),
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => crate::sqlite_rebuild::rebuild_statements(c, table, change),
    }
}

#[derive(QueryableByName)]
struct ColumnDefinition {
    #[diesel(sql_type = Text)]
    column_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    column_default: Option<String>,
    #[diesel(sql_type = Text)]
    extra: String,
    #[diesel(sql_type = Nullable<Text>)]
    character_set: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    collation: Option<String>,
    #[diesel(sql_type = Text)]
    comment: String,
    #[diesel(sql_type = Text)]
    server: String,
}

fn mysql(conn: &mut AnyConnection, table: &str, change: &TableChange) -> Result<Vec<String>> {
    let (column, not_null) = match change {
        TableChange::SetNotNull { column } => (column, true),
        TableChange::DropNotNull { column } => (column, false),
        TableChange::DropConstraint { name } => return mysql_drop_constraint(conn, table, name),
        TableChange::AddCheck { name, expression } => {
            return Ok(vec![table_change::mysql_add_check(table, name, expression)]);
        }
        // The generators give MySQL a static statement for foreign keys.
        TableChange::AddForeignKey { .. } => {
            return Err(Error::Schema {
                message: "foreign keys on MySQL are added with a static statement, not planned from the schema".into(),
            });
        }
    };
    let found: Vec<ColumnDefinition> =
        with_connection!(conn, c => diesel::sql_query(catalog::MYSQL_COLUMN_DEFINITION)
        .bind::<Text, _>(table)
        .bind::<Text, _>(column)
        .load(c))
        .map_err(|e| Error::database(format!("reading the definition of `{table}.{column}`"), e))?;
    let Some(found) = found.into_iter().next() else {
        return Err(Error::Schema {
            message: format!("table `{table}` has no column `{column}`"),
        });
    };
    let definition = MysqlColumn {
        column_type: found.column_type,
        column_default: found.column_default,
        extra: found.extra,
        character_set: found.character_set,
        collation: found.collation,
        comment: found.comment,
        server: found.server,
    };
    if definition.is_generated() {
        return Err(Error::Schema {
            message: format!(
                "`{table}.{column}` is a generated column; change its nullability by hand"
            ),
        });
    }
    let statement = table_change::mysql_modify_column(table, column, &definition, not_null)
        .map_err(|e| Error::Schema {
            message: format!("cannot restate the comment of `{table}.{column}`: {e}"),
        })?;
    Ok(vec![statement])
}

/// Drops the constraint called `name`, whatever its kind (read from the catalog).
fn mysql_drop_constraint(conn: &mut AnyConnection, table: &str, name: &str) -> Result<Vec<String>> {
    #[derive(QueryableByName)]
    struct Kind {
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = BigInt)]
        indexes: i64,
    }
    let found: Vec<Kind> =
        with_connection!(conn, c => diesel::sql_query(catalog::MYSQL_CONSTRAINT_KIND)
        .bind::<Text, _>(table)
        .bind::<Text, _>(name)
        .load(c))
        .map_err(|e| Error::database(format!("looking up constraint `{name}` of `{table}`"), e))?;
    let Some(constraint) = found.into_iter().next() else {
        return Err(Error::Schema {
            message: format!("table `{table}` has no constraint named `{name}`"),
        });
    };
    Ok(table_change::mysql_drop_constraint(
        table,
        name,
        &constraint.kind,
        constraint.indexes > 0,
    ))
}
