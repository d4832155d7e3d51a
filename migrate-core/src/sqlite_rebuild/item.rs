//! One entry of a `CREATE TABLE` column list (a column definition, or table constraints) and
//! SQLite's constraint grammar, which reads the constraints of an entry and tells their kinds
//! apart. Apart from [`super::definition`] because the grammar is the largest single piece of the
//! parsing, and the only one that knows SQLite's constraint syntax.

use super::tokens::{Token, TokenKind, units, unquote};
use std::ops::Range;

/// One entry of the column list: a column definition, or table constraints. Table constraints
/// need no comma between them, so one entry can hold several.
#[derive(Debug)]
pub(super) struct Item {
    /// The column's name, as written but unquoted; `None` for table constraints.
    pub(super) column: Option<String>,
    /// From its first to its last token, comments around it excluded.
    pub(super) span: Range<usize>,
    /// Where the comma before it is.
    pub(super) comma_before: Option<usize>,
    /// A column's constraints, or the table constraints.
    pub(super) constraints: Vec<Constraint>,
}

/// A column or table constraint, with its `CONSTRAINT name` prefix and ON CONFLICT clause.
#[derive(Debug)]
pub(super) struct Constraint {
    /// The name after CONSTRAINT, unquoted.
    pub(super) name: Option<String>,
    pub(super) kind: ConstraintKind,
    /// From its first to its last token.
    pub(super) span: Range<usize>,
}

/// The constraint kinds a change treats apart from the rest.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ConstraintKind {
    /// `NOT NULL`.
    NotNull,
    /// An explicit `NULL`.
    Null {
        /// Where the `NULL` keyword is.
        keyword: Range<usize>,
    },
    /// Any other constraint.
    Other,
}

/// Words that start a table constraint rather than a column definition (none can be a bare
/// column name).
const TABLE_CONSTRAINT_STARTS: [&str; 5] = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];

/// Words that end a column's type name and start its constraints.
const COLUMN_CONSTRAINT_STARTS: [&str; 11] = [
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
];

impl Item {
    /// The column's name; empty for table constraints.
    pub(super) fn column_name(&self) -> &str {
        self.column.as_deref().unwrap_or_default()
    }

    /// Reads one entry from its tokens; `None` if it has none but spaces and comments.
    pub(super) fn parse(sql: &str, tokens: &[Token], comma_before: Option<usize>) -> Option<Item> {
        let units = units(tokens);
        let span = units.first()?.start..units.last()?.end;
        let first = units[0];
        let is_table_constraint = TABLE_CONSTRAINT_STARTS
            .iter()
            .any(|word| first.is_word(sql, word));
        let mut cursor = Cursor {
            sql,
            units: &units,
            pos: 0,
        };
        let column = if is_table_constraint {
            None
        } else {
            cursor.pos = 1;
            cursor.skip_type();
            Some(unquote(first.text(sql)))
        };
        Some(Item {
            column,
            span,
            comma_before,
            constraints: cursor.constraints(),
        })
    }
}

/// Walks the units of one entry by SQLite's constraint grammar (sqlite.org/syntax), which tells
/// `NOT NULL` apart from `NOT DEFERRABLE` and `NULL` from `ON DELETE SET NULL` or `DEFAULT NULL`.
struct Cursor<'a> {
    sql: &'a str,
    units: &'a [Token],
    pos: usize,
}

