//! SQL string literals.
//!
//! The runtime binds values wherever the statement shape allows it; literals are for the SQL the
//! macros generate at compile time (and print in `--dry-run`), where a value is part of the text.

use crate::Dialect;
use std::fmt;

/// Why a string cannot be written as a SQL literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiteralError {
    /// The string holds a NUL character, which SQLite and PostgreSQL cannot store in text.
    Nul,
}

impl fmt::Display for LiteralError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LiteralError::Nul => f.write_str(
                "a SQL string cannot contain a NUL character (PostgreSQL and SQLite cannot store it in text)",
            ),
        }
    }
}

impl std::error::Error for LiteralError {}

/// Writes `value` as a string literal of `dialect`.
///
/// Single quotes are doubled everywhere. MySQL also treats backslash as an escape character (the
/// runtime turns off `NO_BACKSLASH_ESCAPES` for its sessions so that this holds), so backslashes are
/// doubled there too. PostgreSQL sessions run with `standard_conforming_strings = on`, where a
/// backslash is an ordinary character.
///
/// ```
/// use migrate_sql::{Dialect, quote_str};
/// assert_eq!(quote_str(Dialect::Postgres, "O'Brien").unwrap(), "'O''Brien'");
/// assert_eq!(quote_str(Dialect::Mysql, r"C:\dir").unwrap(), r"'C:\\dir'");
/// ```
pub fn quote_str(dialect: Dialect, value: &str) -> Result<String, LiteralError> {
    if value.contains('\0') {
        return Err(LiteralError::Nul);
    }
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('\'');
    for c in value.chars() {
        match c {
            '\'' => quoted.push_str("''"),
            '\\' if dialect == Dialect::Mysql => quoted.push_str("\\\\"),
            c => quoted.push(c),
        }
    }
    quoted.push('\'');
    Ok(quoted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_quotes_and_backslashes() {
        assert_eq!(quote_str(Dialect::Sqlite, "it's").unwrap(), "'it''s'");
        assert_eq!(quote_str(Dialect::Postgres, r"a\b").unwrap(), r"'a\b'");
        assert_eq!(quote_str(Dialect::Mysql, r"a\'b").unwrap(), r"'a\\''b'");
        assert_eq!(quote_str(Dialect::Mysql, "a\0"), Err(LiteralError::Nul));
    }
}
