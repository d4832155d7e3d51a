//! Text functions: `concat`, `lower`, `upper`, `trim`, `length`, `substring`, `split_part`,
//! `replace`, `md5`, `regexp_like`.

use super::Function;
use crate::Dialect;
use crate::expr::casts;
use crate::expr::error::Untranslatable;
use crate::expr::render::Sql;
use crate::expr::types::ValueType;
use crate::expr::{Expr, Literal};
use crate::{quote_str, sqlite_text};

/// Longer than any text a database stores: "to the end" for SQLite's `substr`.
const TO_THE_END: &str = "2147483647";

/// `concat(a, b, ...)`: NULL if any argument is NULL, so `||` on PostgreSQL and SQLite (whose
/// `concat()` functions skip NULLs) and `CONCAT` on MySQL (whose `||` is OR).
pub(super) fn concat(args: &[Sql], dialect: Dialect) -> Result<Sql, Untranslatable> {
    let has_text = args.iter().any(|a| a.ty == ValueType::Text);
    let mut parts = Vec::with_capacity(args.len());
    for (index, arg) in args.iter().enumerate() {
        let part = match arg.ty {
            ValueType::Text | ValueType::Null => arg.text.clone(),
            // MySQL's CONCAT and SQLite's `||` convert integers and timestamps to text the way
            // CAST does; PostgreSQL's `||` needs one text operand to do the same.
            ValueType::Integer | ValueType::Timestamp | ValueType::Unknown
                if dialect != Dialect::Postgres || has_text =>
            {
                arg.text.clone()
            }
            ValueType::Float => {
                return Err(Untranslatable::rule(
                    "`concat`",
                    dialect,
                    format!(
                        "cannot join a float (argument {}): {}",
                        index + 1,
                        casts::FLOAT_TEXT
                    ),
                )
                .at_argument(index));
            }
            ValueType::Boolean | ValueType::Integer | ValueType::Timestamp | ValueType::Unknown => {
                casts::to_text(Sql::new(arg.text.clone(), arg.ty), "`concat`", dialect)?.text
            }
        };
        parts.push(part);
    }
    let text = match dialect {
        Dialect::Mysql => format!("CONCAT({})", parts.join(", ")),
        Dialect::Postgres | Dialect::Sqlite => format!("({})", parts.join(" || ")),
    };
    Ok(Sql::new(text, ValueType::Text))
}

/// `lower(s)`, `upper(s)` on ASCII letters only: SQLite (without ICU) cannot map more, and
/// PostgreSQL's full mapping depends on the database's locale. PostgreSQL maps only ASCII under
/// the "C" collation; MySQL maps everything, so it replaces the 26 letters one by one (REPLACE
/// matches exactly, whatever the collation).
pub(super) fn ascii_case(function: Function, s: &Sql, dialect: Dialect) -> Sql {
    let lower = function == Function::Lower;
    let text = match dialect {
        Dialect::Postgres => {
            let name = if lower { "LOWER" } else { "UPPER" };
            format!("{name}({} COLLATE \"C\")", s.text)
        }
        Dialect::Sqlite => {
            let name = if lower { "LOWER" } else { "UPPER" };
            format!("{name}({})", s.text)
        }
        Dialect::Mysql => {
            let mut text = s.text.clone();
            for upper in 'A'..='Z' {
                let lower_case = upper.to_ascii_lowercase();
                let (from, to) = if lower {
                    (upper, lower_case)
                } else {
                    (lower_case, upper)
                };
                text = format!("REPLACE({text}, '{from}', '{to}')");
            }
            text
        }
    };
    Sql::new(text, ValueType::Text)
}

/// `trim(s)`: TRIM without a character list removes spaces only, on all three.
pub(super) fn trim(s: &Sql) -> Sql {
    Sql::new(format!("TRIM({})", s.text), ValueType::Text)
}

/// `length(s)` in characters, not bytes (MySQL's LENGTH counts bytes), NUL bytes counted
/// (SQLite's LENGTH stops at the first).
pub(super) fn length(s: &Sql, dialect: Dialect) -> Sql {
    let text = match dialect {
        Dialect::Postgres | Dialect::Mysql => format!("CHAR_LENGTH({})", s.text),
        Dialect::Sqlite => sqlite_text::char_length(&s.text),
    };
    Sql::new(text, ValueType::Integer)
}

/// `md5(s)`: the hex digest of the UTF-8 bytes on PostgreSQL and MySQL.
pub(super) fn md5(s: &Sql, dialect: Dialect) -> Result<Sql, Untranslatable> {
    match dialect {
        Dialect::Postgres | Dialect::Mysql => {
            Ok(Sql::new(format!("MD5({})", s.text), ValueType::Text))
        }
        Dialect::Sqlite => Err(Untranslatable::missing(
            "`md5`",
            dialect,
            "SQLite has no built-in hash function; compute the value in the application, or write the expression per database with `sql! { ... }`",
        )),
    }
}

