//! Which table a statement locks, and how, on each database: what the runtime reads to warn
//! that a migration run in one transaction would hold a large table (the rules strong_migrations
//! and squawk apply to PostgreSQL, and their MySQL and SQLite counterparts).
//!
//! Only the head of each statement is read (its verb, the table it names and a few keywords),
//! with a small tokenizer rather than a SQL parser: the statements come from the helpers and from
//! `m.execute`, in each database's own syntax (MariaDB's `ALGORITHM=INSTANT`, PostgreSQL's
//! `VALIDATE CONSTRAINT`, SQLite's rebuilds), and a statement a parser could not read would be
//! a warning silently lost. Comments (the helpers' `-- report` and `-- verify` lines) are
//! skipped; a text of several statements is read statement by statement.

use crate::Dialect;

/// How a statement holds a table, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hold {
    /// PostgreSQL `ALTER TABLE` or `TRUNCATE`: an ACCESS EXCLUSIVE lock, held until the
    /// transaction commits; every query of the table (reads too) waits.
    Exclusive,
    /// PostgreSQL `CREATE INDEX` without `CONCURRENTLY`: a SHARE lock until the transaction
    /// commits; writes to the table wait, reads do not.
    WritesBlocked,
    /// `UPDATE` or `DELETE`: a lock on every row it changes, until its transaction commits (on
    /// MySQL, until the statement ends). `whole_table` when it has no `WHERE` (nor, on MySQL, a
    /// join that narrows it).
    RowLocks {
        /// Whether every row of the table is changed.
        whole_table: bool,
    },
    /// MySQL `ALTER TABLE` that rebuilds or copies the table (`MODIFY`/`CHANGE COLUMN`, added
    /// foreign keys and checks, primary keys, a new engine or character set) without asking for
    /// `ALGORITHM=INSTANT/INPLACE` or `LOCK=NONE`.
    Rebuild,
    /// SQLite: a statement that reads or rewrites every row (an `UPDATE`, `DELETE`, the copy of a
    /// table rebuild, `DROP COLUMN`, `CREATE INDEX`), holding the database's one write lock.
    DatabaseWriteLock,
}

/// A table a statement locks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableHold {
    /// The schema (MySQL: the database) when the statement names one, unquoted.
    pub schema: Option<String>,
    /// The table, unquoted (PostgreSQL folds an unquoted name to lower case, as the server does).
    pub table: String,
    /// The statement's head as people read it: `ALTER TABLE users`, `UPDATE users`,
    /// `CREATE INDEX ON orders`, `INSERT INTO ... SELECT FROM users`.
    pub statement: String,
    /// How it holds the table.
    pub hold: Hold,
}

impl TableHold {
    /// The table's name as written in messages: `users`, `app.users`.
    pub fn qualified_name(&self) -> String {
        match &self.schema {
            Some(schema) => format!("{schema}.{}", self.table),
            None => self.table.clone(),
        }
    }
}

/// The tables the statements of `sql` (one or several, with comments) lock on `dialect` when
/// they run in a migration's transaction, in order. Statements that lock nothing for long (a
/// `SELECT`, a PostgreSQL `ALTER TABLE ... VALIDATE CONSTRAINT`, a MySQL `ADD COLUMN` done in
/// place) are left out.
///
/// ```
/// use migrate_sql::Dialect;
/// use migrate_sql::locks::{Hold, holds};
/// let found = holds(Dialect::Postgres, "-- report: ...\nALTER TABLE \"users\" ADD COLUMN x INTEGER");
/// assert_eq!(found[0].table, "users");
/// assert_eq!(found[0].hold, Hold::Exclusive);
/// ```
pub fn holds(dialect: Dialect, sql: &str) -> Vec<TableHold> {
    statements(&tokenize(dialect, sql))
        .into_iter()
        .filter_map(|statement| hold_of(dialect, statement))
        .collect()
}

/// A token: a word (keyword, bare name or number), a quoted name, or one character of
/// punctuation. Strings and comments are dropped; they never name what is locked.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Punct(char),
}

