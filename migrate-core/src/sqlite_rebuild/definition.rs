//! The `CREATE TABLE` statement a rebuild edits: where the table's name is written, its column
//! list split into entries, whether it is WITHOUT ROWID or AUTOINCREMENT, the edits a change makes
//! to it and the applying of those edits. Apart from [`super::item`], which reads one entry,
//! because this is the statement as a whole: what surrounds the entries and how text is spliced.

use super::item::{Constraint, ConstraintKind, Item};
use super::tokens::{Token, TokenKind, matching_close, name_list, same_name, tokenize};
use crate::error::{Error, Result};
use std::ops::Range;

/// A `CREATE TABLE` statement, split into the parts a rebuild edits.
pub(super) struct TableDefinition<'a> {
    /// The table's name, for messages and generated SQL.
    pub(super) table: &'a str,
    /// The statement, as sqlite_master holds it.
    pub(super) sql: &'a str,
    /// All of `sql`, comments and spaces included.
    tokens: Vec<Token>,
    /// Where the table's name is written (with any schema prefix).
    pub(super) name: Range<usize>,
    /// Column definitions and table constraints, in order.
    items: Vec<Item>,
    /// Whether the table is declared WITHOUT ROWID.
    pub(super) without_rowid: bool,
    /// Whether a column is declared AUTOINCREMENT, so the table has a row in sqlite_sequence.
    pub(super) autoincrement: bool,
}

impl<'a> TableDefinition<'a> {
    /// Splits the `CREATE TABLE` text that sqlite_master holds for `table`.
    pub(super) fn parse(table: &'a str, sql: &'a str) -> std::result::Result<Self, String> {
        let tokens = tokenize(sql)?;
        let (name, open) = name_and_column_list(sql, &tokens)?;
        let close = matching_close(&tokens, open).ok_or("its column list is not closed")?;
        let items = split_items(sql, &tokens, open + 1..close);
        if items.is_empty() {
            return Err("its column list is empty".into());
        }
        Ok(TableDefinition {
            table,
            sql,
            name,
            items,
            without_rowid: tokens[close..].iter().any(|t| t.is_word(sql, "WITHOUT")),
            autoincrement: tokens[open..close]
                .iter()
                .any(|t| t.is_word(sql, "AUTOINCREMENT")),
            tokens,
        })
    }

    /// The definition of column `name`, matched ignoring ASCII case as SQLite does.
    pub(super) fn column(&self, name: &str) -> Result<&Item> {
        self.items
            .iter()
            .find(|item| item.column.as_deref().is_some_and(|c| same_name(c, name)))
            .ok_or_else(|| {
                let columns = self.items.iter().filter_map(|i| i.column.as_deref());
                Error::Rebuild {
                    table: self.table.to_owned(),
                    reason: format!(
                        "table `{}` has no column `{name}` (its columns are {})",
                        self.table,
                        name_list(columns)
                    ),
                }
            })
    }

    /// The names of its column and table constraints.
    fn constraint_names(&self) -> impl Iterator<Item = &str> {
        self.items
            .iter()
            .flat_map(|item| &item.constraints)
            .filter_map(|c| c.name.as_deref())
    }

    /// Refuses a name an existing constraint has: DropConstraint could not tell them apart.
    pub(super) fn ensure_name_is_free(&self, name: &str) -> Result<()> {
        if self.constraint_names().any(|n| same_name(n, name)) {
            return Err(Error::Rebuild {
                table: self.table.to_owned(),
                reason: format!(
                    "table `{}` already has a constraint named `{name}`; choose another name or drop that one first",
                    self.table
                ),
            });
        }
        Ok(())
    }

    /// Removes the column's NOT NULL constraints, each with its name and ON CONFLICT clause.
    pub(super) fn drop_not_null(&self, column: &Item) -> Vec<Edit> {
        column
            .constraints
            .iter()
            .filter(|c| c.kind == ConstraintKind::NotNull)
            .map(|c| self.removal(c.span.clone()))
            .collect()
    }

