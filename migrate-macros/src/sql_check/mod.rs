//! Checking SQL literals at compile time, once per enabled dialect: the dialect's parser
//! (sqlparser), then what that database's own grammar allows ([`capabilities`]), with the
//! well-known statements sqlparser cannot parse recognised by their shape ([`fallback`]).

mod capabilities;
mod fallback;
mod position;
mod transaction;

pub use position::{describe, error_at};
pub use transaction::outside_transaction_only;

use migrate_sql::Dialect;
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};
use std::fmt;

/// A place in a SQL text: 1-based line and column, in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Why a SQL literal is not exactly one statement of a dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlProblem {
    /// The dialect's parser rejects it; the parser's message.
    Syntax {
        dialect: Dialect,
        message: String,
        at: Option<Position>,
    },
    /// It parses, but the database's grammar has no such construct; a sentence saying so.
    Unsupported {
        dialect: Dialect,
        message: String,
        at: Option<Position>,
    },
    /// It holds no statement.
    Empty,
    /// It holds several statements.
    Several(usize),
}

impl SqlProblem {
    /// Where in the SQL the problem is, when known.
    pub fn position(&self) -> Option<Position> {
        match self {
            SqlProblem::Syntax { at, .. } | SqlProblem::Unsupported { at, .. } => *at,
            SqlProblem::Empty | SqlProblem::Several(_) => None,
        }
    }
}

impl fmt::Display for SqlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlProblem::Syntax {
                dialect, message, ..
            } => write!(
                f,
                "this SQL does not parse as {}: {message}",
                dialect.display_name()
            ),
            SqlProblem::Unsupported { message, .. } => f.write_str(message),
            SqlProblem::Empty => f.write_str("this SQL holds no statement: write one"),
            SqlProblem::Several(n) => write!(
                f,
                "this SQL holds {n} statements, but it runs as exactly one: write one statement per call"
            ),
        }
    }
}

fn parse(
    dialect: Dialect,
    sql: &str,
) -> Result<Vec<sqlparser::ast::Statement>, sqlparser::parser::ParserError> {
    match dialect {
        Dialect::Postgres => Parser::parse_sql(&PostgreSqlDialect {}, sql),
        Dialect::Mysql => Parser::parse_sql(&MySqlDialect {}, sql),
        Dialect::Sqlite => Parser::parse_sql(&SQLiteDialect {}, sql),
    }
}

fn tokenize(dialect: Dialect, sql: &str) -> Vec<TokenWithSpan> {
    let tokens = match dialect {
        Dialect::Postgres => Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize_with_location(),
        Dialect::Mysql => Tokenizer::new(&MySqlDialect {}, sql).tokenize_with_location(),
        Dialect::Sqlite => Tokenizer::new(&SQLiteDialect {}, sql).tokenize_with_location(),
    };
    // The parser tokenized the same text successfully before any caller gets here.
    tokens.unwrap_or_default()
}

/// Checks that `sql` is exactly one statement that `dialect`'s database accepts.
pub fn check(dialect: Dialect, sql: &str) -> Result<(), SqlProblem> {
    let statements = match parse(dialect, sql) {
        Ok(statements) => statements,
        Err(error) => {
            return match fallback::recognise(sql) {
                Some(shape) if shape.runs_on.contains(&dialect) => Ok(()),
                Some(shape) => Err(SqlProblem::Unsupported {
                    dialect,
                    message: format!(
                        "{} rejects {} ({} only)",
                        dialect.display_name(),
                        shape.what,
                        names(shape.runs_on)
                    ),
                    at: find_word(&tokenize(dialect, sql), shape.at_word),
                }),
                None => {
                    let (message, mut at) = split_location(&error.to_string());
                    // sqlparser gives no place for a statement that ends too early: its end.
                    if at.is_none() && message.ends_with("found: EOF") {
                        at = end_of(sql);
                    }
                    Err(SqlProblem::Syntax {
                        dialect,
                        message,
                        at,
                    })
                }
            };
        }
    };
    let statement = match statements.as_slice() {
        [] => return Err(SqlProblem::Empty),
        [one] => one,
        several => return Err(SqlProblem::Several(several.len())),
    };
    let tokens = tokenize(dialect, sql);
    match capabilities::check(dialect, statement, &tokens) {
        Some(unsupported) => Err(SqlProblem::Unsupported {
            dialect,
            message: unsupported.message,
            at: unsupported.at_word.and_then(|w| find_word(&tokens, w)),
        }),
        None => Ok(()),
    }
}

/// The place just after the last character of `sql` that is not whitespace.
fn end_of(sql: &str) -> Option<Position> {
    let trimmed = sql.trim_end();
    let line = trimmed.lines().count().max(1);
    let last = trimmed.lines().last().unwrap_or_default();
    Some(Position {
        line,
        column: last.chars().count() + 1,
    })
}

/// "PostgreSQL", "PostgreSQL and MySQL", ...
fn names(dialects: &[Dialect]) -> String {
    let names: Vec<&str> = dialects.iter().map(|d| d.display_name()).collect();
    match names.as_slice() {
        [init @ .., last] if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => names.join(""),
    }
}