impl Token {
    fn is(&self, keyword: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(keyword))
    }
}

fn tokenize(dialect: Dialect, sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    // Up to the closing `close` (a doubled one stands for itself); returns the text inside.
    let quoted = |i: &mut usize, close: char, backslash: bool| {
        let mut text = String::new();
        *i += 1;
        while let Some(&c) = chars.get(*i) {
            *i += 1;
            if backslash && c == '\\' {
                *i += 1;
                continue;
            }
            if c == close {
                if chars.get(*i) == Some(&close) {
                    *i += 1;
                } else {
                    break;
                }
            }
            text.push(c);
        }
        text
    };
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if (c == '-' && next == Some('-')) || (c == '#' && dialect == Dialect::Mysql) {
            while chars.get(i).is_some_and(|&c| c != '\n') {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '\'' {
            quoted(&mut i, '\'', dialect == Dialect::Mysql);
        } else if c == '"' && dialect != Dialect::Mysql {
            let name = quoted(&mut i, '"', false);
            tokens.push(Token::Quoted(name));
        } else if c == '`' {
            let name = quoted(&mut i, '`', false);
            tokens.push(Token::Quoted(name));
        } else if c == '[' && dialect == Dialect::Sqlite {
            let name = quoted(&mut i, ']', false);
            tokens.push(Token::Quoted(name));
        } else if c == '$' && dialect == Dialect::Postgres && dollar_tag(&chars, i).is_some() {
            // A dollar-quoted body (a function's): skipped whole, `;` inside included.
            let tag = dollar_tag(&chars, i).unwrap_or_default();
            i += tag.len();
            while i < chars.len() && !chars[i..].starts_with(&tag) {
                i += 1;
            }
            i += tag.len();
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while chars
                .get(i)
                .is_some_and(|&c| c.is_alphanumeric() || c == '_' || c == '$')
            {
                i += 1;
            }
            tokens.push(Token::Word(chars[start..i].iter().collect()));
        } else {
            tokens.push(Token::Punct(c));
            i += 1;
        }
    }
    tokens
}

/// The `$tag$` that opens a dollar-quoted string at `i`, if one does.
fn dollar_tag(chars: &[char], i: usize) -> Option<Vec<char>> {
    let mut end = i + 1;
    while chars
        .get(end)
        .is_some_and(|&c| c.is_alphanumeric() || c == '_')
    {
        end += 1;
    }
    (chars.get(end) == Some(&'$')).then(|| chars[i..=end].to_vec())
}

/// The statements of a token list, split at `;` (strings and dollar-quoted bodies, where a `;`
/// ends nothing, are no tokens).
fn statements(tokens: &[Token]) -> Vec<&[Token]> {
    tokens
        .split(|t| *t == Token::Punct(';'))
        .filter(|s| !s.is_empty())
        .collect()
}

/// Reads a statement's tokens from the front.
struct Cursor<'t> {
    tokens: &'t [Token],
    at: usize,
}

impl Cursor<'_> {
    fn keyword(&mut self, keyword: &str) -> bool {
        let found = self.tokens.get(self.at).is_some_and(|t| t.is(keyword));
        if found {
            self.at += 1;
        }
        found
    }

    fn keywords(&mut self, keywords: &[&str]) -> bool {
        let start = self.at;
        if keywords.iter().all(|k| self.keyword(k)) {
            return true;
        }
        self.at = start;
        false
    }

    /// One part of a name: a quoted name as written, a bare one folded as `dialect` folds it.
    fn part(&mut self, dialect: Dialect) -> Option<String> {
        let part = match self.tokens.get(self.at)? {
            Token::Quoted(name) => name.clone(),
            Token::Word(word) if dialect == Dialect::Postgres => word.to_lowercase(),
            Token::Word(word) => word.clone(),
            Token::Punct(_) => return None,
        };
        self.at += 1;
        Some(part)
    }

    /// A possibly qualified name: (schema, table).
    fn name(&mut self, dialect: Dialect) -> Option<(Option<String>, String)> {
        let first = self.part(dialect)?;
        if self.tokens.get(self.at) == Some(&Token::Punct('.')) {
            self.at += 1;
            let second = self.part(dialect)?;
            return Some((Some(first), second));
        }
        Some((None, first))
    }

    /// The tokens after the cursor that are outside parentheses.
    fn top_level_rest(&self) -> Vec<&Token> {
        let mut depth = 0usize;
        let mut top = Vec::new();
        for token in &self.tokens[self.at.min(self.tokens.len())..] {
            match token {
                Token::Punct('(') => depth += 1,
                Token::Punct(')') => depth = depth.saturating_sub(1),
                _ if depth == 0 => top.push(token),
                _ => {}
            }
        }
        top
    }
}

