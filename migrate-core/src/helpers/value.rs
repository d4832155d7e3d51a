//! Values computed in Rust, written back as SQL literals.
//!
//! `transform_rows!` writes a whole batch in one statement; its values are escaped literals
//! (numbers as written by Rust, text through [`migrate_sql::quote_str`]), never pasted text.

use crate::error::{Error, Result};
use migrate_sql::Dialect;
use migrate_sql::quote_str;

/// A value a row transform can write.
pub trait SqlValue {
    /// The value as a literal of `dialect`.
    fn to_sql_literal(&self, dialect: Dialect) -> Result<String>;
}

macro_rules! integer_literal {
    ($($t:ty),*) => {$(
        impl SqlValue for $t {
            fn to_sql_literal(&self, _: Dialect) -> Result<String> {
                Ok(self.to_string())
            }
        }
    )*};
}

integer_literal!(i8, i16, i32, i64, u8, u16, u32, u64);

macro_rules! float_literal {
    ($($t:ty),*) => {$(
        impl SqlValue for $t {
            fn to_sql_literal(&self, _: Dialect) -> Result<String> {
                if !self.is_finite() {
                    return Err(Error::UnstorableValue(format!(
                        "cannot store {self} in SQL: no database accepts NaN or infinity in a portable way"
                    )));
                }
                // `{:?}` is the shortest text that reads back as the same float, and always has a
                // decimal point or an exponent, so SQL reads it as a float.
                Ok(format!("{self:?}"))
            }
        }
    )*};
}

float_literal!(f32, f64);

impl SqlValue for bool {
    fn to_sql_literal(&self, dialect: Dialect) -> Result<String> {
        Ok(match (dialect, self) {
            (Dialect::Postgres, true) => "TRUE".into(),
            (Dialect::Postgres, false) => "FALSE".into(),
            (_, true) => "1".into(),
            (_, false) => "0".into(),
        })
    }
}

impl SqlValue for str {
    fn to_sql_literal(&self, dialect: Dialect) -> Result<String> {
        quote_str(dialect, self)
            .map_err(|e| Error::UnstorableValue(format!("cannot store this text: {e}")))
    }
}

impl SqlValue for String {
    fn to_sql_literal(&self, dialect: Dialect) -> Result<String> {
        self.as_str().to_sql_literal(dialect)
    }
}

impl<T: SqlValue> SqlValue for Option<T> {
    fn to_sql_literal(&self, dialect: Dialect) -> Result<String> {
        match self {
            Some(value) => value.to_sql_literal(dialect),
            None => Ok("NULL".into()),
        }
    }
}

/// Values written as quoted text that each database converts to the column's type (the
/// transform's bulk update casts them on PostgreSQL).
macro_rules! text_literal {
    ($feature:literal, $t:ty, $text:expr) => {
        #[cfg(feature = $feature)]
        impl SqlValue for $t {
            fn to_sql_literal(&self, dialect: Dialect) -> Result<String> {
                let text: String = $text(self);
                text.to_sql_literal(dialect)
            }
        }
    };
}

text_literal!(
    "chrono",
    chrono::NaiveDateTime,
    |v: &chrono::NaiveDateTime| v.format("%Y-%m-%d %H:%M:%S%.f").to_string()
);
text_literal!("chrono", chrono::NaiveDate, |v: &chrono::NaiveDate| v
    .format("%Y-%m-%d")
    .to_string());
text_literal!("chrono", chrono::NaiveTime, |v: &chrono::NaiveTime| v
    .format("%H:%M:%S%.f")
    .to_string());
text_literal!("uuid", uuid::Uuid, |v: &uuid::Uuid| v
    .hyphenated()
    .to_string());
text_literal!("serde_json", serde_json::Value, |v: &serde_json::Value| v
    .to_string());

#[cfg(feature = "bigdecimal")]
impl SqlValue for bigdecimal::BigDecimal {
    fn to_sql_literal(&self, _: Dialect) -> Result<String> {
        // A plain decimal numeral (no exponent), exact on every database.
        Ok(self.to_plain_string())
    }
}

/// Parses a value a transform read as text (UUIDs, JSON and decimals travel as text, so that
/// every database hands them over the same way); the error names the column.
pub fn parse_text<T: std::str::FromStr>(column: &str, text: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    text.parse().map_err(|e: T::Err| {
        Error::UnstorableValue(format!(
            "cannot read `{column}` value {text:?} as {}: {e}",
            std::any::type_name::<T>()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_read_back_as_the_same_value() {
        assert_eq!(0.1f64.to_sql_literal(Dialect::Sqlite).unwrap(), "0.1");
        assert_eq!(1.0f64.to_sql_literal(Dialect::Sqlite).unwrap(), "1.0");
        assert_eq!(1e300f64.to_sql_literal(Dialect::Mysql).unwrap(), "1e300");
        assert!(f64::NAN.to_sql_literal(Dialect::Postgres).is_err());
        assert_eq!("it's".to_sql_literal(Dialect::Mysql).unwrap(), "'it''s'");
        assert_eq!(
            None::<i32>.to_sql_literal(Dialect::Postgres).unwrap(),
            "NULL"
        );
        assert_eq!(true.to_sql_literal(Dialect::Postgres).unwrap(), "TRUE");
        assert_eq!(
            i64::MIN.to_sql_literal(Dialect::Sqlite).unwrap(),
            "-9223372036854775808"
        );
    }
}
