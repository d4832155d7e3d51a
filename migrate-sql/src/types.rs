//! Column types, written once and translated per dialect.

use crate::Dialect;
use std::fmt;

/// A portable column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// 16-bit integer.
    SmallInt,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    BigInt,
    /// Double-precision float.
    Double,
    /// Single-precision float.
    Real,
    /// Exact decimal with precision and scale.
    Decimal(u8, u8),
    /// True or false.
    Boolean,
    /// Text of at most this many characters.
    Varchar(u32),
    /// Text without a declared limit.
    Text,
    /// A calendar date.
    Date,
    /// A date and time without time zone.
    Timestamp,
    /// An instant: a date and time with time zone (PostgreSQL `TIMESTAMPTZ`). MySQL and SQLite
    /// have no zoned type: they store it as `DATETIME(6)` / text, in UTC by convention.
    TimestampTz,
    /// A time of day.
    Time,
    /// A JSON document (PostgreSQL `JSON`, MySQL `JSON`, SQLite text).
    Json,
    /// A JSON document in PostgreSQL's binary form (`JSONB`; `JSON` on MySQL, text on SQLite).
    Jsonb,
    /// A UUID (PostgreSQL `UUID`; `CHAR(36)` on MySQL, text on SQLite).
    Uuid,
    /// Bytes (PostgreSQL `BYTEA`, MySQL `LONGBLOB`, SQLite `BLOB`).
    Binary,
}

/// Why a type name was not understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownType(pub String);

impl fmt::Display for UnknownType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown column type `{}`; known types are {}",
            self.0,
            ColumnType::KNOWN
        )
    }
}

impl std::error::Error for UnknownType {}

impl ColumnType {
    /// The type names [`ColumnType::parse`] accepts, for error messages.
    pub const KNOWN: &'static str = "SMALLINT, INTEGER (INT), BIGINT, DOUBLE, REAL, DECIMAL(p, s) (NUMERIC), BOOLEAN, VARCHAR(n), TEXT, DATE, TIME, TIMESTAMP (DATETIME), TIMESTAMPTZ (TIMESTAMP WITH TIME ZONE), JSON, JSONB, UUID, BYTEA (BLOB, VARBINARY)";