fn hold_of(dialect: Dialect, tokens: &[Token]) -> Option<TableHold> {
    let mut c = Cursor { tokens, at: 0 };
    let found = |(schema, table): (Option<String>, String), verb: &str, hold| {
        let shown = match &schema {
            Some(schema) => format!("{schema}.{table}"),
            None => table.clone(),
        };
        Some(TableHold {
            statement: verb.replace("{}", &shown),
            schema,
            table,
            hold,
        })
    };
    if c.keywords(&["ALTER", "TABLE"]) {
        let _ = c.keywords(&["IF", "EXISTS"]);
        let _ = c.keyword("ONLY");
        let name = c.name(dialect)?;
        let rest = c.top_level_rest();
        let hold = match dialect {
            // Validating takes SHARE UPDATE EXCLUSIVE, which blocks neither reads nor writes.
            Dialect::Postgres if rest.first().is_some_and(|t| t.is("VALIDATE")) => return None,
            Dialect::Postgres => Hold::Exclusive,
            Dialect::Mysql if mysql_alter_rebuilds(&rest) => Hold::Rebuild,
            Dialect::Mysql => return None,
            // Adding or renaming a column only edits the schema; dropping one rewrites every row.
            Dialect::Sqlite if rest.first().is_some_and(|t| t.is("DROP")) => {
                Hold::DatabaseWriteLock
            }
            Dialect::Sqlite => return None,
        };
        return found(name, "ALTER TABLE {}", hold);
    }
    if c.keyword("TRUNCATE") {
        let _ = c.keyword("TABLE");
        let _ = c.keyword("ONLY");
        return match dialect {
            Dialect::Postgres => found(c.name(dialect)?, "TRUNCATE {}", Hold::Exclusive),
            // MySQL's TRUNCATE recreates the table at once; SQLite has none.
            Dialect::Mysql | Dialect::Sqlite => None,
        };
    }
    if c.keyword("UPDATE") {
        let _ = c.keyword("ONLY");
        let _ = c.keywords(&["OR", "IGNORE"]) || c.keywords(&["OR", "REPLACE"]);
        let name = c.name(dialect)?;
        let rest = c.top_level_rest();
        let narrowed = rest.iter().any(|t| t.is("WHERE") || t.is("JOIN"));
        return found(name, "UPDATE {}", row_hold(dialect, !narrowed));
    }
    if c.keywords(&["DELETE", "FROM"]) {
        let _ = c.keyword("ONLY");
        let name = c.name(dialect)?;
        let rest = c.top_level_rest();
        let narrowed = rest.iter().any(|t| t.is("WHERE") || t.is("USING"));
        return found(name, "DELETE FROM {}", row_hold(dialect, !narrowed));
    }
    if c.keyword("CREATE") {
        let _ = c.keyword("UNIQUE");
        if !c.keyword("INDEX") {
            return None;
        }
        if c.keyword("CONCURRENTLY") {
            return None;
        }
        let _ = c.keywords(&["IF", "NOT", "EXISTS"]);
        if !c.keyword("ON") {
            c.name(dialect)?;
            c.keyword("ON").then_some(())?;
        }
        let _ = c.keyword("ONLY");
        let name = c.name(dialect)?;
        let hold = match dialect {
            Dialect::Postgres => Hold::WritesBlocked,
            // MySQL builds indexes in place, with concurrent writes allowed.
            Dialect::Mysql => return None,
            Dialect::Sqlite => Hold::DatabaseWriteLock,
        };
        return found(name, "CREATE INDEX ON {}", hold);
    }
    if dialect == Dialect::Sqlite && c.keyword("INSERT") {
        // A table rebuild's copy (`INSERT INTO new SELECT ... FROM old`), or any INSERT ...
        // SELECT: it reads every row of its source while holding the write lock.
        let rest = c.top_level_rest();
        let select = rest.iter().position(|t| t.is("SELECT"))?;
        let from = rest[select..].iter().position(|t| t.is("FROM"))? + select;
        let mut source = Cursor {
            tokens: tokens_after(tokens, rest[from])?,
            at: 0,
        };
        return found(
            source.name(dialect)?,
            "INSERT INTO ... SELECT FROM {}",
            Hold::DatabaseWriteLock,
        );
    }
    None
}

