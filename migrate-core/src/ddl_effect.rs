//! Whether a MySQL DDL statement has already taken effect, read from the catalog.
//!
//! MySQL commits each DDL statement by itself, so a run killed while the server executes one
//! (a copying `ALTER TABLE` takes as long as the table is large) leaves a window: the server
//! finishes the statement after the client died, and the history never records the step. The
//! retry would then fail on "Duplicate column name" forever. When the first step a resumed run
//! executes fails, the runner asks this module what the statement would have created or removed
//! and whether the catalog already shows exactly that.
//!
//! Only the statement shapes whose effect can be read back unambiguously are recognised (adding,
//! dropping and renaming columns, indexes, constraints and tables); anything else is
//! [`Finding::Undecidable`], and the caller says what to check by hand.

use crate::connection::{AnyConnection, with_connection};
use crate::error::{Error, Result};
use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};

/// What the catalog says about a statement's effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Finding {
    /// Every effect of the statement is present, as the statement defines it.
    Present(String),
    /// An object the statement creates exists, but not as the statement defines it.
    Different(String),
    /// The effect is absent: the failure has another cause.
    Absent,
    /// The statement's effect cannot be read back from the catalog.
    Undecidable,
}

/// One effect of a DDL statement on the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Effect {
    TablePresent(String),
    TableAbsent(String),
    /// A column, with the definition the statement gives it (`None` when it keeps its old one).
    ColumnPresent {
        table: String,
        column: String,
        definition: Option<String>,
    },
    ColumnAbsent {
        table: String,
        column: String,
    },
    IndexPresent {
        table: String,
        name: String,
    },
    IndexAbsent {
        table: String,
        name: String,
    },
    ConstraintPresent {
        table: String,
        name: String,
    },
    ConstraintAbsent {
        table: String,
        name: String,
    },
}

/// Reads the catalog of the current MySQL database to tell whether `sql` has taken effect.
pub(crate) fn inspect(conn: &mut AnyConnection, sql: &str) -> Result<Finding> {
    let Some(effects) = effects_of(sql) else {
        return Ok(Finding::Undecidable);
    };
    let mut found = Vec::new();
    for effect in &effects {
        match check(conn, effect)? {
            Check::Holds(what) => found.push(what),
            Check::Differs(what) => return Ok(Finding::Different(what)),
            Check::Missing => return Ok(Finding::Absent),
        }
    }
    Ok(Finding::Present(found.join("; ")))
}

