//! Which key a batched helper walks a table by, read from the catalog before anything changes:
//! the table's primary key, whatever its type and arity, or the unique key the migration names
//! with `key = column` / `key = (a, b)`; refused when there is none that is unique and NOT NULL.

use crate::connection::{AnyConnection, with_connection};
use crate::error::{Error, Result};
use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};
use migrate_sql::helpers::key::{Key, KeyColumn, MAX_KEY_COLUMNS};
use migrate_sql::runtime::catalog;
use migrate_sql::{Dialect, quote_ident};

#[derive(QueryableByName)]
struct Candidate {
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = BigInt)]
    is_primary: i64,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    sql_type: String,
    #[diesel(sql_type = BigInt)]
    not_null: i64,
}

/// A unique index of the table, as the catalog describes it.
struct UniqueKey {
    name: String,
    primary: bool,
    /// `(column, SQL type, NOT NULL)`, in index order.
    columns: Vec<(String, String, bool)>,
}

impl UniqueKey {
    fn describe(&self) -> String {
        let columns: Vec<&str> = self.columns.iter().map(|(c, _, _)| c.as_str()).collect();
        let label = if self.primary {
            "the primary key".to_owned()
        } else {
            format!("unique index `{}`", self.name)
        };
        format!("({}) ({label})", columns.join(", "))
    }

    fn nullable(&self) -> Vec<&str> {
        self.columns
            .iter()
            .filter(|(_, _, not_null)| !not_null)
            .map(|(c, _, _)| c.as_str())
            .collect()
    }
}

/// The key [`discover`] finds, or `None` when `table` does not exist (yet): what a dry run or
/// the check before a run shows for a table an earlier, pending step creates.
pub(crate) fn discover_if_exists(
    conn: &mut AnyConnection,
    table: &str,
    requested: Option<&[&str]>,
) -> Result<Option<Key>> {
    let probe = format!(
        "SELECT COUNT(*) AS n FROM {} WHERE 1 = 0",
        migrate_sql::quote_table(conn.dialect(), table)
    );
    if conn.query_i64(&probe).is_err() {
        return Ok(None);
    }
    discover(conn, table, requested).map(Some)
}

/// The key to walk `table` by: `requested` (the columns of `key = ...`) if they form a unique,
/// NOT NULL key, else the primary key, else the first unique NOT NULL key.
pub(crate) fn discover(
    conn: &mut AnyConnection,
    table: &str,
    requested: Option<&[&str]>,
) -> Result<Key> {
    let dialect = conn.dialect();
    let keys = unique_keys(conn, table)?;
    let same = |a: &str, b: &str| match dialect {
        Dialect::Postgres => a == b,
        Dialect::Mysql | Dialect::Sqlite => a.eq_ignore_ascii_case(b),
    };
    let listed = || {
        if keys.is_empty() {
            "it has no primary key and no unique index".to_owned()
        } else {
            let all: Vec<String> = keys.iter().map(UniqueKey::describe).collect();
            format!("its unique keys are {}", all.join(", "))
        }
    };
    let key_of = |unique: &UniqueKey, order: &[&str]| Key {
        columns: order
            .iter()
            .filter_map(|name| unique.columns.iter().find(|(c, _, _)| same(c, name)))
            .map(|(c, t, _)| KeyColumn::new(dialect, c, t))
            .collect(),
    };
    let unusable = |message: String, hint: &str| Error::KeyUnusable {
        table: table.to_owned(),
        message,
        hint: hint.to_owned(),
    };
    if let Some(requested) = requested {
        let exact = keys.iter().find(|k| {
            k.columns.len() == requested.len()
                && requested
                    .iter()
                    .all(|r| k.columns.iter().any(|(c, _, _)| same(c, r)))
        });
        let shown = match requested {
            [one] => one.to_string(),
            many => format!("({})", many.join(", ")),
        };
        let Some(unique) = exact else {
            return Err(unusable(
                format!(
                    "`key = {shown}` is not a unique key of `{table}` ({}): walking a key that repeats would give several rows one key and write wrong values",
                    listed()
                ),
                "name a unique key with `key = column` or `key = (a, b)`, or leave `key` out to walk the primary key",
            ));
        };
        let nullable = unique.nullable();
        if !nullable.is_empty() {
            return Err(unusable(
                format!(
                    "`key = {shown}` is unique, but `{}` allows NULL: rows with a NULL key would be skipped",
                    nullable.join("`, `")
                ),
                "make the key's columns NOT NULL, or name another key",
            ));
        }
        return Ok(key_of(unique, requested));
    }
    // SQLite lets a PRIMARY KEY column other than INTEGER hold NULL (a quirk it keeps for
    // compatibility); such a key is usable as long as no row has a NULL in it.
    let mut usable = None;
    for key in &keys {
        let nullable = key.nullable();
        if nullable.is_empty() || (key.primary && no_nulls(conn, table, &nullable)?) {
            usable = Some(key);
            break;
        }
    }
    let Some(unique) = usable else {
        return Err(unusable(
            format!(
                "`{table}` has no key to walk it by in batches: {}, and a batch needs a unique, NOT NULL key to start after",
                listed()
            ),
            "add a primary key to the table (or a unique index on NOT NULL columns), or name such a key with `key = column` / `key = (a, b)`",
        ));
    };
    if unique.columns.len() > MAX_KEY_COLUMNS {
        return Err(unusable(
            format!(
                "its key {} has more than {MAX_KEY_COLUMNS} columns",
                unique.describe()
            ),
            "name a shorter unique key with `key = (a, b)`",
        ));
    }
    let order: Vec<&str> = unique.columns.iter().map(|(c, _, _)| c.as_str()).collect();
    Ok(key_of(unique, &order))
}

