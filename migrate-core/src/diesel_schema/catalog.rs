//! Reading the tables, columns, primary keys and foreign keys `schema.rs` describes, with the
//! queries and rules of Diesel CLI's `infer_schema_internals`.

use super::names::{is_reserved_name, rust_name_for_sql_name};
use super::{Column, ColumnType, ForeignKey, SchemaOptions, Table, TableName, Tables};
use crate::connection::AnyConnection;
use crate::error::{Error, Result};
use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};
use migrate_sql::runtime::diesel::print_schema as sql;

/// Diesel CLI takes PostgreSQL's default schema to be `public`.
const POSTGRES_DEFAULT_SCHEMA: &str = "public";

pub(super) fn load(conn: &mut AnyConnection, options: &SchemaOptions<'_>) -> Result<Tables> {
    let mut names = table_names(conn, options.schema)?;
    names.retain(|t| (options.keep_table)(&t.sql_name));
    let mut foreign_keys = foreign_keys(conn, options.schema)?;
    foreign_keys.sort();
    for fk in &mut foreign_keys {
        for name in &mut fk.child_columns_rust {
            if is_reserved_name(name) {
                name.push('_');
            }
        }
    }
    let foreign_keys = safe_foreign_keys(conn, foreign_keys, &names)?;
    let tables = names
        .into_iter()
        .map(|name| table(conn, name))
        .collect::<Result<Vec<_>>>()?;
    Ok(Tables {
        tables,
        foreign_keys,
    })
}

fn catalog_error(e: diesel::result::Error) -> Error {
    Error::database("reading the catalog for schema.rs", e)
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    v: String,
}

/// The tables, sorted by name; a schema other than the default is kept in their names.
fn table_names(conn: &mut AnyConnection, schema: Option<&str>) -> Result<Vec<TableName>> {
    let kept_schema = schema.filter(|s| *s != POSTGRES_DEFAULT_SCHEMA);
    let mut names: Vec<String> = match conn {
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => diesel::sql_query(sql::SQLITE_TABLES).load::<Name>(c),
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => diesel::sql_query(sql::POSTGRES_TABLES)
            .bind::<Text, _>(schema.unwrap_or(POSTGRES_DEFAULT_SCHEMA))
            .load::<Name>(c),
        #[cfg(feature = "mysql")]
        AnyConnection::Mysql(c) => diesel::sql_query(sql::MYSQL_TABLES).load::<Name>(c),
    }
    .map_err(catalog_error)?
    .into_iter()
    .map(|n| n.v)
    .collect();
    names.sort_unstable();
    Ok(names
        .into_iter()
        .map(|name| TableName::new(name, kept_schema))
        .collect())
}

fn primary_key(conn: &mut AnyConnection, table: &TableName) -> Result<Vec<String>> {
    match conn {
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(_) => {
            let columns = sqlite_columns(conn, table)?;
            let mut keys: Vec<String> = columns
                .iter()
                .filter(|c| c.pk != 0)
                .map(|c| c.name.clone())
                .collect();
            // A table without a declared key is keyed by its rowid, under the first alias
            // that no column hides.
            if keys.is_empty()
                && let Some(alias) = ["rowid", "oid", "_rowid_"]
                    .into_iter()
                    .find(|alias| !columns.iter().any(|c| c.name == *alias))
            {
                keys.push(alias.to_owned());
            }
            Ok(keys)
        }
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => Ok(diesel::sql_query(sql::POSTGRES_PRIMARY_KEY)
            .bind::<Text, _>(&table.sql_name)
            .bind::<Text, _>(table.schema.as_deref().unwrap_or(POSTGRES_DEFAULT_SCHEMA))
            .load::<Name>(c)
            .map_err(catalog_error)?
            .into_iter()
            .map(|n| n.v)
            .collect()),
        #[cfg(feature = "mysql")]
        AnyConnection::Mysql(c) => Ok(diesel::sql_query(sql::MYSQL_PRIMARY_KEY)
            .bind::<Text, _>(&table.sql_name)
            .load::<Name>(c)
            .map_err(catalog_error)?
            .into_iter()
            .map(|n| n.v)
            .collect()),
    }
}

#[cfg(feature = "sqlite")]
#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    type_name: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    not_null: i32,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    pk: i32,
}

