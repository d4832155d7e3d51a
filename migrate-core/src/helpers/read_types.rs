//! Whether a row transform's closure can read the columns it names as the Rust types it
//! declares, checked against the catalog (and the rows, for NULLs) before anything changes:
//! a PostgreSQL `numeric` read as `f64`, an `integer` read as `i64`, or a NULL read into a
//! type that is not an `Option` would otherwise fail in the first batch, after earlier steps
//! committed.

use crate::connection::{AnyConnection, with_connection};
use crate::error::{Error, Result};
use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};
use migrate_sql::runtime::catalog;
use migrate_sql::{ColumnType, Dialect, quote_ident};

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    sql_type: String,
    #[diesel(sql_type = BigInt)]
    not_null: i64,
}

/// What a closure parameter reads: the column, the type its Rust type reads, and whether it is
/// an `Option`.
pub type ReadColumn = (&'static str, ColumnType, bool);

/// The columns of `table`, as the catalog describes them, in table order.
fn columns(conn: &mut AnyConnection, table: &str) -> Result<Vec<Column>> {
    let dialect = conn.dialect();
    let (schema, name) = super::key::catalog_name(dialect, table);
    with_connection!(conn, c => diesel::sql_query(catalog::table_columns(dialect))
        .bind::<diesel::sql_types::Nullable<Text>, _>(&schema)
        .bind::<Text, _>(&name)
        .load(c))
    .map_err(|e| Error::database(format!("reading the columns of `{table}`"), e))
}

/// The names of `table`'s columns, in table order.
pub(crate) fn column_names(conn: &mut AnyConnection, table: &str) -> Result<Vec<String>> {
    Ok(columns(conn, table)?
        .into_iter()
        .map(|c| c.column_name)
        .collect())
}

/// The names of `table`'s columns that allow NULL.
pub(crate) fn nullable_columns(conn: &mut AnyConnection, table: &str) -> Result<Vec<String>> {
    Ok(columns(conn, table)?
        .into_iter()
        .filter(|c| c.not_null == 0)
        .map(|c| c.column_name)
        .collect())
}

/// Refuses a transform whose closure cannot read `columns` of `table` as declared.
pub(crate) fn check(conn: &mut AnyConnection, table: &str, columns: &[ReadColumn]) -> Result<()> {
    let dialect = conn.dialect();
    let found = self::columns(conn, table)?;
    let refuse = |message: String, hint: String| Error::TypeMismatch { message, hint };
    for (column, declared, optional) in columns {
        let Some(actual) = found.iter().find(|c| c.column_name == *column) else {
            let names: Vec<&str> = found.iter().map(|c| c.column_name.as_str()).collect();
            return Err(refuse(
                format!(
                    "`transform_rows!` reads `{table}.{column}`, which does not exist (its columns are {})",
                    names.join(", ")
                ),
                "name the table's columns as the closure's parameters".into(),
            ));
        };
        if let Some(readable) = readable_as(dialect, &actual.sql_type, *declared) {
            return Err(refuse(
                format!(
                    "`transform_rows!` reads `{table}.{column}` ({}) as {}, which {} cannot hand over",
                    actual.sql_type,
                    rust_name(*declared),
                    dialect.display_name()
                ),
                format!("declare the parameter as {readable}"),
            ));
        }
        if actual.not_null == 0 && !optional {
            let sql = format!(
                "SELECT COUNT(*) AS n FROM {} WHERE {} IS NULL",
                migrate_sql::quote_table(dialect, table),
                quote_ident(dialect, column)
            );
            let nulls = conn
                .query_i64(&sql)
                .map_err(|e| Error::statement(&sql, &e))?
                .first()
                .copied()
                .unwrap_or(0);
            if nulls > 0 {
                let ty = rust_name(*declared);
                return Err(refuse(
                    format!(
                        "`transform_rows!` reads `{table}.{column}` as {ty}, but it is NULL in {nulls} rows"
                    ),
                    format!(
                        "declare the parameter as `Option<{}>`",
                        ty.trim_matches('`')
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The Rust type a parameter declared as `declared` reads.
fn rust_name(declared: ColumnType) -> &'static str {
    match declared {
        ColumnType::SmallInt => "`i16`",
        ColumnType::Integer => "`i32`",
        ColumnType::BigInt => "`i64`",
        ColumnType::Real => "`f32`",
        ColumnType::Double => "`f64`",
        ColumnType::Boolean => "`bool`",
        ColumnType::Timestamp => "`NaiveDateTime`",
        ColumnType::Date => "`NaiveDate`",
        ColumnType::Time => "`NaiveTime`",
        ColumnType::Uuid => "`Uuid`",
        ColumnType::Json | ColumnType::Jsonb => "`serde_json::Value`",
        ColumnType::Numeric => "`BigDecimal`",
        _ => "`String`",
    }
}

/// `None` when a column of catalog type `sql_type` can be read as `declared`; otherwise the
/// Rust type that reads it, for the hint. PostgreSQL sends values in binary form, so widths
/// must match exactly; MySQL and SQLite convert between numbers, but not text to numbers.
fn readable_as(dialect: Dialect, sql_type: &str, declared: ColumnType) -> Option<&'static str> {
    let t = sql_type.to_ascii_lowercase();
    let base = t.split(['(', ' ']).next().unwrap_or_default().to_owned();
    let fits = match (dialect, declared) {
        // Read as text and parsed: any column whose text is such a value.
        (_, ColumnType::Uuid) => ["uuid", "char", "varchar", "character", "text"]
            .iter()
            .any(|k| t.starts_with(k)),
        (_, ColumnType::Json | ColumnType::Jsonb) => {
            ["json", "text", "longtext", "varchar", "character"]
                .iter()
                .any(|k| t.starts_with(k))
        }
        (_, ColumnType::Numeric) => [
            "numeric", "decimal", "int", "bigint", "smallint", "real", "double", "float",
        ]
        .iter()
        .any(|k| t.starts_with(k)),
        (Dialect::Postgres, ColumnType::Timestamp) => t.starts_with("timestamp"),
        (Dialect::Postgres, ColumnType::Date) => t == "date",
        (Dialect::Postgres, ColumnType::Time) => t.starts_with("time without"),
        (Dialect::Mysql, ColumnType::Timestamp) => base == "datetime" || base == "timestamp",
        (Dialect::Mysql, ColumnType::Date) => base == "date",
        (Dialect::Mysql, ColumnType::Time) => base == "time",
        (Dialect::Sqlite, ColumnType::Timestamp | ColumnType::Date | ColumnType::Time) => true,
        (Dialect::Postgres, _) => match declared {
            ColumnType::SmallInt => base == "smallint",
            ColumnType::Integer => base == "integer",
            ColumnType::BigInt => base == "bigint",
            ColumnType::Real => base == "real",
            ColumnType::Double => t.starts_with("double precision"),
            ColumnType::Boolean => base == "boolean",
            _ => ["text", "character", "varchar", "name", "citext"]
                .iter()
                .any(|k| t.starts_with(k)),
        },
        (Dialect::Mysql | Dialect::Sqlite, _) => {
            let integer = [
                "int",
                "integer",
                "smallint",
                "tinyint",
                "mediumint",
                "bigint",
            ]
            .contains(&base.as_str());
            let float = ["double", "float", "real", "decimal", "numeric"]
                .iter()
                .any(|k| base.starts_with(k));
            let text = [
                "char",
                "varchar",
                "text",
                "tinytext",
                "mediumtext",
                "longtext",
                "clob",
            ]
            .iter()
            .any(|k| base.contains(k));
            match declared {
                ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt => integer,
                ColumnType::Real | ColumnType::Double => float || integer,
                ColumnType::Boolean => integer || base == "boolean" || base == "bool",
                // SQLite reads anything as text; a column with no declared type holds anything.
                _ => text || dialect == Dialect::Sqlite,
            }
        }
    };
    if fits {
        return None;
    }
    Some(match (dialect, base.as_str()) {
        (Dialect::Postgres, "smallint") => "`i16`",
        (Dialect::Postgres, "integer") => "`i32`",
        (Dialect::Postgres, "bigint") => "`i64`",
        (Dialect::Postgres, "real") => "`f32`",
        (Dialect::Postgres, "double") => "`f64`",
        (Dialect::Postgres, "boolean") => "`bool`",
        (Dialect::Postgres, "numeric") => {
            "a type that reads decimals, which transforms do not support yet: cast the column (`ALTER TABLE ... TYPE DOUBLE PRECISION`) or compute it with `update!`/`backfill!` and a SQL expression"
        }
        _ => {
            "a type of the column's kind (`i16`/`i32`/`i64` for integers, `f32`/`f64` for floats, `String` for text)"
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_widths_must_match_and_numeric_is_refused() {
        assert_eq!(
            readable_as(Dialect::Postgres, "integer", ColumnType::Integer),
            None
        );
        assert_eq!(
            readable_as(Dialect::Postgres, "integer", ColumnType::BigInt),
            Some("`i32`")
        );
        assert!(readable_as(Dialect::Postgres, "numeric(10,2)", ColumnType::Double).is_some());
        assert_eq!(
            readable_as(Dialect::Postgres, "character varying(20)", ColumnType::Text),
            None
        );
        assert_eq!(
            readable_as(Dialect::Mysql, "int(11)", ColumnType::BigInt),
            None
        );
        assert_eq!(
            readable_as(Dialect::Mysql, "decimal(10,2)", ColumnType::Double),
            None
        );
        assert!(readable_as(Dialect::Mysql, "varchar(20)", ColumnType::Integer).is_some());
        assert_eq!(
            readable_as(Dialect::Sqlite, "INTEGER", ColumnType::Double),
            None
        );
    }
}