    /// Removes every constraint called `name`, and with it a table-constraint entry it empties.
    pub(super) fn drop_constraint(&self, name: &str) -> Result<Vec<Edit>> {
        let mut edits = Vec::new();
        for item in &self.items {
            let named: Vec<&Constraint> = item
                .constraints
                .iter()
                .filter(|c| c.name.as_deref().is_some_and(|n| same_name(n, name)))
                .collect();
            if named.is_empty() {
                continue;
            }
            if item.column.is_none() && named.len() == item.constraints.len() {
                if let Some(comma) = item.comma_before {
                    edits.push(Edit::replace(comma..comma + 1, ""));
                }
                edits.push(self.removal(item.span.clone()));
            } else {
                edits.extend(named.iter().map(|c| self.removal(c.span.clone())));
            }
        }
        if edits.is_empty() {
            return Err(self.no_such_constraint(name));
        }
        Ok(edits)
    }

    /// The error for dropping a constraint the table lacks, naming the ones it has.
    fn no_such_constraint(&self, name: &str) -> Error {
        let names: Vec<&str> = self.constraint_names().collect();
        let known = if names.is_empty() {
            "it has no named constraints; only constraints written as `CONSTRAINT name ...` can be dropped by name".to_owned()
        } else {
            format!("its named constraints are {}", name_list(names))
        };
        Error::Rebuild {
            table: self.table.to_owned(),
            reason: format!(
                "table `{}` has no constraint named `{name}` ({known})",
                self.table
            ),
        }
    }

    /// Removes `span` and the spaces before it, unless they end a line comment.
    fn removal(&self, span: Range<usize>) -> Edit {
        let at = self.tokens.binary_search_by_key(&span.start, |t| t.start);
        let start = match at {
            Ok(k) if k >= 1 && self.tokens[k - 1].kind == TokenKind::Space => {
                let after_comment = k >= 2 && self.tokens[k - 2].kind == TokenKind::Comment;
                if after_comment {
                    span.start
                } else {
                    self.tokens[k - 1].start
                }
            }
            _ => span.start,
        };
        Edit::replace(start..span.end, "")
    }

    /// Adds a table constraint after the last entry, on a line of its own if entries have theirs
    /// and after any comments that follow the last entry.
    pub(super) fn append_constraint(&self, constraint: &str) -> Vec<Edit> {
        let Some(last) = self.items.last() else {
            return Vec::new();
        };
        let end = last.span.end;
        let indent = line_indent(self.sql, last.span.start);
        let after_comments = self
            .tokens
            .iter()
            .skip_while(|t| t.start < end)
            .take_while(|t| !t.is_significant())
            .filter(|t| t.kind == TokenKind::Comment)
            .last()
            .map_or(end, |t| t.end);
        if after_comments > end {
            // A comma after a line comment would be part of the comment.
            let newline = format!("\n{}", indent.unwrap_or_default());
            return vec![
                Edit::insert(end, ","),
                Edit::insert(after_comments, format!("{newline}{constraint}")),
            ];
        }
        let separator = match indent {
            Some(indent) => format!(",\n{indent}"),
            None => ", ".to_owned(),
        };
        vec![Edit::insert(end, format!("{separator}{constraint}"))]
    }
}

/// Where the table's name is written, and which token opens its column list: `CREATE TABLE
/// [IF NOT EXISTS] [schema.]name (`. SQLite stores the statement without the optional parts, but
/// they cost nothing to accept.
fn name_and_column_list(
    sql: &str,
    tokens: &[Token],
) -> std::result::Result<(Range<usize>, usize), String> {
    let significant: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].is_significant())
        .collect();
    let at = |k: usize| significant.get(k).map(|&i| tokens[i]);
    let word_at = |k: usize, word: &str| at(k).is_some_and(|t| t.is_word(sql, word));
    if word_at(1, "VIRTUAL") {
        return Err("it is a virtual table, which SQLite cannot rebuild".into());
    }
    if !word_at(0, "CREATE") || !word_at(1, "TABLE") {
        return Err("it does not start with CREATE TABLE".into());
    }
    // `if` alone can be a table's name.
    let if_not_exists = word_at(2, "IF") && word_at(3, "NOT") && word_at(4, "EXISTS");
    let first = if if_not_exists { 5 } else { 2 };
    let qualified = at(first + 1).is_some_and(|t| t.text(sql) == ".");
    let last = if qualified { first + 2 } else { first };
    let (Some(first_token), Some(last_token)) = (at(first), at(last)) else {
        return Err("it has no table name".into());
    };
    let open = significant
        .get(last + 1)
        .copied()
        .filter(|&i| tokens[i].kind == TokenKind::Open)
        .ok_or("it has no column list after the table name")?;
    Ok((first_token.start..last_token.end, open))
}