enum Check {
    Holds(String),
    Differs(String),
    Missing,
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    column_type: String,
    #[diesel(sql_type = Text)]
    nullable: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(conn: &mut AnyConnection, sql: &str, binds: &[&str]) -> Result<bool> {
    let found: Count = with_connection!(conn, c => {
        let mut query = diesel::sql_query(sql).into_boxed();
        for bind in binds {
            query = query.bind::<Text, _>(bind.to_string());
        }
        query.get_result(c)
    })
    .map_err(|e| Error::database("reading the catalog", e))?;
    Ok(found.n > 0)
}

fn check(conn: &mut AnyConnection, effect: &Effect) -> Result<Check> {
    use migrate_sql::runtime::catalog::{
        MYSQL_CONSTRAINT_COUNT as CONSTRAINT, MYSQL_INDEX_COUNT as INDEX,
        MYSQL_TABLE_COUNT as TABLE,
    };
    let verdict = |present: bool, want: bool, what: String| {
        if present == want {
            Check::Holds(what)
        } else {
            Check::Missing
        }
    };
    Ok(match effect {
        Effect::TablePresent(t) => verdict(
            count(conn, TABLE, &[t])?,
            true,
            format!("table `{t}` exists"),
        ),
        Effect::TableAbsent(t) => verdict(
            count(conn, TABLE, &[t])?,
            false,
            format!("table `{t}` is gone"),
        ),
        Effect::IndexPresent { table, name } => verdict(
            count(conn, INDEX, &[table, name])?,
            true,
            format!("index `{name}` exists on `{table}`"),
        ),
        Effect::IndexAbsent { table, name } => verdict(
            count(conn, INDEX, &[table, name])?,
            false,
            format!("index `{name}` is gone from `{table}`"),
        ),
        Effect::ConstraintPresent { table, name } => {
            let present =
                count(conn, CONSTRAINT, &[table, name])? || count(conn, INDEX, &[table, name])?;
            verdict(
                present,
                true,
                format!("constraint `{name}` exists on `{table}`"),
            )
        }
        Effect::ConstraintAbsent { table, name } => {
            let present =
                count(conn, CONSTRAINT, &[table, name])? || count(conn, INDEX, &[table, name])?;
            verdict(
                present,
                false,
                format!("constraint `{name}` is gone from `{table}`"),
            )
        }
        Effect::ColumnAbsent { table, column } => {
            let present = column_of(conn, table, column)?.is_some();
            verdict(
                present,
                false,
                format!("column `{table}`.`{column}` is gone"),
            )
        }
        Effect::ColumnPresent {
            table,
            column,
            definition,
        } => match column_of(conn, table, column)? {
            None => Check::Missing,
            Some(row) => {
                let nullable = if row.nullable == "YES" {
                    ""
                } else {
                    " NOT NULL"
                };
                let actual = format!("{}{nullable}", row.column_type);
                match definition {
                    Some(definition) if !same_definition(definition, &row) => {
                        Check::Differs(format!(
                            "column `{table}`.`{column}` exists as {actual}, but the step defines it as {}",
                            definition.trim()
                        ))
                    }
                    _ => Check::Holds(format!("column `{table}`.`{column}` exists as {actual}")),
                }
            }
        },
    })
}

fn column_of(conn: &mut AnyConnection, table: &str, column: &str) -> Result<Option<ColumnRow>> {
    let sql = migrate_sql::runtime::catalog::MYSQL_COLUMN_TYPE;
    let rows: Vec<ColumnRow> = with_connection!(conn, c => diesel::sql_query(sql)
        .bind::<Text, _>(table)
        .bind::<Text, _>(column)
        .load(c))
    .map_err(|e| Error::database("reading the catalog", e))?;
    Ok(rows.into_iter().next())
}

/// Whether a column definition from a statement (`VARCHAR(50) NOT NULL DEFAULT ''`) matches the
/// catalog's type and nullability. Integer display widths and type aliases are normalised.
fn same_definition(definition: &str, row: &ColumnRow) -> bool {
    let tokens = tokenize(definition);
    let mut type_text = String::new();
    for token in &tokens {
        match token {
            Token::Word(w, false) if is_clause_keyword(w) => break,
            Token::Word(w, _) => {
                if !type_text.is_empty() {
                    type_text.push(' ');
                }
                type_text.push_str(w);
            }
            Token::Group(g) => type_text.push_str(&format!("({g})")),
            Token::Punct(_) => break,
        }
    }
    let not_null = tokens.windows(2).any(|w| {
        matches!((&w[0], &w[1]), (Token::Word(a, false), Token::Word(b, false))
            if a.eq_ignore_ascii_case("NOT") && b.eq_ignore_ascii_case("NULL"))
    }) || tokens
        .iter()
        .any(|t| matches!(t, Token::Word(w, false) if w.eq_ignore_ascii_case("PRIMARY")));
    let nullable_matches = !not_null || row.nullable == "NO";
    normalize_type(&type_text) == normalize_type(&row.column_type) && nullable_matches
}

fn is_clause_keyword(word: &str) -> bool {
    const CLAUSES: [&str; 17] = [
        "NOT",
        "NULL",
        "DEFAULT",
        "PRIMARY",
        "UNIQUE",
        "AUTO_INCREMENT",
        "COMMENT",
        "CHARACTER",
        "CHARSET",
        "COLLATE",
        "REFERENCES",
        "CHECK",
        "FIRST",
        "AFTER",
        "GENERATED",
        "AS",
        "INVISIBLE",
    ];
    CLAUSES.iter().any(|k| word.eq_ignore_ascii_case(k))
}

/// `INT(11)` → `int`, `INTEGER` → `int`, `BOOLEAN` → `tinyint(1)`, spaces dropped.
fn normalize_type(text: &str) -> String {
    let lower = text.to_ascii_lowercase().replace(' ', "");
    let (base, rest) = match lower.find('(') {
        Some(i) => lower.split_at(i),
        None => (lower.as_str(), ""),
    };
    match base {
        "bool" | "boolean" => "tinyint(1)".to_owned(),
        "integer" => format!("int{}", strip_width(rest)),
        "tinyint" if rest.starts_with("(1)") => lower,
        "tinyint" | "smallint" | "mediumint" | "int" | "bigint" => {
            format!("{base}{}", strip_width(rest))
        }
        "real" | "doubleprecision" => "double".to_owned(),
        "dec" | "numeric" | "fixed" => format!("decimal{rest}"),
        _ => lower,
    }
}

/// Drops a leading `(N)` display width, keeping what follows (`unsigned`).
fn strip_width(rest: &str) -> &str {
    match rest.find(')') {
        Some(end) if rest.starts_with('(') => &rest[end + 1..],
        _ => rest,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A word; `true` when it was quoted (so never a keyword).
    Word(String, bool),
    /// The text inside a parenthesised group.
    Group(String),
    Punct(char),
}

fn tokenize(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '`' || c == '"' {
            let mut word = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == c {
                    if chars.get(i + 1) == Some(&c) {
                        word.push(c);
                        i += 2;
                        continue;
                    }
                    break;
                }
                word.push(chars[i]);
                i += 1;
            }
            i += 1;
            tokens.push(Token::Word(word, true));
        } else if c == '(' {
            let mut depth = 1;
            let mut group = String::new();
            i += 1;
            while i < chars.len() {
                match chars[i] {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                group.push(chars[i]);
                i += 1;
            }
            i += 1;
            tokens.push(Token::Group(group));
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let mut word = String::new();
            while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '$')) {
                word.push(chars[i]);
                i += 1;
            }
            tokens.push(Token::Word(word, false));
        } else {
            tokens.push(Token::Punct(c));
            i += 1;
        }
    }
    tokens
}