/// The position of the first unquoted `word` (or punctuation such as `::`) in `tokens`.
fn find_word(tokens: &[TokenWithSpan], word: &str) -> Option<Position> {
    if word.is_empty() {
        return None;
    }
    let found = tokens.iter().find(|t| match &t.token {
        Token::Word(w) => w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word),
        Token::DoubleColon => word == "::",
        Token::LBracket => word == "[",
        _ => false,
    })?;
    Some(Position {
        line: usize::try_from(found.span.start.line).ok()?,
        column: usize::try_from(found.span.start.column).ok()?,
    })
}

/// sqlparser's message without its prefix and its "at Line: 1, Column: 5" suffix, and that place.
fn split_location(message: &str) -> (String, Option<Position>) {
    let message = message
        .strip_prefix("sql parser error: ")
        .unwrap_or(message);
    let Some((text, location)) = message.rsplit_once(" at Line: ") else {
        return (message.to_owned(), None);
    };
    let position = location
        .split_once(", Column: ")
        .and_then(|(line, column)| {
            Some(Position {
                line: line.trim().parse().ok()?,
                column: column.trim().parse().ok()?,
            })
        });
    match position {
        Some(position) => (text.to_owned(), Some(position)),
        None => (message.to_owned(), None),
    }
}

/// Checks `sql` for each of `dialects`, as portable SQL (a string literal given to `execute`)
/// must be; the error is a sentence for the user and the place it is about.
///
/// `narrowed` says the literal runs on `dialects` only (under `if m.dialect() == ...`), so the
/// advice to write it per database does not apply.
pub fn check_portable(
    dialects: &[Dialect],
    sql: &str,
    narrowed: bool,
) -> Result<(), (String, Option<Position>)> {
    let results: Vec<(Dialect, Result<(), SqlProblem>)> =
        dialects.iter().map(|&d| (d, check(d, sql))).collect();
    let failed: Vec<&SqlProblem> = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .collect();
    let Some(first) = failed.first() else {
        return Ok(());
    };
    let databases = |accepted: bool| -> Vec<Dialect> {
        results
            .iter()
            .filter(|(_, r)| r.is_ok() == accepted)
            .map(|(d, _)| *d)
            .collect()
    };
    let (accepted, rejected) = (databases(true), databases(false));
    let per_database = "`execute` with a string literal runs the same text on every enabled database, so write it per database with `sql! { postgres: \"...\", mysql: \"...\", sqlite: \"...\" }`";
    let message = match first {
        // Every database rejects it: a mistake in the SQL itself.
        SqlProblem::Syntax { message, .. } if accepted.is_empty() => {
            format!("this SQL does not parse: {message}")
        }
        SqlProblem::Syntax {
            dialect, message, ..
        } => format!(
            "this SQL parses as {} but not as {} ({}: {message}); {per_database}",
            names(&accepted),
            names(&rejected).replace(" and ", " or "),
            dialect.display_name(),
        ),
        SqlProblem::Unsupported { message, .. } if narrowed => message.clone(),
        SqlProblem::Unsupported { message, .. } => format!("{message}; {per_database}"),
        SqlProblem::Empty | SqlProblem::Several(_) => first.to_string(),
    };
    Err((message, first.position()))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn accepts_valid_sql_in_each_dialect() {
        for dialect in Dialect::ALL {
            check(dialect, "ALTER TABLE orders ADD COLUMN status VARCHAR(20)").unwrap();
        }
        check(Dialect::Mysql, "CREATE TABLE t (id INT) ENGINE=InnoDB").unwrap();
    }

    #[test]
    fn rejects_typos_and_several_statements() {
        let err = check(Dialect::Postgres, "ALTR TABLE x").unwrap_err();
        assert!(
            matches!(
                &err,
                SqlProblem::Syntax {
                    dialect: Dialect::Postgres,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            check(Dialect::Sqlite, "SELECT 1; SELECT 2"),
            Err(SqlProblem::Several(2))
        );
        assert_eq!(check(Dialect::Sqlite, ""), Err(SqlProblem::Empty));
    }

    #[test]
    fn portable_sql_names_the_databases_that_reject_it() {
        let all = Dialect::ALL;
        check_portable(
            &all,
            "CREATE INDEX orders_status_idx ON orders (status)",
            false,
        )
        .unwrap();
        let (typo, _) = check_portable(&all, "ALTR TABLE x", false).unwrap_err();
        assert!(typo.starts_with("this SQL does not parse: "), "{typo}");
        let (array, _) =
            check_portable(&all, "ALTER TABLE orders ADD COLUMN tags TEXT[]", false).unwrap_err();
        assert!(
            array.starts_with("this SQL parses as PostgreSQL but not as MySQL or SQLite (MySQL: "),
            "{array}"
        );
        // Only the enabled dialects count.
        check_portable(
            &[Dialect::Postgres],
            "ALTER TABLE orders ADD COLUMN tags TEXT[]",
            true,
        )
        .unwrap();
    }
}
