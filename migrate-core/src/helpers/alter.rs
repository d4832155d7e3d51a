//! Table changes planned from the live schema: MySQL restates a column's whole definition to
//! change its nullability, SQLite rebuilds the table to change constraints. The SQL itself is
//! written by `migrate_sql::runtime::table_change`; this module reads what it needs.

use crate::connection::AnyConnection;
use crate::error::Result;
use migrate_sql::runtime::table_change;
use migrate_sql::{Dialect, TableChange};

/// What `--dry-run` prints for a change when no database is there to plan it from: the
/// statement where it needs no schema, else its shape and why it depends on the schema.
pub(super) fn describe(dialect: Dialect, table: &str, change: &TableChange) -> String {
    let q = |name: &str| migrate_sql::quote_ident(dialect, name);
    match (dialect, change) {
        (Dialect::Postgres, _) => table_change::postgres(table, change),
        (Dialect::Mysql, TableChange::AddCheck { name, expression }) => {
            table_change::mysql_add_check(table, name, expression)
        }
        (
            Dialect::Mysql,
            TableChange::SetNotNull { column } | TableChange::DropNotNull { column },
        ) => {
            let null = if matches!(change, TableChange::SetNotNull { .. }) {
                "NOT NULL"
            } else {
                "NULL"
            };
            format!(
                "ALTER TABLE {} MODIFY COLUMN {} <its current type, character set, default and comment> {null} -- restated from the column's definition when it runs",
                q(table),
                q(column)
            )
        }
        (Dialect::Mysql, TableChange::DropConstraint { name }) => format!(
            "ALTER TABLE {} DROP <FOREIGN KEY | INDEX | CONSTRAINT> {} -- by the constraint's kind when it runs",
            q(table),
            q(name)
        ),
        (Dialect::Mysql, TableChange::AddForeignKey { .. }) => {
            table_change::postgres(table, change)
        }
        (Dialect::Mysql, TableChange::AddUnique { name, columns }) => {
            table_change::mysql_add_unique(table, name, columns)
        }
        (Dialect::Sqlite, _) => format!(
            "-- rebuild {} to {}: create the new table, copy the rows, drop the old one, rename, recreate its indexes and triggers",
            q(table),
            what(change)
        ),
    }
}

/// The line a table change reports once done.
pub(super) fn done(table: &str, change: &TableChange) -> String {
    format!("`{table}`: {}", what(change))
}

fn what(change: &TableChange) -> String {
    match change {
        TableChange::SetNotNull { column } => format!("made `{column}` NOT NULL"),
        TableChange::DropNotNull { column } => format!("allowed NULL in `{column}`"),
        TableChange::AddCheck { name, expression } => {
            format!("added CHECK constraint `{name}` ({expression})")
        }
        TableChange::AddForeignKey {
            name,
            columns,
            references,
            referenced_columns,
        } => format!(
            "added foreign key `{name}` ({}) referencing `{references}` ({})",
            columns.join(", "),
            referenced_columns.join(", ")
        ),
        TableChange::AddUnique { name, columns } => {
            format!("added UNIQUE constraint `{name}` ({})", columns.join(", "))
        }
        TableChange::DropConstraint { name } => format!("removed constraint `{name}`"),
    }
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
        AnyConnection::Mysql(_) => mysql::plan(conn, table, change),
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => crate::sqlite_rebuild::rebuild_statements(c, table, change),
    }
}

/// MySQL: nullability restated from the column's whole definition, constraints dropped by kind.
#[cfg(feature = "mysql")]
mod mysql {
    use crate::connection::{AnyConnection, with_connection};
    use crate::error::{Error, Result};
    use diesel::sql_types::{BigInt, Nullable, Text};
    use diesel::{QueryableByName, RunQueryDsl};
    use migrate_sql::TableChange;
    use migrate_sql::runtime::catalog;
    use migrate_sql::runtime::table_change::{self, MysqlColumn};

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

    pub(super) fn plan(
        conn: &mut AnyConnection,
        table: &str,
        change: &TableChange,
    ) -> Result<Vec<String>> {
        let (column, not_null) = match change {
            TableChange::SetNotNull { column } => (column, true),
            TableChange::DropNotNull { column } => (column, false),
            TableChange::DropConstraint { name } => return drop_constraint(conn, table, name),
            TableChange::AddCheck { name, expression } => {
                return Ok(vec![table_change::mysql_add_check(table, name, expression)]);
            }
            TableChange::AddUnique { name, columns } => {
                return Ok(vec![table_change::mysql_add_unique(table, name, columns)]);
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
            .map_err(|e| {
                Error::database(format!("reading the definition of `{table}.{column}`"), e)
            })?;
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
    fn drop_constraint(conn: &mut AnyConnection, table: &str, name: &str) -> Result<Vec<String>> {
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
            .map_err(|e| {
                Error::database(format!("looking up constraint `{name}` of `{table}`"), e)
            })?;
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
}