/// A cursor over tokens with keyword helpers.
struct Cursor<'a> {
    tokens: &'a [Token],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn keyword(&mut self, keyword: &str) -> bool {
        match self.tokens.get(self.at) {
            Some(Token::Word(w, false)) if w.eq_ignore_ascii_case(keyword) => {
                self.at += 1;
                true
            }
            _ => false,
        }
    }

    fn keywords(&mut self, keywords: &[&str]) -> bool {
        let start = self.at;
        if keywords.iter().all(|k| self.keyword(k)) {
            return true;
        }
        self.at = start;
        false
    }

    /// A possibly qualified name (`db`.`t`): its last part.
    fn name(&mut self) -> Option<String> {
        let mut name = match self.tokens.get(self.at) {
            Some(Token::Word(w, _)) => w.clone(),
            _ => return None,
        };
        self.at += 1;
        while let (Some(Token::Punct('.')), Some(Token::Word(w, _))) =
            (self.tokens.get(self.at), self.tokens.get(self.at + 1))
        {
            name = w.clone();
            self.at += 2;
        }
        Some(name)
    }

    fn done(&self) -> bool {
        self.at >= self.tokens.len()
            || (self.at + 1 == self.tokens.len() && self.tokens[self.at] == Token::Punct(';'))
    }

    /// The source text of the tokens up to the next top-level `,` (a column definition).
    fn rest_of_action(&mut self) -> String {
        let mut text = Vec::new();
        while let Some(token) = self.tokens.get(self.at) {
            match token {
                Token::Punct(',') | Token::Punct(';') => break,
                Token::Word(w, _) => text.push(w.clone()),
                Token::Group(g) => text.push(format!("({g})")),
                Token::Punct(p) => text.push(p.to_string()),
            }
            self.at += 1;
        }
        text.join(" ")
    }
}

