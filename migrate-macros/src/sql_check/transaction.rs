//! PostgreSQL statements that refuse to run inside a transaction block.

use super::Position;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

/// If PostgreSQL refuses to run `sql` in a transaction block, what it is and where.
///
/// Read from the words: `CONCURRENTLY` (CREATE/DROP INDEX, REINDEX, REFRESH MATERIALIZED VIEW),
/// `VACUUM`, `CREATE/DROP DATABASE`, `ALTER SYSTEM`, `CREATE/DROP TABLESPACE`.
pub fn outside_transaction_only(sql: &str) -> Option<(&'static str, Option<Position>)> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .ok()?;
    let words: Vec<_> = tokens
        .iter()
        .filter_map(|t| match &t.token {
            Token::Word(w) if w.quote_style.is_none() => Some((w.value.to_ascii_uppercase(), t)),
            _ => None,
        })
        .collect();
    let position = |t: &sqlparser::tokenizer::TokenWithSpan| {
        Some(Position {
            line: usize::try_from(t.span.start.line).ok()?,
            column: usize::try_from(t.span.start.column).ok()?,
        })
    };
    let first = words.first().map(|(w, _)| w.as_str());
    let second = words.get(1).map(|(w, _)| w.as_str());
    if let Some((_, token)) = words.iter().find(|(w, _)| w == "CONCURRENTLY") {
        return Some(("`CONCURRENTLY`", position(token)));
    }
    let what = match (first, second) {
        (Some("VACUUM"), _) => "`VACUUM`",
        (Some("CREATE" | "DROP"), Some("DATABASE")) => "`CREATE/DROP DATABASE`",
        (Some("CREATE" | "DROP"), Some("TABLESPACE")) => "`CREATE/DROP TABLESPACE`",
        (Some("ALTER"), Some("SYSTEM")) => "`ALTER SYSTEM`",
        _ => return None,
    };
    Some((what, words.first().and_then(|(_, t)| position(t))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_postgres_refuses_in_a_transaction_block() {
        let what = |sql| outside_transaction_only(sql).map(|(what, _)| what);
        assert_eq!(
            what("CREATE INDEX CONCURRENTLY i ON t (a)"),
            Some("`CONCURRENTLY`")
        );
        assert_eq!(
            outside_transaction_only("DROP INDEX\n  CONCURRENTLY i").map(|(_, at)| at),
            Some(Some(Position { line: 2, column: 3 }))
        );
        assert_eq!(what("VACUUM ANALYZE t"), Some("`VACUUM`"));
        assert_eq!(what("CREATE DATABASE x"), Some("`CREATE/DROP DATABASE`"));
        assert_eq!(what("CREATE INDEX i ON t (a)"), None);
        // A word inside a string is not the keyword.
        assert_eq!(what("UPDATE t SET a = 'CONCURRENTLY'"), None);
    }
}