    /// Parses a type name with its arguments, as the helper macros receive it: `name` is the
    /// keyword (any case) and `args` the numbers in parentheses after it.
    ///
    /// ```
    /// use migrate_sql::types::ColumnType;
    /// assert_eq!(ColumnType::parse("varchar", &[50]), Ok(ColumnType::Varchar(50)));
    /// assert!(ColumnType::parse("VARCHAR", &[]).is_err());
    /// ```
    pub fn parse(name: &str, args: &[u64]) -> Result<ColumnType, UnknownType> {
        let upper = name.to_ascii_uppercase();
        let unknown = || {
            let shown = if args.is_empty() {
                upper.clone()
            } else {
                format!(
                    "{upper}({})",
                    args.iter()
                        .map(u64::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            UnknownType(shown)
        };
        let ty = match (upper.as_str(), args) {
            ("SMALLINT", []) => ColumnType::SmallInt,
            ("INTEGER" | "INT", []) => ColumnType::Integer,
            ("BIGINT", []) => ColumnType::BigInt,
            ("DOUBLE" | "FLOAT8", []) => ColumnType::Double,
            ("REAL" | "FLOAT4", []) => ColumnType::Real,
            ("DECIMAL" | "NUMERIC", [p, s]) if (1..=38).contains(p) && s <= p => {
                ColumnType::Decimal(*p as u8, *s as u8)
            }
            ("BOOLEAN" | "BOOL", []) => ColumnType::Boolean,
            ("VARCHAR", [n]) if (1..=16_383).contains(n) => ColumnType::Varchar(*n as u32),
            ("TEXT", []) => ColumnType::Text,
            ("DATE", []) => ColumnType::Date,
            ("TIMESTAMP" | "DATETIME", []) => ColumnType::Timestamp,
            ("TIMESTAMPTZ", []) => ColumnType::TimestampTz,
            ("TIME", []) => ColumnType::Time,
            ("JSON", []) => ColumnType::Json,
            ("JSONB", []) => ColumnType::Jsonb,
            ("UUID", []) => ColumnType::Uuid,
            ("BYTEA" | "BLOB" | "VARBINARY" | "BINARY", []) => ColumnType::Binary,
            _ => return Err(unknown()),
        };
        Ok(ty)
    }

    /// The type as `dialect` writes it.
    ///
    /// ```
    /// use migrate_sql::{Dialect, types::ColumnType};
    /// assert_eq!(ColumnType::Timestamp.sql(Dialect::Mysql), "DATETIME");
    /// assert_eq!(ColumnType::Double.sql(Dialect::Postgres), "DOUBLE PRECISION");
    /// ```
    pub fn sql(self, dialect: Dialect) -> String {
        use ColumnType::*;
        use Dialect::*;
        match (self, dialect) {
            (SmallInt, _) => "SMALLINT".into(),
            (Integer, _) => "INTEGER".into(),
            (BigInt, _) => "BIGINT".into(),
            (Double, Postgres) => "DOUBLE PRECISION".into(),
            (Double, Mysql) => "DOUBLE".into(),
            (Double, Sqlite) => "REAL".into(),
            (Real, Postgres | Sqlite) => "REAL".into(),
            (Real, Mysql) => "FLOAT".into(),
            (Decimal(p, s), _) => format!("DECIMAL({p}, {s})"),
            (Boolean, Postgres | Mysql) => "BOOLEAN".into(),
            (Boolean, Sqlite) => "INTEGER".into(),
            (Varchar(n), _) => format!("VARCHAR({n})"),
            (Text, _) => "TEXT".into(),
            (Date, _) => "DATE".into(),
            (Timestamp, Mysql) => "DATETIME".into(),
            (Timestamp, Postgres | Sqlite) => "TIMESTAMP".into(),
            (TimestampTz, Postgres) => "TIMESTAMP WITH TIME ZONE".into(),
            (TimestampTz, Mysql) => "DATETIME(6)".into(),
            (TimestampTz, Sqlite) => "TEXT".into(),
            (Time, Postgres | Mysql) => "TIME".into(),
            (Time, Sqlite) => "TEXT".into(),
            (Json, Postgres | Mysql) => "JSON".into(),
            (Jsonb, Postgres) => "JSONB".into(),
            (Jsonb, Mysql) => "JSON".into(),
            (Json | Jsonb, Sqlite) => "TEXT".into(),
            (Uuid, Postgres) => "UUID".into(),
            (Uuid, Mysql) => "CHAR(36)".into(),
            (Uuid, Sqlite) => "TEXT".into(),
            (Binary, Postgres) => "BYTEA".into(),
            (Binary, Mysql) => "LONGBLOB".into(),
            (Binary, Sqlite) => "BLOB".into(),
        }
    }

    /// The longest text the type holds, in characters, if it is a bounded text type.
    pub fn max_chars(self) -> Option<u32> {
        match self {
            ColumnType::Varchar(n) => Some(n),
            _ => None,
        }
    }

    /// Whether values are text.
    pub fn is_text(self) -> bool {
        matches!(self, ColumnType::Varchar(_) | ColumnType::Text)
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql(Dialect::Postgres))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_arguments() {
        assert_eq!(ColumnType::parse("int", &[]), Ok(ColumnType::Integer));
        assert_eq!(
            ColumnType::parse("Decimal", &[10, 2]),
            Ok(ColumnType::Decimal(10, 2))
        );
        assert_eq!(
            ColumnType::parse("datetime", &[]),
            Ok(ColumnType::Timestamp)
        );
        let err = ColumnType::parse("VARCHAR", &[0]).unwrap_err();
        assert_eq!(err.0, "VARCHAR(0)");
        assert!(
            ColumnType::parse("JSONBX", &[])
                .unwrap_err()
                .to_string()
                .contains("known types")
        );
        for (name, ty, postgres, mysql, sqlite) in [
            (
                "timestamptz",
                ColumnType::TimestampTz,
                "TIMESTAMP WITH TIME ZONE",
                "DATETIME(6)",
                "TEXT",
            ),
            ("json", ColumnType::Json, "JSON", "JSON", "TEXT"),
            ("JSONB", ColumnType::Jsonb, "JSONB", "JSON", "TEXT"),
            ("uuid", ColumnType::Uuid, "UUID", "CHAR(36)", "TEXT"),
            ("bytea", ColumnType::Binary, "BYTEA", "LONGBLOB", "BLOB"),
            ("time", ColumnType::Time, "TIME", "TIME", "TEXT"),
        ] {
            assert_eq!(ColumnType::parse(name, &[]), Ok(ty));
            assert_eq!(ty.sql(Dialect::Postgres), postgres);
            assert_eq!(ty.sql(Dialect::Mysql), mysql);
            assert_eq!(ty.sql(Dialect::Sqlite), sqlite);
        }
    }
}