/// Whether no row of `table` has a NULL in any of `columns`.
fn no_nulls(conn: &mut AnyConnection, table: &str, columns: &[&str]) -> Result<bool> {
    let dialect = conn.dialect();
    let any_null: Vec<String> = columns
        .iter()
        .map(|c| format!("{} IS NULL", quote_ident(dialect, c)))
        .collect();
    let sql = format!(
        "SELECT COUNT(*) AS n FROM {} WHERE {}",
        migrate_sql::quote_table(dialect, table),
        any_null.join(" OR ")
    );
    let rows = conn
        .query_i64(&sql)
        .map_err(|e| Error::database(format!("looking for NULL keys in `{table}`"), e))?;
    Ok(rows.first().copied().unwrap_or(0) == 0)
}

/// How the catalog queries take a table: PostgreSQL resolves the quoted, possibly qualified
/// name itself (`to_regclass`, the first parameter unused); MySQL takes the database (the
/// current one when `None`) and the name; SQLite the name.
pub(crate) fn catalog_name(dialect: Dialect, table: &str) -> (Option<String>, String) {
    let (schema, name) = migrate_sql::split_table(table);
    match dialect {
        Dialect::Postgres => (None, migrate_sql::quote_table(dialect, table)),
        Dialect::Mysql => (schema.map(str::to_owned), name.to_owned()),
        Dialect::Sqlite => (None, name.to_owned()),
    }
}

/// The table's unique indexes on plain columns, the primary key first.
fn unique_keys(conn: &mut AnyConnection, table: &str) -> Result<Vec<UniqueKey>> {
    let dialect = conn.dialect();
    // PostgreSQL resolves the name itself (`to_regclass`), so it takes the quoted identifier.
    let (schema, name) = catalog_name(dialect, table);
    let sql = catalog::key_candidates(dialect);
    let rows: Vec<Candidate> = with_connection!(conn, c => diesel::sql_query(sql)
        .bind::<diesel::sql_types::Nullable<Text>, _>(&schema)
        .bind::<Text, _>(&name)
        .load(c))
    .map_err(|e| Error::database(format!("reading the keys of `{table}`"), e))?;
    let mut keys: Vec<UniqueKey> = Vec::new();
    for row in rows {
        let column = (row.column_name, row.sql_type, row.not_null != 0);
        match keys.last_mut() {
            Some(key) if key.name == row.index_name && key.primary == (row.is_primary != 0) => {
                key.columns.push(column)
            }
            _ => keys.push(UniqueKey {
                name: row.index_name,
                primary: row.is_primary != 0,
                columns: vec![column],
            }),
        }
    }
    Ok(keys)
}
