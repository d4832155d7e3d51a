//! `x as i64`, `as i32`, `as f64`, `as String`, `as bool`: Rust's meaning on every database.
//!
//! Each database's `CAST` differs where it matters (float to integer rounds on PostgreSQL and
//! MySQL but truncates on SQLite; a boolean prints as `true` on PostgreSQL and `1` elsewhere), so
//! the rendering depends on the type of the value converted.

use super::CastTarget;
use super::error::Untranslatable;
use super::render::Sql;
use super::types::ValueType;
use crate::Dialect;

/// `x as to`.
pub(crate) fn cast(x: Sql, to: CastTarget, dialect: Dialect) -> Result<Sql, Untranslatable> {
    let construct = format!("`as {}`", to.rust_name());
    match to {
        CastTarget::I64 | CastTarget::I32 => to_integer(x, &construct, dialect),
        CastTarget::F64 => to_float(x, &construct, dialect),
        CastTarget::String => to_text(x, &construct, dialect),
        CastTarget::Bool => to_boolean(x, &construct, dialect),
    }
}

fn refuse(
    construct: &str,
    x: &Sql,
    dialect: Dialect,
    converts: &str,
    hint: &str,
) -> Untranslatable {
    Untranslatable::rule(
        construct,
        dialect,
        format!("converts {converts}, not {}{hint}", x.ty.describe()),
    )
}

/// Why a float has no portable text form.
pub(crate) const FLOAT_TEXT: &str = "each database writes floats differently (SQLite writes `1.0` where PostgreSQL and MySQL write `1`): convert it to an integer first, as in `(x * 100.0) as i64`";

/// A 64-bit integer; floats truncate toward zero and text holding a number is parsed, as Rust's
/// `as` and `str::parse` would.
fn to_integer(x: Sql, construct: &str, dialect: Dialect) -> Result<Sql, Untranslatable> {
    let v = &x.text;
    let text = match (x.ty, dialect) {
        (ValueType::Integer | ValueType::Null, Dialect::Postgres) => format!("CAST({v} AS BIGINT)"),
        (ValueType::Integer | ValueType::Null, Dialect::Mysql) => format!("CAST({v} AS SIGNED)"),
        (ValueType::Boolean, _) => format!("CASE WHEN {v} THEN 1 WHEN NOT {v} THEN 0 END"),
        (ValueType::Float, Dialect::Postgres) => format!("CAST(TRUNC({v}) AS BIGINT)"),
        // A column may hold floats, decimals or text: going through NUMERIC truncates all of
        // them (a plain CAST would round floats, and refuse text like '4.7').
        (ValueType::Text | ValueType::Unknown, Dialect::Postgres) => {
            format!("CAST(TRUNC(CAST({v} AS NUMERIC)) AS BIGINT)")
        }
        // TRUNCATE also keeps strict mode from rejecting text like '4.7' in an UPDATE.
        (ValueType::Float | ValueType::Text | ValueType::Unknown, Dialect::Mysql) => {
            format!("CAST(TRUNCATE({v}, 0) AS SIGNED)")
        }
        // SQLite's CAST already truncates floats and parses a numeric prefix of text.
        (
            ValueType::Integer
            | ValueType::Null
            | ValueType::Float
            | ValueType::Text
            | ValueType::Unknown,
            Dialect::Sqlite,
        ) => format!("CAST({v} AS INTEGER)"),
        (ValueType::Timestamp, _) => {
            return Err(refuse(
                construct,
                &x,
                dialect,
                "numbers, booleans and text holding a number",
                ": take a part with `year(..)`, `month(..)` or `day(..)`",
            ));
        }
    };
    Ok(Sql::new(text, ValueType::Integer))
}

fn to_float(x: Sql, construct: &str, dialect: Dialect) -> Result<Sql, Untranslatable> {
    match x.ty {
        ValueType::Float => return Ok(x),
        ValueType::Boolean | ValueType::Timestamp => {
            return Err(refuse(
                construct,
                &x,
                dialect,
                "numbers and text holding a number",
                "",
            ));
        }
        ValueType::Integer | ValueType::Text | ValueType::Null | ValueType::Unknown => {}
    }
    let ty = match dialect {
        Dialect::Postgres => "DOUBLE PRECISION",
        Dialect::Mysql => "DOUBLE",
        Dialect::Sqlite => "REAL",
    };
    Ok(Sql::new(
        format!("CAST({} AS {ty})", x.text),
        ValueType::Float,
    ))
}

/// Text in the form every database agrees on: integers and timestamps as usual, booleans as
/// `true`/`false` (Rust's form; PostgreSQL would say `true`, the others `1`).
pub(crate) fn to_text(x: Sql, construct: &str, dialect: Dialect) -> Result<Sql, Untranslatable> {
    let v = &x.text;
    let text = match x.ty {
        ValueType::Text => return Ok(x),
        ValueType::Boolean => {
            format!("CASE WHEN {v} THEN 'true' WHEN NOT {v} THEN 'false' END")
        }
        ValueType::Float => {
            return Err(Untranslatable::rule(
                construct,
                dialect,
                format!("cannot convert a float: {FLOAT_TEXT}"),
            ));
        }
        ValueType::Integer | ValueType::Timestamp | ValueType::Null | ValueType::Unknown => {
            match dialect {
                Dialect::Postgres | Dialect::Sqlite => format!("CAST({v} AS TEXT)"),
                Dialect::Mysql => format!("CAST({v} AS CHAR)"),
            }
        }
    };
    Ok(Sql::new(text, ValueType::Text))
}

/// `x <> 0` for integers, as C and SQL read numbers as conditions.
fn to_boolean(x: Sql, construct: &str, dialect: Dialect) -> Result<Sql, Untranslatable> {
    match x.ty {
        ValueType::Boolean => Ok(x),
        ValueType::Integer | ValueType::Null | ValueType::Unknown => {
            Ok(Sql::new(format!("({} <> 0)", x.text), ValueType::Boolean))
        }
        ValueType::Float | ValueType::Text | ValueType::Timestamp => Err(refuse(
            construct,
            &x,
            dialect,
            "integers (0 is false)",
            ": compare instead, as in `x != \"\"`",
        )),
    }
}