impl Cursor<'_> {
    /// Whether every unit has been read.
    fn done(&self) -> bool {
        self.pos >= self.units.len()
    }

    /// Whether the unit `offset` places ahead is the keyword `word`.
    fn is_at(&self, offset: usize, word: &str) -> bool {
        self.units
            .get(self.pos + offset)
            .is_some_and(|u| u.is_word(self.sql, word))
    }

    /// Whether the current unit is the keyword `word`.
    fn is(&self, word: &str) -> bool {
        self.is_at(0, word)
    }

    /// Steps over the keyword `word` if it comes next, saying whether it did.
    fn eat(&mut self, word: &str) -> bool {
        let found = self.is(word);
        if found {
            self.pos += 1;
        }
        found
    }

    /// Steps over one of `words` if one comes next.
    fn eat_any(&mut self, words: &[&str]) {
        if words.iter().any(|w| self.is(w)) {
            self.pos += 1;
        }
    }

    /// Steps over a parenthesised group if one comes next.
    fn eat_group(&mut self) {
        if self
            .units
            .get(self.pos)
            .is_some_and(|u| u.kind == TokenKind::Group)
        {
            self.pos += 1;
        }
    }

    /// Steps over `n` units, whatever they are.
    fn skip(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.units.len());
    }

    /// Skips a column's type name: words up to a constraint, and a `(size)` ending it.
    fn skip_type(&mut self) {
        while let Some(unit) = self.units.get(self.pos) {
            let starts_constraint = COLUMN_CONSTRAINT_STARTS
                .iter()
                .any(|w| unit.is_word(self.sql, w));
            match unit.kind {
                TokenKind::Word | TokenKind::QuotedName if !starts_constraint => self.pos += 1,
                TokenKind::Group => {
                    self.pos += 1;
                    return;
                }
                _ => return,
            }
        }
    }

    /// Reads constraints up to the end of the entry.
    fn constraints(&mut self) -> Vec<Constraint> {
        let mut constraints = Vec::new();
        while !self.done() {
            let start = self.pos;
            let name = if self.eat("CONSTRAINT") {
                let name = self.units.get(self.pos).map(|u| unquote(u.text(self.sql)));
                self.skip(1);
                name
            } else {
                None
            };
            let kind = self.constraint_body();
            if self.pos == start {
                // Syntax this parser does not know: keep it whole, as a constraint of its own.
                self.skip(1);
            }
            constraints.push(Constraint {
                name,
                kind,
                span: self.units[start].start..self.units[self.pos - 1].end,
            });
        }
        constraints
    }

    /// Reads one constraint after its optional `CONSTRAINT name`.
    fn constraint_body(&mut self) -> ConstraintKind {
        if self.is("NOT") && self.is_at(1, "NULL") {
            self.skip(2);
            self.conflict_clause();
            return ConstraintKind::NotNull;
        }
        if self.is("NULL") {
            let keyword = self.units[self.pos].start..self.units[self.pos].end;
            self.skip(1);
            self.conflict_clause();
            return ConstraintKind::Null { keyword };
        }
        if self.eat("PRIMARY") {
            self.eat("KEY");
            self.eat_group();
            self.eat_any(&["ASC", "DESC"]);
            self.conflict_clause();
            self.eat("AUTOINCREMENT");
        } else if self.eat("UNIQUE") || self.eat("CHECK") {
            self.eat_group();
            self.conflict_clause();
        } else if self.eat("DEFAULT") {
            let signed = self
                .units
                .get(self.pos)
                .is_some_and(|u| matches!(u.text(self.sql), "+" | "-"));
            self.skip(if signed { 2 } else { 1 });
        } else if self.eat("COLLATE") {
            self.skip(1);
        } else if self.eat("FOREIGN") {
            self.eat("KEY");
            self.eat_group();
            if self.eat("REFERENCES") {
                self.references();
            }
        } else if self.eat("REFERENCES") {
            self.references();
        } else if self.eat("GENERATED") || self.is("AS") {
            self.eat("ALWAYS");
            self.eat("AS");
            self.eat_group();
            self.eat_any(&["STORED", "VIRTUAL"]);
        }
        ConstraintKind::Other
    }

    /// `ON CONFLICT resolution`.
    fn conflict_clause(&mut self) {
        if self.is("ON") && self.is_at(1, "CONFLICT") {
            self.skip(3);
        }
    }

    /// What follows REFERENCES: the table, its columns, actions and deferral.
    fn references(&mut self) {
        self.skip(1);
        self.eat_group();
        loop {
            if self.is("ON") && !self.is_at(1, "CONFLICT") {
                // ON DELETE|UPDATE SET NULL|SET DEFAULT|NO ACTION|CASCADE|RESTRICT
                self.skip(2);
                let two_words = self.is("SET") || self.is("NO");
                self.skip(if two_words { 2 } else { 1 });
            } else if self.eat("MATCH") {
                self.skip(1);
            } else if (self.is("NOT") && self.is_at(1, "DEFERRABLE")) || self.is("DEFERRABLE") {
                self.eat("NOT");
                self.eat("DEFERRABLE");
                if self.eat("INITIALLY") {
                    self.skip(1);
                }
            } else {
                return;
            }
        }
    }
}
