//! Date functions: `year`, `month`, `day` and `now`.

use crate::expr::render::Sql;
use crate::expr::types::ValueType;
use crate::{Dialect, sqlite_text};

/// A part of a date.
#[derive(Clone, Copy)]
pub(super) enum DatePart {
    Year,
    Month,
    Day,
}

/// `year(ts)`, `month(ts)`, `day(ts)` as integers. SQLite stores timestamps as ISO-8601 text and
/// its `strftime` returns text, so the part is cast back to an integer; PostgreSQL's EXTRACT
/// returns a numeric, and needs a timestamp (text and dates are cast to one first).
pub(super) fn part(part: DatePart, ts: &Sql, dialect: Dialect) -> Sql {
    let (field, mysql, sqlite) = match part {
        DatePart::Year => ("YEAR", "YEAR", "%Y"),
        DatePart::Month => ("MONTH", "MONTH", "%m"),
        DatePart::Day => ("DAY", "DAYOFMONTH", "%d"),
    };
    let v = &ts.text;
    let text = match dialect {
        Dialect::Postgres if ts.ty == ValueType::Timestamp => {
            format!("CAST(EXTRACT({field} FROM {v}) AS INTEGER)")
        }
        Dialect::Postgres => {
            format!("CAST(EXTRACT({field} FROM CAST({v} AS TIMESTAMP)) AS INTEGER)")
        }
        Dialect::Mysql => format!("{mysql}({v})"),
        Dialect::Sqlite if ts.ty == ValueType::Timestamp => {
            format!("CAST(STRFTIME('{sqlite}', {v}) AS INTEGER)")
        }
        // STRFTIME reads text up to a NUL byte, so '2024-01-02' NUL 'x' would be a date: text
        // holding a NUL is not one (NULL, as other text that is not a date on SQLite).
        Dialect::Sqlite => format!(
            "(CASE WHEN {} THEN NULL ELSE CAST(STRFTIME('{sqlite}', {v}) AS INTEGER) END)",
            sqlite_text::has_nul(v)
        ),
    };
    Sql::new(text, ValueType::Integer)
}

/// `now()`: when the statement started, in UTC, to the second. PostgreSQL's `now()` is the
/// transaction's start, so it uses the statement's; MySQL's NOW() is in the session's time zone.
pub(super) fn now(dialect: Dialect) -> Sql {
    let text = match dialect {
        Dialect::Postgres => "DATE_TRUNC('second', STATEMENT_TIMESTAMP() AT TIME ZONE 'UTC')",
        Dialect::Mysql => "UTC_TIMESTAMP()",
        Dialect::Sqlite => "DATETIME('now')",
    };
    Sql::new(text.to_owned(), ValueType::Timestamp)
}
