//! The SQL the runtime runs on its own behalf, per dialect: the history table, the migration
//! lock, session setup, catalog reads, table sizes, table changes planned from the live schema, and
//! the tenants of a fleet.
//!
//! Statements with values take them as bound parameters: a [`Template`] is the text around
//! them, so the runtime can keep each statement prepared (its text never changes) and no value
//! is ever spliced into SQL.

pub mod catalog;
pub mod diesel;
pub mod fleet;
pub mod history;
pub mod lock;
pub mod session;
pub mod table_change;
pub mod table_size;

use crate::Dialect;

/// A statement with bound parameters: `pieces[i]` comes before parameter `i`, and one more piece
/// ends the statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<String>,
}

impl Template {
    /// A template from the text around its parameters.
    pub fn new(pieces: Vec<String>) -> Template {
        Template { pieces }
    }

    /// The text around the parameters.
    pub fn pieces(&self) -> &[String] {
        &self.pieces
    }

    /// How many parameters it takes.
    pub fn parameters(&self) -> usize {
        self.pieces.len().saturating_sub(1)
    }

    /// The statement with `dialect`'s placeholders (`$1` on PostgreSQL, `?` elsewhere), as it
    /// reaches the server.
    pub fn render(&self, dialect: Dialect) -> String {
        let mut text = String::new();
        for (i, piece) in self.pieces.iter().enumerate() {
            text.push_str(piece);
            if i + 1 < self.pieces.len() {
                text.push_str(&dialect.placeholder(i + 1));
            }
        }
        text
    }
}

/// Builds a [`Template`] from text with `{}` where each parameter goes.
fn template(text: &str) -> Template {
    Template::new(text.split("{}").map(str::to_owned).collect())
}
