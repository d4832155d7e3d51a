//! SQL identifiers: the names of tables, columns, indexes and constraints.
//!
//! Every identifier this framework puts into SQL goes through [`quote_ident`], so no table or column
//! name can change the meaning of a statement, whatever characters it holds.

use crate::Dialect;
use std::fmt;

/// The longest identifier every supported database accepts (PostgreSQL truncates past 63 bytes,
/// MySQL rejects past 64 characters).
pub const MAX_IDENT_BYTES: usize = 63;

/// Why a name cannot be used as a SQL identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentError {
    /// The name is empty.
    Empty,
    /// The name is longer than [`MAX_IDENT_BYTES`].
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The name holds a control character (NUL, newline, ...), which no database accepts in a
    /// portable way.
    ControlCharacter,
    /// The name ends with a space, which MySQL rejects.
    TrailingSpace,
    /// The name holds a character beyond U+FFFF (an emoji, say), which MySQL rejects in names.
    SupplementaryCharacter,
    /// The name starts with `sqlite_`, which SQLite reserves for itself.
    ReservedPrefix,
}

impl fmt::Display for IdentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdentError::Empty => f.write_str("an identifier cannot be empty"),
            IdentError::TooLong { len } => write!(
                f,
                "an identifier can be at most {MAX_IDENT_BYTES} bytes long (PostgreSQL truncates longer ones), this one has {len}"
            ),
            IdentError::ControlCharacter => f.write_str(
                "an identifier cannot contain control characters such as NUL or newline",
            ),
            IdentError::TrailingSpace => {
                f.write_str("an identifier cannot end with a space (MySQL rejects it)")
            }
            IdentError::SupplementaryCharacter => f.write_str(
                "an identifier cannot hold characters beyond U+FFFF, such as emoji (MySQL rejects them)",
            ),
            IdentError::ReservedPrefix => {
                f.write_str("an identifier cannot start with `sqlite_` (SQLite reserves those names)")
            }
        }
    }
}

impl std::error::Error for IdentError {}

/// Checks that `name` is usable as an identifier on every supported database.
///
/// ```
/// use migrate_sql::validate_ident;
/// assert!(validate_ident("order items").is_ok());
/// assert!(validate_ident("").is_err());
/// ```
pub fn validate_ident(name: &str) -> Result<(), IdentError> {
    if name.is_empty() {
        return Err(IdentError::Empty);
    }
    if name.len() > MAX_IDENT_BYTES {
        return Err(IdentError::TooLong { len: name.len() });
    }
    if name.chars().any(char::is_control) {
        return Err(IdentError::ControlCharacter);
    }
    if name.ends_with(' ') {
        return Err(IdentError::TrailingSpace);
    }
    if name.chars().any(|c| u32::from(c) > 0xFFFF) {
        return Err(IdentError::SupplementaryCharacter);
    }
    if name
        .get(..7)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("sqlite_"))
    {
        return Err(IdentError::ReservedPrefix);
    }
    Ok(())
}

/// A table name, quoted: `schema.table` (a PostgreSQL schema, a MySQL database) has each part
/// quoted. The helper macros build such names from Rust identifiers, which hold no `.`, so the
/// first `.` is always the qualifier's.
///
/// ```
/// use migrate_sql::{Dialect, quote_table};
/// assert_eq!(quote_table(Dialect::Postgres, "app.issues"), "\"app\".\"issues\"");
/// assert_eq!(quote_table(Dialect::Mysql, "issues"), "`issues`");
/// ```
pub fn quote_table(dialect: Dialect, name: &str) -> String {
    match name.split_once('.') {
        Some((schema, table)) => format!(
            "{}.{}",
            quote_ident(dialect, schema),
            quote_ident(dialect, table)
        ),
        None => quote_ident(dialect, name),
    }
}

/// The schema and the table of a possibly qualified name (see [`quote_table`]).
pub fn split_table(name: &str) -> (Option<&str>, &str) {
    match name.split_once('.') {
        Some((schema, table)) => (Some(schema), table),
        None => (None, name),
    }
}

/// Quotes `name` as an identifier of `dialect`: `"name"` on PostgreSQL and SQLite, `` `name` `` on
/// MySQL, doubling any quote character inside.
///
/// ```
/// use migrate_sql::{Dialect, quote_ident};
/// assert_eq!(quote_ident(Dialect::Postgres, "user"), r#""user""#);
/// assert_eq!(quote_ident(Dialect::Mysql, "a`b"), "`a``b`");
/// ```
pub fn quote_ident(dialect: Dialect, name: &str) -> String {
    let quote = match dialect {
        Dialect::Postgres | Dialect::Sqlite => '"',
        Dialect::Mysql => '`',
    };
    let mut quoted = String::with_capacity(name.len() + 2);
    quoted.push(quote);
    for c in name.chars() {
        if c == quote {
            quoted.push(quote);
        }
        quoted.push(c);
    }
    quoted.push(quote);
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unusable_names() {
        assert_eq!(validate_ident(""), Err(IdentError::Empty));
        assert_eq!(
            validate_ident(&"x".repeat(64)),
            Err(IdentError::TooLong { len: 64 })
        );
        assert_eq!(validate_ident("a\0b"), Err(IdentError::ControlCharacter));
        assert_eq!(validate_ident("name "), Err(IdentError::TrailingSpace));
        assert!(validate_ident("naïve column").is_ok());
        assert_eq!(
            validate_ident("emoji😀"),
            Err(IdentError::SupplementaryCharacter)
        );
        assert_eq!(
            validate_ident("SQLite_stat"),
            Err(IdentError::ReservedPrefix)
        );
        assert!(validate_ident("sqlite").is_ok());
    }

    #[test]
    fn quotes_per_dialect() {
        assert_eq!(quote_ident(Dialect::Sqlite, r#"a"b"#), r#""a""b""#);
        assert_eq!(quote_ident(Dialect::Mysql, "users"), "`users`");
        assert_eq!(quote_ident(Dialect::Postgres, "Users"), r#""Users""#);
    }
}