/// The effects of the DDL statement `sql`, or `None` when its shape is not recognised.
fn effects_of(sql: &str) -> Option<Vec<Effect>> {
    let tokens = tokenize(sql);
    let mut c = Cursor {
        tokens: &tokens,
        at: 0,
    };
    let mut effects = Vec::new();
    if c.keywords(&["ALTER", "TABLE"]) {
        let table = c.name()?;
        loop {
            alter_action(&mut c, &table, &mut effects)?;
            if !matches!(c.tokens.get(c.at), Some(Token::Punct(','))) {
                break;
            }
            c.at += 1;
        }
    } else if c.keyword("CREATE") {
        let _ = c.keyword("UNIQUE") || c.keyword("FULLTEXT") || c.keyword("SPATIAL");
        if c.keyword("INDEX") {
            let name = c.name()?;
            if !c.keyword("ON") {
                return None;
            }
            let table = c.name()?;
            effects.push(Effect::IndexPresent { table, name });
            return Some(effects);
        }
        if !c.keyword("TABLE") {
            return None;
        }
        let _ = c.keywords(&["IF", "NOT", "EXISTS"]);
        effects.push(Effect::TablePresent(c.name()?));
        // The rest (columns, options) is what the table holds, not a separate effect.
        return Some(effects);
    } else if c.keywords(&["DROP", "INDEX"]) {
        let name = c.name()?;
        if !c.keyword("ON") {
            return None;
        }
        let table = c.name()?;
        effects.push(Effect::IndexAbsent { table, name });
    } else if c.keywords(&["DROP", "TABLE"]) {
        let _ = c.keywords(&["IF", "EXISTS"]);
        effects.push(Effect::TableAbsent(c.name()?));
    } else if c.keywords(&["RENAME", "TABLE"]) {
        let from = c.name()?;
        if !c.keyword("TO") {
            return None;
        }
        effects.push(Effect::TableAbsent(from));
        effects.push(Effect::TablePresent(c.name()?));
    } else {
        return None;
    }
    c.done().then_some(effects)
}