/// `substring(s, start, len)` with `start` >= 1 (checked by the caller). A negative `len`
/// gives the empty string: PostgreSQL would raise an error and SQLite count backwards. NUL
/// bytes are characters like any other (SQLite's SUBSTR stops at the first).
pub(super) fn substring(s: &Sql, start: i64, len: &Expr, len_sql: &Sql, dialect: Dialect) -> Sql {
    let len = match len {
        Expr::Literal(Literal::Int(n)) if *n < 0 => "0".to_owned(),
        Expr::Literal(Literal::Int(_) | Literal::Null) => len_sql.text.clone(),
        _ => format!("CASE WHEN {l} < 0 THEN 0 ELSE {l} END", l = len_sql.text),
    };
    let text = match dialect {
        Dialect::Mysql => format!("SUBSTRING({}, {start}, {len})", s.text),
        Dialect::Postgres => format!("SUBSTR({}, {start}, {len})", s.text),
        Dialect::Sqlite => sqlite_text::substring(&s.text, start, &len),
    };
    Sql::new(text, ValueType::Text)
}

/// `split_part(s, sep, n)`: field `n` (from 1), `''` when there are fewer fields, searching
/// from the left as PostgreSQL's `split_part` does. `sep` is a non-empty literal and `n` >= 1
/// (checked by the caller).
pub(super) fn split_part(s: &Sql, sep_sql: &Sql, sep: &str, n: i64, dialect: Dialect) -> Sql {
    let sep_chars = sep.chars().count();
    let (v, sep_sql) = (&s.text, &sep_sql.text);
    let text = match dialect {
        Dialect::Postgres => format!("SPLIT_PART({v}, {sep_sql}, {n})"),
        Dialect::Mysql if n == 1 => format!("SUBSTRING_INDEX({v}, {sep_sql}, 1)"),
        // Skip the text before the (n-1)-th separator, then take up to the next one. When there
        // are fewer separators, the skip runs past the end and leaves ''. (The common idiom
        // SUBSTRING_INDEX(SUBSTRING_INDEX(s, sep, n), sep, -1) returns the last field instead.)
        Dialect::Mysql => format!(
            "SUBSTRING_INDEX(SUBSTRING({v}, CHAR_LENGTH(SUBSTRING_INDEX({v}, {sep_sql}, {})) + {}), {sep_sql}, 1)",
            n - 1,
            sep_chars + 1
        ),
        Dialect::Sqlite => {
            // SQLite has no split function: drop one field at a time with instr/substr. They
            // work on the text's bytes (a BLOB), where SUBSTR does not stop at a NUL byte; a
            // separator found in valid UTF-8 starts at a character, so the fields are the same.
            let sep_bytes = sep.len();
            let mut rest = format!("CAST({v} AS BLOB)");
            let sep_sql = format!("CAST({sep_sql} AS BLOB)");
            for _ in 1..n {
                rest = format!(
                    "SUBSTR({rest}, IFNULL(NULLIF(INSTR({rest}, {sep_sql}), 0) + {sep_bytes}, {TO_THE_END}))"
                );
            }
            // SUBSTR of an empty BLOB is NULL: `SUBSTR(s, 1, 0)` is '' for any text, NULL for
            // NULL.
            format!(
                "COALESCE(CAST(SUBSTR({rest}, 1, IFNULL(NULLIF(INSTR({rest}, {sep_sql}), 0) - 1, {TO_THE_END})) AS TEXT), SUBSTR({v}, 1, 0))"
            )
        }
    };
    Sql::new(text, ValueType::Text)
}

/// `replace(s, from, to)`: exact, case-sensitive matching on all three.
pub(super) fn replace(args: &[Sql]) -> Sql {
    Sql::new(
        format!(
            "REPLACE({}, {}, {})",
            args[0].text, args[1].text, args[2].text
        ),
        ValueType::Text,
    )
}

/// `regexp_like(s, pattern)`, case-sensitive. MySQL's REGEXP follows the collation, which
/// usually ignores case, so the pattern starts with the inline flag `(?-i)` (ICU and PCRE both
/// read it).
pub(super) fn regexp_like(
    args: &[Sql],
    pattern: &Expr,
    dialect: Dialect,
) -> Result<Sql, Untranslatable> {
    let (s, p) = (&args[0].text, &args[1].text);
    let text = match dialect {
        Dialect::Postgres => format!("({s} ~ {p})"),
        Dialect::Mysql => {
            let pattern = match pattern {
                Expr::Literal(Literal::Str(value)) => quote_str(dialect, &format!("(?-i){value}"))
                    .map_err(|e| {
                        Untranslatable::rule(
                            "this pattern",
                            dialect,
                            format!("cannot be written: {e}"),
                        )
                    })?,
                _ => format!("CONCAT('(?-i)', {p})"),
            };
            format!("({s} REGEXP {pattern})")
        }
        Dialect::Sqlite => {
            return Err(Untranslatable::missing(
                "`regexp_like`",
                dialect,
                "SQLite's REGEXP operator calls a function that SQLite does not ship; write the expression per database with `sql! { ... }`",
            ));
        }
    };
    Ok(Sql::new(text, ValueType::Boolean))
}