#[cfg(feature = "sqlite")]
fn sqlite_columns(conn: &mut AnyConnection, table: &TableName) -> Result<Vec<SqliteColumn>> {
    #[allow(irrefutable_let_patterns)]
    let AnyConnection::Sqlite(c) = conn else {
        return Ok(Vec::new());
    };
    let quoted = migrate_sql::quote_str(migrate_sql::Dialect::Sqlite, &table.sql_name)
        .map_err(|e| Error::msg(format!("table `{}`: {e}", table.sql_name)))?;
    diesel::sql_query(sql::sqlite_columns(&quoted))
        .load(c)
        .map_err(catalog_error)
}

#[cfg(feature = "postgres")]
#[derive(QueryableByName)]
struct PostgresColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    type_name: String,
    #[diesel(sql_type = Text)]
    nullable: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Integer>)]
    max_length: Option<i32>,
}

/// A table's primary key and columns with their types.
fn table(conn: &mut AnyConnection, name: TableName) -> Result<Table> {
    let primary_key = primary_key(conn, &name)?;
    if primary_key.is_empty() {
        return Err(Error::Configuration {
            message: format!(
                "table `{}` has no primary key, and Diesel's `table!` needs one",
                name.sql_name
            ),
            hint: "add a primary key, or leave the table out with `filter = { except_tables = [...] }` in diesel.toml's [print_schema]".into(),
        });
    }
    let mut columns = match conn {
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(_) => sqlite_table_columns(conn, &name, &primary_key)?,
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => {
            let rows: Vec<PostgresColumn> = diesel::sql_query(sql::POSTGRES_COLUMNS)
                .bind::<Text, _>(&name.sql_name)
                .bind::<Text, _>(name.schema.as_deref().unwrap_or(POSTGRES_DEFAULT_SCHEMA))
                .load(c)
                .map_err(catalog_error)?;
            rows.into_iter()
                .map(|row| postgres_column(&name, row))
                .collect::<Result<Vec<_>>>()?
        }
        #[cfg(feature = "mysql")]
        AnyConnection::Mysql(c) => {
            let rows: Vec<MysqlColumn> = diesel::sql_query(sql::MYSQL_COLUMNS)
                .bind::<Text, _>(&name.sql_name)
                .load(c)
                .map_err(catalog_error)?;
            rows.into_iter()
                .map(|row| mysql_column(&name, row))
                .collect::<Result<Vec<_>>>()?
        }
    };
    for column in &mut columns {
        column.rust_name = rust_name_for_sql_name(&column.sql_name, Some(&name));
    }
    let primary_key = primary_key
        .iter()
        .map(|k| rust_name_for_sql_name(k, Some(&name)))
        .collect();
    Ok(Table {
        name,
        primary_key,
        columns,
    })
}

#[cfg(feature = "sqlite")]
fn sqlite_table_columns(
    conn: &mut AnyConnection,
    table: &TableName,
    primary_key: &[String],
) -> Result<Vec<Column>> {
    let rows = sqlite_columns(conn, table)?;
    let mut columns = Vec::with_capacity(rows.len() + 1);
    // A rowid key that is no declared column is still a column of `table!`.
    if let [key] = primary_key
        && !rows.iter().any(|r| &r.name == key)
    {
        columns.push(Column {
            sql_name: key.clone(),
            rust_name: String::new(),
            ty: ColumnType {
                rust_name: "Integer".into(),
                is_array: false,
                is_unsigned: false,
                is_nullable: false,
                max_length: None,
            },
        });
    }
    for row in rows {
        let type_name = row.type_name.to_lowercase();
        let Some(rust_name) = sqlite_type(&type_name) else {
            return Err(unsupported_type(table, &row.name, &row.type_name));
        };
        columns.push(Column {
            sql_name: row.name,
            rust_name: String::new(),
            ty: ColumnType {
                rust_name: rust_name.into(),
                is_array: false,
                is_unsigned: false,
                is_nullable: row.not_null == 0,
                max_length: None,
            },
        });
    }
    Ok(columns)
}

