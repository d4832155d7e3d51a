//! Errors about a place inside a SQL literal.
//!
//! A span inside a string literal (`Literal::subspan`) exists on nightly only, so the error
//! spans the whole literal and its message quotes the offending line with a caret, under the
//! line and column it has in the file.

use super::Position;
use syn::LitStr;

/// An error on `literal` saying `message`, followed by the SQL line at `at` and a caret under it.
pub fn error_at(literal: &LitStr, message: &str, at: Option<Position>) -> syn::Error {
    syn::Error::new(
        literal.span(),
        describe(literal, literal_start(literal), message, at),
    )
}

/// `message`, then where it is: the file line and column (when the literal's start, 1-based, is
/// known and its text is written verbatim), the SQL line and a caret under the column.
pub fn describe(
    literal: &LitStr,
    start: Option<(usize, usize)>,
    message: &str,
    at: Option<Position>,
) -> String {
    let source = literal.token().to_string();
    // In a raw string or a string without escapes, the SQL's lines and columns are the file's.
    let verbatim = source.starts_with('r') || !source.contains('\\');
    let start = start.filter(|_| verbatim);
    let Some(at) = at else {
        return message.to_owned();
    };
    let sql = literal.value();
    let Some(text) = sql.lines().nth(at.line.saturating_sub(1)) else {
        return message.to_owned();
    };
    let place = match start {
        Some((line, _)) if at.line > 1 => {
            format!(
                "line {}, column {} of this file",
                line + at.line - 1,
                at.column
            )
        }
        Some((line, column)) => {
            // The first line starts after the opening quote (`"`, `r"`, `r#"`...).
            let opening = source.find('"').map_or(1, |i| i + 1);
            format!(
                "line {line}, column {} of this file",
                column + opening + at.column - 1
            )
        }
        None => format!("line {}, column {} of the SQL", at.line, at.column),
    };
    // A tab keeps the caret under the character it points at.
    let caret: String = text
        .chars()
        .take(at.column.saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    format!("{message}\nat {place}:\n| {text}\n| {caret}^")
}

/// Where the literal starts in its file (1-based line and column), inside a macro invocation
/// (never in unit tests).
fn literal_start(literal: &LitStr) -> Option<(usize, usize)> {
    if !proc_macro::is_available() {
        return None;
    }
    let start = literal.span().unwrap().start();
    Some((start.line(), start.column()))
}
