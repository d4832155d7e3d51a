//! Table changes planned from the live schema: MySQL restates a column's whole definition to
//! change its nullability, SQLite rebuilds the table to change constraints.

use crate::connection::{AnyConnection, with_connection};
use crate::{Dialect, Error, Result};
use diesel::sql_types::{Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use migrate_sql::{TableChange, quote_ident, quote_str};

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
        AnyConnection::Postgres(_) => Ok(vec![postgres(table, change)]),
        #[cfg(feature = "mysql")]
        AnyConnection::Mysql(_) => mysql(conn, table, change),
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => crate::sqlite_rebuild::rebuild_statements(c, table, change),
    }
}

#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
fn postgres(table: &str, change: &TableChange) -> String {
    let q = |name: &str| quote_ident(Dialect::Postgres, name);
    let t = q(table);
    match change {
        TableChange::SetNotNull { column } => {
            format!("ALTER TABLE {t} ALTER COLUMN {} SET NOT NULL", q(column))
        }
        TableChange::DropNotNull { column } => {
            format!("ALTER TABLE {t} ALTER COLUMN {} DROP NOT NULL", q(column))
        }
        TableChange::AddCheck { name, expression } => {
            format!(
                "ALTER TABLE {t} ADD CONSTRAINT {} CHECK ({expression})",
                q(name)
            )
        }
        TableChange::AddForeignKey {
            name,
            columns,
            references,
            referenced_columns,
        } => format!(
            "ALTER TABLE {t} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
            q(name),
            columns.iter().map(|c| q(c)).collect::<Vec<_>>().join(", "),
            q(references),
            referenced_columns
                .iter()
                .map(|c| q(c))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        TableChange::DropConstraint { name } => {
            format!("ALTER TABLE {t} DROP CONSTRAINT {}", q(name))
        }
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

/// MySQL changes nullability with `MODIFY COLUMN`, which replaces the whole definition: read the
/// current one so that type, character set, collation, default, `ON UPDATE` and comment survive.
fn mysql(conn: &mut AnyConnection, table: &str, change: &TableChange) -> Result<Vec<String>> {
    let q = |name: &str| quote_ident(Dialect::Mysql, name);
    let (column, not_null) = match change {
        TableChange::SetNotNull { column } => (column, true),
        TableChange::DropNotNull { column } => (column, false),
        TableChange::DropConstraint { name } => return mysql_drop_constraint(conn, table, name),
        TableChange::AddCheck { name, expression } => {
            return Ok(vec![format!(
                "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({expression})",
                q(table),
                q(name)
            )]);
        }
        TableChange::AddForeignKey { .. } => {
            return Err(Error::msg(
                "foreign keys on MySQL are added with a static statement",
            ));
        }
    };
    let sql = "SELECT CAST(COLUMN_TYPE AS CHAR) AS column_type, CAST(COLUMN_DEFAULT AS CHAR) AS column_default, \
               CAST(EXTRA AS CHAR) AS extra, CAST(CHARACTER_SET_NAME AS CHAR) AS character_set, \
               CAST(COLLATION_NAME AS CHAR) AS collation, CAST(COLUMN_COMMENT AS CHAR) AS comment, VERSION() AS server \
               FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?";
    let found: Vec<ColumnDefinition> = with_connection!(conn, c => diesel::sql_query(sql)
        .bind::<Text, _>(table)
        .bind::<Text, _>(column)
        .load(c))
    .map_err(|e| Error::database(format!("reading the definition of `{table}.{column}`"), e))?;
    let Some(definition) = found.into_iter().next() else {
        return Err(Error::msg(format!(
            "table `{table}` has no column `{column}`"
        )));
    };
    if definition.extra.to_ascii_uppercase().contains("GENERATED")
        && !definition
            .extra
            .to_ascii_uppercase()
            .contains("DEFAULT_GENERATED")
    {
        return Err(Error::msg(format!(
            "`{table}.{column}` is a generated column; change its nullability by hand"
        )));
    }
    let mut text = format!(
        "ALTER TABLE {} MODIFY COLUMN {} {}",
        q(table),
        q(column),
        definition.column_type
    );
    if let (Some(charset), Some(collation)) = (&definition.character_set, &definition.collation) {
        text.push_str(&format!(" CHARACTER SET {charset} COLLATE {collation}"));
    }
    text.push_str(if not_null { " NOT NULL" } else { " NULL" });
    if let Some(default) = default_clause(&definition) {
        text.push_str(&format!(" DEFAULT {default}"));
    }
    let extra = definition.extra.to_ascii_lowercase();
    if extra.contains("auto_increment") {
        text.push_str(" AUTO_INCREMENT");
    }
    if let Some(on_update) = extra.find("on update ") {
        text.push_str(&format!(" {}", &definition.extra[on_update..]));
    }
    if !definition.comment.is_empty() {
        let comment = quote_str(Dialect::Mysql, &definition.comment)
            .map_err(|e| Error::msg(e.to_string()))?;
        text.push_str(&format!(" COMMENT {comment}"));
    }
    Ok(vec![text])
}

/// Drops the constraint called `name`, whatever its kind. A foreign key's index that MySQL
/// created with it (named after the key) goes too, so that removing the key restores the schema
/// from before it was added.
fn mysql_drop_constraint(conn: &mut AnyConnection, table: &str, name: &str) -> Result<Vec<String>> {
    #[derive(QueryableByName)]
    struct Kind {
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        indexes: i64,
    }
    let sql = "SELECT CAST(c.CONSTRAINT_TYPE AS CHAR) AS kind, \
               (SELECT COUNT(*) FROM information_schema.STATISTICS s WHERE s.TABLE_SCHEMA = DATABASE() \
                AND s.TABLE_NAME = c.TABLE_NAME AND s.INDEX_NAME = c.CONSTRAINT_NAME) AS indexes \
               FROM information_schema.TABLE_CONSTRAINTS c \
               WHERE c.CONSTRAINT_SCHEMA = DATABASE() AND c.TABLE_NAME = ? AND c.CONSTRAINT_NAME = ?";
    let found: Vec<Kind> = with_connection!(conn, c => diesel::sql_query(sql)
        .bind::<Text, _>(table)
        .bind::<Text, _>(name)
        .load(c))
    .map_err(|e| Error::database(format!("looking up constraint `{name}` of `{table}`"), e))?;
    let q = |n: &str| quote_ident(Dialect::Mysql, n);
    let Some(constraint) = found.into_iter().next() else {
        return Err(Error::msg(format!(
            "table `{table}` has no constraint named `{name}`"
        )));
    };
    Ok(match constraint.kind.as_str() {
        "FOREIGN KEY" => {
            let mut statements = vec![format!(
                "ALTER TABLE {} DROP FOREIGN KEY {}",
                q(table),
                q(name)
            )];
            if constraint.indexes > 0 {
                statements.push(format!("ALTER TABLE {} DROP INDEX {}", q(table), q(name)));
            }
            statements
        }
        "UNIQUE" => vec![format!("ALTER TABLE {} DROP INDEX {}", q(table), q(name))],
        _ => vec![format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            q(table),
            q(name)
        )],
    })
}

/// The column's default as SQL. MariaDB reports defaults as SQL (strings quoted, `NULL` for
/// none); MySQL reports literal values unquoted and marks expressions `DEFAULT_GENERATED`.
fn default_clause(definition: &ColumnDefinition) -> Option<String> {
    let default = definition.column_default.as_deref()?;
    if definition.server.contains("MariaDB") {
        return (default != "NULL").then(|| default.to_owned());
    }
    let expression = definition
        .extra
        .to_ascii_uppercase()
        .contains("DEFAULT_GENERATED");
    let textual = ["char", "text", "enum", "set", "date", "time", "year"]
        .iter()
        .any(|t| definition.column_type.to_ascii_lowercase().contains(t));
    if expression {
        Some(format!("({default})"))
    } else if textual {
        quote_str(Dialect::Mysql, default).ok()
    } else {
        Some(default.to_owned())
    }
}