#[cfg(feature = "sqlite")]
/// Diesel CLI's SQLite type affinity rules (without `sqlite_integer_primary_key_is_bigint`).
fn sqlite_type(type_name: &str) -> Option<&'static str> {
    let type_name = if type_name == "generated always" {
        ""
    } else {
        type_name
    };
    let has = |s: &str| type_name.contains(s);
    Some(
        if type_name == "boolean" || type_name == "bool" || (has("tiny") && has("int")) {
            "Bool"
        } else if type_name == "int2" || (has("small") && has("int")) {
            "SmallInt"
        } else if type_name == "int8" || (has("big") && has("int")) {
            "BigInt"
        } else if has("int") {
            "Integer"
        } else if has("char") || has("clob") || has("text") {
            "Text"
        } else if has("blob") || has("binary") || type_name.is_empty() {
            "Binary"
        } else if has("float") || has("real") {
            "Float"
        } else if has("double") || has("num") || has("dec") {
            "Double"
        } else if type_name == "datetime" || type_name == "timestamp" {
            "Timestamp"
        } else if type_name == "date" {
            "Date"
        } else if type_name == "time" {
            "Time"
        } else {
            return None;
        },
    )
}

/// The SQL types Diesel provides on every backend (`diesel::sql_types`, with their aliases).
#[cfg(any(feature = "postgres", feature = "mysql"))]
const DIESEL_TYPES: &[&str] = &[
    "Bool",
    "Integer",
    "SmallInt",
    "BigInt",
    "Binary",
    "Text",
    "Double",
    "Float",
    "Numeric",
    "Timestamp",
    "Date",
    "Time",
    "Float4",
    "Smallint",
    "Int2",
    "Int4",
    "Int8",
    "Bigint",
    "Float8",
    "Decimal",
    "VarChar",
    "Varchar",
    "Char",
    "Tinytext",
    "Mediumtext",
    "Longtext",
    "Tinyblob",
    "Blob",
    "Mediumblob",
    "Longblob",
    "Varbinary",
    "Bit",
];

/// Whether Diesel provides the SQL type `rust_name`: one of every backend's, or of `own`.
#[cfg(any(feature = "postgres", feature = "mysql"))]
fn is_diesel_type(own: &[&str], rust_name: &str) -> bool {
    DIESEL_TYPES.contains(&rust_name) || own.contains(&rust_name)
}

/// The PostgreSQL types Diesel provides besides [`DIESEL_TYPES`]; any other needs a custom SQL
/// type definition.
#[cfg(feature = "postgres")]
const POSTGRES_DIESEL_TYPES: &[&str] = &[
    "Cidr",
    "Citext",
    "Inet",
    "Jsonb",
    "MacAddr",
    "MacAddr8",
    "Money",
    "Oid",
    "Range",
    "Timestamptz",
    "Uuid",
    "Json",
    "PgLsn",
    "Record",
    "Interval",
    "Int4range",
    "Int8range",
    "Daterange",
    "Numrange",
    "Tsrange",
    "Tstzrange",
    "Int4multirange",
    "Int8multirange",
    "Datemultirange",
    "Nummultirange",
    "Tsmultirange",
    "Tstzmultirange",
    "SmallSerial",
    "BigSerial",
    "Serial",
    "Bytea",
    "Bpchar",
    "Macaddr",
    "Macaddr8",
];

#[cfg(feature = "postgres")]
fn postgres_column(table: &TableName, row: PostgresColumn) -> Result<Column> {
    let (is_array, type_name) = match row.type_name.strip_prefix('_') {
        Some(element) => (true, element),
        None => (false, row.type_name.as_str()),
    };
    let rust_name = super::names::upper_camel_case(type_name);
    if !is_diesel_type(POSTGRES_DIESEL_TYPES, &rust_name) {
        return Err(unsupported_type(table, &row.name, &row.type_name));
    }
    Ok(Column {
        rust_name: String::new(),
        ty: ColumnType {
            rust_name,
            is_array,
            is_unsigned: false,
            is_nullable: row.nullable == "YES",
            max_length: row.max_length.and_then(|n| u64::try_from(n).ok()),
        },
        sql_name: row.name,
    })
}

#[cfg(feature = "mysql")]
#[derive(QueryableByName)]
struct MysqlColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    type_name: String,
    #[diesel(sql_type = Text)]
    nullable: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    max_length: Option<i64>,
}

/// The MySQL types Diesel provides besides [`DIESEL_TYPES`]; any other needs a custom SQL type
/// definition.
#[cfg(feature = "mysql")]
const MYSQL_DIESEL_TYPES: &[&str] = &["TinyInt", "Tinyint", "Datetime", "Json"];