/// The spaces before `at` if nothing else precedes it on its line.
fn line_indent(sql: &str, at: usize) -> Option<&str> {
    let line_start = sql[..at].rfind('\n')? + 1;
    let indent = &sql[line_start..at];
    indent
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
        .then_some(indent)
}

/// Splits the column list (the tokens between its parentheses) at its top-level commas.
fn split_items(sql: &str, tokens: &[Token], body: Range<usize>) -> Vec<Item> {
    let mut items = Vec::new();
    let mut depth = 0_usize;
    let mut item_start = body.start;
    let mut comma_before = None;
    for i in body.clone() {
        match tokens[i].kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth = depth.saturating_sub(1),
            TokenKind::Comma if depth == 0 => {
                items.extend(Item::parse(sql, &tokens[item_start..i], comma_before));
                comma_before = Some(tokens[i].start);
                item_start = i + 1;
            }
            _ => {}
        }
    }
    items.extend(Item::parse(
        sql,
        &tokens[item_start..body.end],
        comma_before,
    ));
    items
}

/// A replacement of a byte range of the `CREATE TABLE` text (an insertion if it is empty).
#[derive(Debug)]
pub(super) struct Edit {
    range: Range<usize>,
    text: String,
}

impl Edit {
    /// Replaces `range` with `text`.
    pub(super) fn replace(range: Range<usize>, text: impl Into<String>) -> Edit {
        Edit {
            range,
            text: text.into(),
        }
    }

    /// Inserts `text` at `at`.
    pub(super) fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(at..at, text)
    }
}

/// `sql` with `edits`, which do not overlap, applied; insertions at one place keep their order.
pub(super) fn apply_edits(sql: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| e.range.start);
    let mut out = String::with_capacity(sql.len() + 64);
    let mut at = 0;
    for edit in edits {
        out.push_str(sql.get(at..edit.range.start).unwrap_or_default());
        out.push_str(&edit.text);
        at = at.max(edit.range.end);
    }
    out.push_str(sql.get(at..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tokenizer_splits_the_column_list_at_top_level_commas_only() {
        let sql = "CREATE TABLE t (a NUMERIC(1, 2) DEFAULT 'x,y', \"b,c\" CHECK (f(a, 1)) /* , */, [d,e] -- ,\n)";
        let definition = TableDefinition::parse("t", sql).expect("parse");
        let columns: Vec<_> = definition.items.iter().map(Item::column_name).collect();
        assert_eq!(columns, ["a", "b,c", "d,e"]);
        let constraints: Vec<_> = definition.items[0]
            .constraints
            .iter()
            .map(|c| &sql[c.span.clone()])
            .collect();
        assert_eq!(constraints, ["DEFAULT 'x,y'"]);
    }

    #[test]
    fn the_constraint_grammar_tells_not_null_from_lookalikes() {
        let sql = "CREATE TABLE t (a INT REFERENCES p ON DELETE SET NULL NOT DEFERRABLE INITIALLY DEFERRED NOT NULL DEFAULT -1 NULL)";
        let definition = TableDefinition::parse("t", sql).expect("parse");
        let kinds: Vec<_> = definition.items[0]
            .constraints
            .iter()
            .map(|c| (&sql[c.span.clone()], &c.kind))
            .collect();
        assert_eq!(kinds.len(), 4, "{kinds:?}");
        assert_eq!(
            kinds[0].0,
            "REFERENCES p ON DELETE SET NULL NOT DEFERRABLE INITIALLY DEFERRED"
        );
        assert_eq!(kinds[1], ("NOT NULL", &ConstraintKind::NotNull));
        assert_eq!(kinds[2].0, "DEFAULT -1");
        assert!(matches!(kinds[3].1, ConstraintKind::Null { .. }));
    }

    #[test]
    fn the_table_name_is_found_in_every_form_sqlite_accepts() {
        for (sql, name) in [
            ("CREATE TABLE if (a)", "if"),
            ("CREATE TABLE IF NOT EXISTS main.\"t\"(a)", "main.\"t\""),
            ("CREATE TABLE [odd name]/* c */(a)", "[odd name]"),
        ] {
            let definition = TableDefinition::parse("t", sql).expect(sql);
            assert_eq!(&sql[definition.name.clone()], name);
        }
    }

    #[test]
    fn virtual_tables_are_refused() {
        let err = TableDefinition::parse("v", "CREATE VIRTUAL TABLE v USING fts5(a)")
            .err()
            .expect("virtual table");
        assert!(err.contains("virtual table"), "{err}");
    }
}
