//! Errors about a place inside a SQL literal.
//!
//! A span inside a string literal (`Literal::subspan`) exists on nightly only, so the error
//! spans the whole literal and its message quotes the offending line with a caret, under the
//! line number it has in the file.

use super::Position;
use syn::LitStr;

/// An error on `literal` saying `message`, followed by the SQL line at `at` and a caret under it.
pub fn error_at(literal: &LitStr, message: &str, at: Option<Position>) -> syn::Error {
    let Some(at) = at else {
        return syn::Error::new(literal.span(), message);
    };
    let sql = literal.value();
    let Some(text) = sql.lines().nth(at.line.saturating_sub(1)) else {
        return syn::Error::new(literal.span(), message);
    };
    let place = match file_position(literal, at) {
        Some((line, column)) => format!("line {line}, column {column} of this file"),
        None => format!("line {}, column {} of the SQL", at.line, at.column),
    };
    // A tab keeps the caret under the character it points at.
    let caret: String = text
        .chars()
        .take(at.column.saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    syn::Error::new(
        literal.span(),
        format!("{message}\nat {place}:\n| {text}\n| {caret}^"),
    )
}

/// The file line and column of `at`, when the compiler can say where the literal starts and its
/// text is written verbatim (a raw string, or a string without escapes), so that the SQL's lines
/// and columns are the file's.
fn file_position(literal: &LitStr, at: Position) -> Option<(usize, usize)> {
    let source = literal.token().to_string();
    let verbatim = source.starts_with('r') || !source.contains('\\');
    if !verbatim || !proc_macro::is_available() {
        return None;
    }
    let start = literal.span().unwrap().start();
    if at.line > 1 {
        return Some((start.line() + at.line - 1, at.column));
    }
    // The first line starts after the opening quote (`"`, `r"`, `r#"`...).
    let opening = source.find('"')? + 1;
    Some((start.line(), start.column() + opening + at.column - 1))
}