/// Diesel CLI's MySQL mapping: `column_type` without its `(...)` (`tinyint(1)` is `Bool`, any
/// `int…` is `Integer`), `unsigned` as `Unsigned<…>`, a length only for types written with one.
#[cfg(feature = "mysql")]
fn mysql_column(table: &TableName, row: MysqlColumn) -> Result<Column> {
    let column_type = row.type_name.as_str();
    let base = if column_type == "tinyint(1)" {
        "bool"
    } else if column_type.starts_with("int") {
        "integer"
    } else if let Some(i) = column_type.find('(') {
        &column_type[..i]
    } else {
        column_type
    };
    let is_unsigned = column_type.to_lowercase().contains("unsigned");
    let base = if base.to_lowercase().contains("unsigned") {
        base.to_lowercase()
            .replace("unsigned", "")
            .trim()
            .to_owned()
    } else if base.contains(' ') {
        return Err(unsupported_type(table, &row.name, column_type));
    } else {
        base.to_owned()
    };
    let rust_name = super::names::upper_camel_case(base.trim());
    if !is_diesel_type(MYSQL_DIESEL_TYPES, &rust_name) {
        return Err(unsupported_type(table, &row.name, column_type));
    }
    Ok(Column {
        rust_name: String::new(),
        ty: ColumnType {
            rust_name,
            is_array: false,
            is_unsigned,
            is_nullable: row.nullable == "YES",
            max_length: row
                .max_length
                .filter(|_| column_type.contains('('))
                .and_then(|n| u64::try_from(n).ok()),
        },
        sql_name: row.name,
    })
}

fn unsupported_type(table: &TableName, column: &str, type_name: &str) -> Error {
    Error::Configuration {
        message: format!(
            "column `{}.{column}` has type `{type_name}`, which this schema.rs generator does not map (Diesel would define a custom SQL type for it)",
            table.sql_name
        ),
        hint: "run `diesel print-schema` for this schema, or leave the table out with `filter = { except_tables = [...] }`".into(),
    }
}

#[cfg(feature = "postgres")]
#[derive(QueryableByName)]
struct PostgresForeignKey {
    #[diesel(sql_type = Text)]
    child_table: String,
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    child_columns: Vec<String>,
    #[diesel(sql_type = Text)]
    parent_table: String,
    #[diesel(sql_type = diesel::sql_types::Array<Text>)]
    parent_columns: Vec<String>,
}

#[cfg(feature = "mysql")]
#[derive(QueryableByName)]
struct MysqlForeignKey {
    #[diesel(sql_type = Text)]
    constraint_name: String,
    #[diesel(sql_type = Text)]
    child_table: String,
    #[diesel(sql_type = Text)]
    child_column: String,
    #[diesel(sql_type = Text)]
    parent_table: String,
    #[diesel(sql_type = Text)]
    parent_column: String,
}

#[cfg(feature = "sqlite")]
#[derive(QueryableByName)]
struct SqliteForeignKey {
    #[diesel(sql_type = Text)]
    parent_table: String,
    #[diesel(sql_type = Text)]
    child_column: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    parent_column: Option<String>,
}