/// The tokens that follow `token` (an element of `tokens`, found by address).
fn tokens_after<'t>(tokens: &'t [Token], token: &Token) -> Option<&'t [Token]> {
    let index = tokens.iter().position(|t| std::ptr::eq(t, token))?;
    tokens.get(index + 1..)
}

fn row_hold(dialect: Dialect, whole_table: bool) -> Hold {
    match dialect {
        Dialect::Sqlite => Hold::DatabaseWriteLock,
        Dialect::Postgres | Dialect::Mysql => Hold::RowLocks { whole_table },
    }
}

/// Whether a MySQL `ALTER TABLE`'s actions (its top-level tokens after the name) rebuild or
/// copy the table while blocking writes, unless it asks for an online algorithm.
fn mysql_alter_rebuilds(actions: &[&Token]) -> bool {
    let after = |i: usize, word: &str| {
        // `ALGORITHM = INSTANT`, `ALGORITHM INSTANT`
        actions
            .get(i + 1..i + 3)
            .is_some_and(|w| w.iter().any(|t| t.is(word)))
    };
    let online = actions.iter().enumerate().any(|(i, t)| {
        (t.is("ALGORITHM") && (after(i, "INSTANT") || after(i, "INPLACE") || after(i, "NOCOPY")))
            || (t.is("LOCK") && after(i, "NONE"))
    });
    if online {
        return false;
    }
    actions.iter().enumerate().any(|(i, t)| {
        let next = |word: &str| actions.get(i + 1).is_some_and(|n| n.is(word));
        t.is("MODIFY")
            || t.is("CHANGE")
            || t.is("CONVERT")
            || t.is("ENGINE")
            || t.is("FOREIGN")
            || t.is("CHECK")
            || (t.is("PRIMARY") && next("KEY"))
            || (t.is("FORCE") && i == 0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(dialect: Dialect, sql: &str) -> String {
        let found: Vec<String> = holds(dialect, sql)
            .iter()
            .map(|h| format!("{:?} {:?} `{}`", h.hold, h.qualified_name(), h.statement))
            .collect();
        format!("{}: {sql}\n  => {}", dialect.name(), found.join("; "))
    }

    #[test]
    fn statements_and_their_holds() {
        let cases = [
            (
                Dialect::Postgres,
                "ALTER TABLE \"users\" ADD COLUMN \"first_name\" VARCHAR(50);  -- report: x",
            ),
            (
                Dialect::Postgres,
                "ALTER TABLE IF EXISTS ONLY app.\"Users\" DROP COLUMN x",
            ),
            (
                Dialect::Postgres,
                "alter table Users alter column x set not null",
            ),
            (
                Dialect::Postgres,
                "ALTER TABLE \"users\" VALIDATE CONSTRAINT \"c\"",
            ),
            (Dialect::Postgres, "TRUNCATE TABLE events"),
            (
                Dialect::Postgres,
                "UPDATE \"users\" SET \"a\" = (CASE WHEN x THEN 1 ELSE 2 END);  -- report: split",
            ),
            (
                Dialect::Postgres,
                "UPDATE \"orders\" SET \"customer_name\" = \"customers\".\"name\" FROM \"customers\" WHERE \"customers\".\"id\" = \"orders\".\"customer_id\"",
            ),
            (Dialect::Postgres, "DELETE FROM ONLY \"events\""),
            (
                Dialect::Postgres,
                "CREATE UNIQUE INDEX IF NOT EXISTS \"i\" ON ONLY \"orders\" (\"customer_id\")",
            ),
            (Dialect::Postgres, "CREATE INDEX ON orders (a)"),
            (
                Dialect::Postgres,
                "CREATE INDEX CONCURRENTLY i ON orders (a)",
            ),
            (
                Dialect::Postgres,
                "-- verify: x\n--   count: SELECT COUNT(*) AS n FROM \"users\" WHERE x\nSELECT 1",
            ),
            (
                Dialect::Postgres,
                "CREATE TABLE t (id INTEGER); INSERT INTO t SELECT id FROM users; ALTER TABLE t ADD COLUMN y TEXT",
            ),
            (
                Dialect::Postgres,
                "CREATE FUNCTION f() RETURNS void AS $body$ UPDATE users SET a = 1; $body$ LANGUAGE sql",
            ),
            (
                Dialect::Postgres,
                "SELECT 'ALTER TABLE users; UPDATE users SET x = 1'",
            ),
            (
                Dialect::Mysql,
                "ALTER TABLE `users` MODIFY COLUMN `first_name` VARCHAR(50) NOT NULL",
            ),
            (
                Dialect::Mysql,
                "ALTER TABLE `users` ADD COLUMN `first_name` VARCHAR(50)",
            ),
            (
                Dialect::Mysql,
                "ALTER TABLE `users` MODIFY COLUMN `a` INT NOT NULL, ALGORITHM=INPLACE, LOCK=NONE",
            ),
            (
                Dialect::Mysql,
                "ALTER TABLE `orders` ADD CONSTRAINT `fk` FOREIGN KEY (`customer_id`) REFERENCES `customers` (`id`)",
            ),
            (
                Dialect::Mysql,
                "ALTER TABLE `orders` ADD CONSTRAINT `c` CHECK (`total` >= 0)",
            ),
            (
                Dialect::Mysql,
                "ALTER TABLE `orders` ADD CONSTRAINT `u` UNIQUE (`code`)",
            ),
            (
                Dialect::Mysql,
                "UPDATE `orders` JOIN `customers` ON `customers`.`id` = `orders`.`customer_id` SET `orders`.`customer_name` = `customers`.`name`",
            ),
            (
                Dialect::Mysql,
                "UPDATE shop.`users` SET `a` = 'it''s; \\' here'",
            ),
            (Dialect::Mysql, "CREATE INDEX `i` ON `orders` (`a`)"),
            (
                Dialect::Sqlite,
                "ALTER TABLE \"users\" ADD COLUMN \"x\" TEXT",
            ),
            (Dialect::Sqlite, "ALTER TABLE \"users\" DROP COLUMN \"x\""),
            (
                Dialect::Sqlite,
                "INSERT INTO \"_migrate_new_users\" (\"id\", \"a\") SELECT \"id\", \"a\" FROM \"users\"",
            ),
            (Dialect::Sqlite, "INSERT INTO t (a) VALUES (1)"),
            (Dialect::Sqlite, "UPDATE [users] SET a = 1 WHERE id > 3"),
            (
                Dialect::Sqlite,
                "CREATE INDEX IF NOT EXISTS main.i ON \"orders\" (a)",
            ),
        ];
        insta::assert_snapshot!(
            cases
                .iter()
                .map(|(d, sql)| show(*d, sql))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}