/// One action of an `ALTER TABLE`; `None` when it is not recognised.
fn alter_action(c: &mut Cursor<'_>, table: &str, effects: &mut Vec<Effect>) -> Option<()> {
    let table = table.to_owned();
    if c.keyword("ALGORITHM") || c.keyword("LOCK") {
        // `ALGORITHM=COPY`: how, not what.
        let _ = c.rest_of_action();
        return Some(());
    }
    if c.keyword("ADD") {
        let constraint_name = if c.keyword("CONSTRAINT") {
            match c.tokens.get(c.at) {
                Some(Token::Word(w, quoted))
                    if *quoted
                        || !["UNIQUE", "FOREIGN", "CHECK", "PRIMARY"]
                            .iter()
                            .any(|k| w.eq_ignore_ascii_case(k)) =>
                {
                    c.name()
                }
                _ => None,
            }
        } else {
            None
        };
        if c.keyword("UNIQUE") || c.keyword("INDEX") || c.keyword("KEY") {
            let _ = c.keyword("INDEX") || c.keyword("KEY");
            let name = match (&constraint_name, c.tokens.get(c.at)) {
                (Some(name), _) => name.clone(),
                (None, Some(Token::Word(_, _))) => c.name()?,
                _ => return None,
            };
            let _ = c.rest_of_action();
            effects.push(Effect::IndexPresent { table, name });
            return Some(());
        }
        if c.keywords(&["FOREIGN", "KEY"]) || c.keyword("CHECK") {
            let name = constraint_name?;
            let _ = c.rest_of_action();
            effects.push(Effect::ConstraintPresent { table, name });
            return Some(());
        }
        if constraint_name.is_some() || c.keyword("PRIMARY") {
            return None;
        }
        let _ = c.keyword("COLUMN");
        let _ = c.keywords(&["IF", "NOT", "EXISTS"]);
        let column = c.name()?;
        let definition = c.rest_of_action();
        effects.push(Effect::ColumnPresent {
            table,
            column,
            definition: Some(definition),
        });
        return Some(());
    }
    if c.keyword("DROP") {
        if c.keyword("INDEX") || c.keyword("KEY") {
            effects.push(Effect::IndexAbsent {
                table,
                name: c.name()?,
            });
        } else if c.keywords(&["FOREIGN", "KEY"]) || c.keyword("CONSTRAINT") || c.keyword("CHECK") {
            effects.push(Effect::ConstraintAbsent {
                table,
                name: c.name()?,
            });
        } else {
            if c.keyword("PRIMARY") {
                return None;
            }
            let _ = c.keyword("COLUMN");
            let _ = c.keywords(&["IF", "EXISTS"]);
            effects.push(Effect::ColumnAbsent {
                table,
                column: c.name()?,
            });
        }
        return Some(());
    }
    if c.keywords(&["RENAME", "COLUMN"]) {
        let from = c.name()?;
        if !c.keyword("TO") {
            return None;
        }
        let to = c.name()?;
        effects.push(Effect::ColumnAbsent {
            table: table.clone(),
            column: from,
        });
        effects.push(Effect::ColumnPresent {
            table,
            column: to,
            definition: None,
        });
        return Some(());
    }
    if c.keyword("CHANGE") {
        let _ = c.keyword("COLUMN");
        let from = c.name()?;
        let to = c.name()?;
        let definition = c.rest_of_action();
        if !from.eq_ignore_ascii_case(&to) {
            effects.push(Effect::ColumnAbsent {
                table: table.clone(),
                column: from,
            });
        } else {
            // Changing a column in place cannot fail on a retry: nothing to recognise.
            return None;
        }
        effects.push(Effect::ColumnPresent {
            table,
            column: to,
            definition: Some(definition),
        });
        return Some(());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(table: &str, column: &str, definition: &str) -> Effect {
        Effect::ColumnPresent {
            table: table.into(),
            column: column.into(),
            definition: Some(definition.into()),
        }
    }

    #[test]
    fn recognises_the_ddl_shapes_whose_effect_can_be_read_back() {
        assert_eq!(
            effects_of(
                "ALTER TABLE `users` ADD COLUMN `first_name` VARCHAR(50) NOT NULL, ALGORITHM=COPY"
            ),
            Some(vec![column("users", "first_name", "VARCHAR (50) NOT NULL")])
        );
        assert_eq!(
            effects_of(
                "ALTER TABLE shop.users ADD last_name VARCHAR(100), ADD INDEX users_ln (last_name)"
            ),
            Some(vec![
                column("users", "last_name", "VARCHAR (100)"),
                Effect::IndexPresent {
                    table: "users".into(),
                    name: "users_ln".into()
                },
            ])
        );
        assert_eq!(
            effects_of("ALTER TABLE users ADD CONSTRAINT users_age CHECK (age >= 0)"),
            Some(vec![Effect::ConstraintPresent {
                table: "users".into(),
                name: "users_age".into()
            }])
        );
        assert_eq!(
            effects_of("CREATE UNIQUE INDEX users_email ON users (email)"),
            Some(vec![Effect::IndexPresent {
                table: "users".into(),
                name: "users_email".into()
            }])
        );
        assert_eq!(
            effects_of("ALTER TABLE users RENAME COLUMN a TO b"),
            Some(vec![
                Effect::ColumnAbsent {
                    table: "users".into(),
                    column: "a".into()
                },
                Effect::ColumnPresent {
                    table: "users".into(),
                    column: "b".into(),
                    definition: None
                },
            ])
        );
        assert_eq!(
            effects_of("ALTER TABLE `users` DROP COLUMN `full_name`"),
            Some(vec![Effect::ColumnAbsent {
                table: "users".into(),
                column: "full_name".into()
            }])
        );
        assert_eq!(
            effects_of("DROP TABLE IF EXISTS old"),
            Some(vec![Effect::TableAbsent("old".into())])
        );
    }

    #[test]
    fn leaves_what_it_cannot_read_back_undecided() {
        for sql in [
            "UPDATE users SET a = 1",
            "ALTER TABLE users MODIFY COLUMN a INT NOT NULL",
            "ALTER TABLE users ADD PRIMARY KEY (id)",
            "ALTER TABLE users ADD CHECK (a > 0)",
            "CREATE VIEW v AS SELECT 1",
        ] {
            assert_eq!(effects_of(sql), None, "{sql}");
        }
    }

    #[test]
    fn compares_types_modulo_display_widths_and_aliases() {
        let row = |t: &str, n: &str| ColumnRow {
            column_type: t.into(),
            nullable: n.into(),
        };
        assert!(same_definition("INT NOT NULL", &row("int(11)", "NO")));
        assert!(same_definition("INTEGER", &row("int(11)", "YES")));
        assert!(same_definition(
            "BIGINT UNSIGNED",
            &row("bigint(20) unsigned", "YES")
        ));
        assert!(same_definition(
            "BOOLEAN DEFAULT 0",
            &row("tinyint(1)", "YES")
        ));
        assert!(same_definition(
            "VARCHAR (50) NOT NULL",
            &row("varchar(50)", "NO")
        ));
        assert!(!same_definition(
            "VARCHAR(50) NOT NULL",
            &row("varchar(50)", "YES")
        ));
        assert!(!same_definition("VARCHAR(50)", &row("int(11)", "YES")));
        assert!(same_definition(
            "DECIMAL(10, 2)",
            &row("decimal(10,2)", "YES")
        ));
    }
}