/// Every foreign key between tables of the schema, filtered or not.
#[cfg_attr(not(feature = "postgres"), allow(unused_variables))] // `schema` is PostgreSQL's.
fn foreign_keys(conn: &mut AnyConnection, schema: Option<&str>) -> Result<Vec<ForeignKey>> {
    #[cfg(feature = "postgres")]
    #[allow(irrefutable_let_patterns)]
    if let AnyConnection::Postgres(c) = conn {
        let kept_schema = schema.filter(|s| *s != POSTGRES_DEFAULT_SCHEMA);
        let rows: Vec<PostgresForeignKey> = diesel::sql_query(sql::POSTGRES_FOREIGN_KEYS)
            .bind::<Text, _>(schema.unwrap_or(POSTGRES_DEFAULT_SCHEMA))
            .load(c)
            .map_err(catalog_error)?;
        return Ok(rows
            .into_iter()
            .map(|row| {
                let child_table = TableName::new(row.child_table, kept_schema);
                ForeignKey {
                    child_columns_rust: row
                        .child_columns
                        .iter()
                        .map(|c| rust_name_for_sql_name(c, Some(&child_table)))
                        .collect(),
                    child_columns: row.child_columns,
                    parent_table: TableName::new(row.parent_table, kept_schema),
                    parent_columns: row.parent_columns,
                    child_table,
                }
            })
            .collect());
    }
    #[cfg(feature = "mysql")]
    #[allow(irrefutable_let_patterns)]
    if let AnyConnection::Mysql(c) = conn {
        let rows: Vec<MysqlForeignKey> = diesel::sql_query(sql::MYSQL_FOREIGN_KEYS)
            .load(c)
            .map_err(catalog_error)?;
        // One row per column, in order within each constraint.
        let mut keys: Vec<(String, ForeignKey)> = Vec::new();
        for row in rows {
            let child_table = TableName::new(row.child_table, None);
            let rust = rust_name_for_sql_name(&row.child_column, Some(&child_table));
            match keys
                .iter_mut()
                .find(|(name, _)| *name == row.constraint_name)
            {
                Some((_, fk)) => {
                    fk.child_columns.push(row.child_column);
                    fk.child_columns_rust.push(rust);
                    fk.parent_columns.push(row.parent_column);
                }
                None => keys.push((
                    row.constraint_name,
                    ForeignKey {
                        child_table,
                        parent_table: TableName::new(row.parent_table, None),
                        child_columns: vec![row.child_column],
                        child_columns_rust: vec![rust],
                        parent_columns: vec![row.parent_column],
                    },
                )),
            }
        }
        return Ok(keys.into_iter().map(|(_, fk)| fk).collect());
    }
    #[allow(unused_mut)] // Only SQLite's foreign keys are gathered here.
    let mut keys = Vec::new();
    #[cfg(feature = "sqlite")]
    for child_table in table_names(conn, None)? {
        let quoted = migrate_sql::quote_str(migrate_sql::Dialect::Sqlite, &child_table.sql_name)
            .map_err(|e| Error::msg(format!("table `{}`: {e}", child_table.sql_name)))?;
        let rows: Vec<SqliteForeignKey> = match conn {
            AnyConnection::Sqlite(c) => diesel::sql_query(sql::sqlite_foreign_keys(&quoted))
                .load(c)
                .map_err(catalog_error)?,
            #[allow(unreachable_patterns)]
            _ => Vec::new(),
        };
        for row in rows {
            let parent_table = TableName::new(row.parent_table, None);
            let parent_columns = match row.parent_column {
                Some(column) => vec![column],
                None => primary_key(conn, &parent_table)?,
            };
            keys.push(ForeignKey {
                child_columns_rust: vec![rust_name_for_sql_name(
                    &row.child_column,
                    Some(&child_table),
                )],
                child_columns: vec![row.child_column],
                child_table: child_table.clone(),
                parent_table,
                parent_columns,
            });
        }
    }
    Ok(keys)
}

/// The foreign keys `joinable!` can express (Diesel CLI's `remove_unsafe_foreign_keys_for_codegen`):
/// one per pair of tables, not to itself, between printed tables, of one column, referencing the
/// parent's single-column primary key.
fn safe_foreign_keys(
    conn: &mut AnyConnection,
    keys: Vec<ForeignKey>,
    printed: &[TableName],
) -> Result<Vec<ForeignKey>> {
    let ordered = |fk: &ForeignKey| {
        let mut pair = [fk.child_table.clone(), fk.parent_table.clone()];
        pair.sort();
        pair
    };
    let duplicated: Vec<[TableName; 2]> = keys
        .iter()
        .map(ordered)
        .filter(|pair| keys.iter().filter(|fk| ordered(fk) == *pair).count() > 1)
        .collect();
    let mut safe = Vec::new();
    for fk in &keys {
        if fk.parent_table == fk.child_table
            || !printed.contains(&fk.parent_table)
            || !printed.contains(&fk.child_table)
            || fk.child_columns.len() != 1
        {
            continue;
        }
        let parent_key = primary_key(conn, &fk.parent_table)?;
        if parent_key.len() != 1 || parent_key.first() != fk.parent_columns.first() {
            continue;
        }
        if duplicated.contains(&ordered(fk)) {
            continue;
        }
        safe.push(fk.clone());
    }
    Ok(safe)
}
