//! Well-known statements that a database accepts but sqlparser cannot parse, recognised by
//! their shape so that valid SQL is never refused.
//!
//! Each shape is matched on the tokens, strictly: only the statement's fixed frame is checked
//! (the body of a `DO` block or the arguments of a virtual table module are the database's to
//! judge). Anything else that sqlparser rejects stays a compile error; `unchecked!` is the
//! documented way past the parser for the rest.

use migrate_sql::Dialect::{self, Mysql, Postgres, Sqlite};
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect};
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

/// A statement recognised by its shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognised {
    /// The databases whose grammar has it.
    pub runs_on: &'static [Dialect],
    /// What it is, for messages ("a `DO` block").
    pub what: &'static str,
    /// The word the messages point at.
    pub at_word: &'static str,
}

/// The shape of `sql`, if it is one of the statements this module knows.
pub fn recognise(sql: &str) -> Option<Recognised> {
    // The PostgreSQL tokenizer knows dollar quoting, which only the `DO` shape needs; the other
    // shapes are tokenized the same way by every dialect.
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize().ok()?;
    let words: Vec<&Token> = tokens
        .iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let words = match words.as_slice() {
        [init @ .., Token::SemiColon] => init,
        all => all,
    };
    do_block(words)
        .or_else(|| mysql_index(sql, words))
        .or_else(|| mysql_trigger(sql))
        .or_else(|| virtual_table(words))
        .or_else(|| drop_index_concurrently(sql, words))
        .or_else(|| pragma(words))
        .or_else(|| mysql_alter_table(sql, words))
        .or_else(|| keyword_statement(words))
        .or_else(|| mysql_multi_table_update(sql))
}

/// MySQL's `UPDATE a, b SET ...`: with the commas written as `CROSS JOIN` (the same thing), an
/// UPDATE MySQL's parser accepts.
fn mysql_multi_table_update(sql: &str) -> Option<Recognised> {
    let tokens = Tokenizer::new(&MySqlDialect {}, sql)
        .tokenize_with_location()
        .ok()?;
    let significant: Vec<_> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    if !significant
        .first()
        .is_some_and(|t| is_word(&t.token, "UPDATE"))
    {
        return None;
    }
    let mut commas = Vec::new();
    for token in &significant[1..] {
        match &token.token {
            Token::Comma => commas.push(token),
            Token::Word(w) if w.value.eq_ignore_ascii_case("SET") => break,
            Token::Word(_) | Token::Period => {}
            _ => return None,
        }
    }
    if commas.is_empty() {
        return None;
    }
    let mut joined = String::with_capacity(sql.len() + 16 * commas.len());
    let mut from = 0;
    for comma in commas {
        let at = offset_of(sql, comma.span.start)?;
        joined.push_str(sql.get(from..at)?);
        joined.push_str(" CROSS JOIN ");
        from = at + 1;
    }
    joined.push_str(sql.get(from..)?);
    let parsed = Parser::parse_sql(&MySqlDialect {}, &joined).ok()?;
    matches!(parsed.as_slice(), [sqlparser::ast::Statement::Update(_)]).then_some(Recognised {
        runs_on: &[Mysql],
        what: "`UPDATE a, b SET ...`",
        at_word: "UPDATE",
    })
}

/// MySQL's `ALTER TABLE` actions sqlparser does not know: table options (`ENGINE=`, `COMMENT=`,
/// `CONVERT TO CHARACTER SET`, ...), `RENAME INDEX a TO b`, and `ADD COLUMN IF NOT EXISTS`, which
/// PostgreSQL has too.
fn mysql_alter_table(sql: &str, words: &[&Token]) -> Option<Recognised> {
    let [alter, table, name, action, rest @ ..] = words else {
        return None;
    };
    if !(is_word(alter, "ALTER") && is_word(table, "TABLE") && is_name(name)) {
        return None;
    }
    const TABLE_OPTIONS: &[&str] = &[
        "ENGINE",
        "COMMENT",
        "CONVERT",
        "AUTO_INCREMENT",
        "ROW_FORMAT",
        "CHARACTER",
        "CHARSET",
        "DEFAULT",
        "COLLATE",
        "FORCE",
    ];
    if TABLE_OPTIONS.iter().any(|option| is_word(action, option)) {
        return Some(Recognised {
            runs_on: &[Mysql],
            what: "MySQL's table options in `ALTER TABLE`",
            at_word: "ALTER",
        });
    }
    if is_word(action, "RENAME")
        && matches!(rest, [kind, from, to_, target] if (is_word(kind, "INDEX") || is_word(kind, "KEY")) && is_name(from) && is_word(to_, "TO") && is_name(target))
    {
        return Some(Recognised {
            runs_on: &[Mysql],
            what: "`ALTER TABLE ... RENAME INDEX`",
            at_word: "RENAME",
        });
    }
    let adds_if_not_exists = is_word(action, "ADD")
        && match rest {
            [column, if_, not, exists, ..] if is_word(column, "COLUMN") => {
                is_word(if_, "IF") && is_word(not, "NOT") && is_word(exists, "EXISTS")
            }
            [if_, not, exists, ..] => {
                is_word(if_, "IF") && is_word(not, "NOT") && is_word(exists, "EXISTS")
            }
            _ => false,
        };
    if adds_if_not_exists {
        let without = remove_first_word(
            &remove_first_word(&remove_first_word(sql, "IF")?, "NOT")?,
            "EXISTS",
        )?;
        let parsed = Parser::parse_sql(&MySqlDialect {}, &without).ok()?;
        return matches!(
            parsed.as_slice(),
            [sqlparser::ast::Statement::AlterTable(_)]
        )
        .then_some(Recognised {
            runs_on: &[Postgres, Mysql],
            what: "`ADD COLUMN IF NOT EXISTS`",
            at_word: "EXISTS",
        });
    }
    None
}

/// Statements known by their first words: `OPTIMIZE TABLE` (MySQL), `ALTER SEQUENCE` (PostgreSQL
/// and MySQL), `REINDEX` (PostgreSQL with an object kind, SQLite without).
fn keyword_statement(words: &[&Token]) -> Option<Recognised> {
    match words {
        [optimize, table, names @ ..]
            if is_word(optimize, "OPTIMIZE") && is_word(table, "TABLE") && !names.is_empty() =>
        {
            Some(Recognised {
                runs_on: &[Mysql],
                what: "`OPTIMIZE TABLE`",
                at_word: "OPTIMIZE",
            })
        }
        [alter, sequence, name, _, ..]
            if is_word(alter, "ALTER") && is_word(sequence, "SEQUENCE") && is_name(name) =>
        {
            Some(Recognised {
                runs_on: &[Postgres, Mysql],
                what: "`ALTER SEQUENCE`",
                at_word: "SEQUENCE",
            })
        }
        [reindex, kind, rest @ ..]
            if is_word(reindex, "REINDEX")
                && ["TABLE", "INDEX", "SCHEMA", "DATABASE", "SYSTEM"]
                    .iter()
                    .any(|k| is_word(kind, k))
                && !rest.is_empty() =>
        {
            Some(Recognised {
                runs_on: &[Postgres],
                what: "`REINDEX TABLE/INDEX ...`",
                at_word: "REINDEX",
            })
        }
        [reindex] | [reindex, _] if is_word(reindex, "REINDEX") => Some(Recognised {
            runs_on: &[Sqlite],
            what: "`REINDEX` without an object kind",
            at_word: "REINDEX",
        }),
        _ => None,
    }
}

/// SQLite's `PRAGMA [schema.]name [= value | (value)]`, whose values (`ON`, `wal`) sqlparser
/// does not all know.
fn pragma(words: &[&Token]) -> Option<Recognised> {
    let rest = match words {
        [first, rest @ ..] if is_word(first, "PRAGMA") => rest,
        _ => return None,
    };
    let rest = match rest {
        [schema, Token::Period, name, rest @ ..] if is_name(schema) && is_name(name) => rest,
        [name, rest @ ..] if is_name(name) => rest,
        _ => return None,
    };
    let value = |t: &Token| is_name(t) || is_string(t) || matches!(t, Token::Number(..));
    let shaped = match rest {
        [] => true,
        [Token::Eq, v] => value(v),
        [Token::LParen, v, Token::RParen] => value(v),
        _ => false,
    };
    shaped.then_some(Recognised {
        runs_on: &[Sqlite],
        what: "`PRAGMA`",
        at_word: "PRAGMA",
    })
}

fn keyword(token: &Token) -> Option<Keyword> {
    match token {
        Token::Word(w) if w.quote_style.is_none() => Some(w.keyword),
        _ => None,
    }
}

fn is_word(token: &Token, word: &str) -> bool {
    matches!(token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}

fn is_name(token: &Token) -> bool {
    matches!(token, Token::Word(_))
}

fn is_string(token: &Token) -> bool {
    matches!(
        token,
        Token::DollarQuotedString(_) | Token::SingleQuotedString(_)
    )
}

/// PostgreSQL's `DO [LANGUAGE name] $$ ... $$ [LANGUAGE name]`.
fn do_block(words: &[&Token]) -> Option<Recognised> {
    let rest = match words {
        [first, rest @ ..] if is_word(first, "DO") => rest,
        _ => return None,
    };
    let shaped = match rest {
        [body] => is_string(body),
        [language, name, body] if is_word(language, "LANGUAGE") => is_string(body) && is_name(name),
        [body, language, name] => is_string(body) && is_word(language, "LANGUAGE") && is_name(name),
        _ => false,
    };
    shaped.then_some(Recognised {
        runs_on: &[Postgres],
        what: "a `DO` block",
        at_word: "DO",
    })
}

/// MySQL's `CREATE FULLTEXT INDEX` and `CREATE SPATIAL INDEX`: without the kind word, an index
/// that MySQL's parser accepts.
fn mysql_index(sql: &str, words: &[&Token]) -> Option<Recognised> {
    let [create, kind, index, ..] = words else {
        return None;
    };
    if keyword(create) != Some(Keyword::CREATE) || keyword(index) != Some(Keyword::INDEX) {
        return None;
    }
    let (what, at_word) = if is_word(kind, "FULLTEXT") {
        ("a `FULLTEXT` index", "FULLTEXT")
    } else if is_word(kind, "SPATIAL") {
        ("a `SPATIAL` index", "SPATIAL")
    } else {
        return None;
    };
    let plain = remove_first_word(sql, at_word)?;
    let parsed = Parser::parse_sql(&MySqlDialect {}, &plain).ok()?;
    matches!(
        parsed.as_slice(),
        [sqlparser::ast::Statement::CreateIndex(_)]
    )
    .then_some(Recognised {
        runs_on: &[Mysql],
        what,
        at_word,
    })
}

/// MySQL's trigger whose body is one statement (`FOR EACH ROW SET NEW.a = ...`), which sqlparser
/// only parses with `BEGIN ... END`: the frame is checked word by word, the body by MySQL's parser.
fn mysql_trigger(sql: &str) -> Option<Recognised> {
    let tokens = Tokenizer::new(&MySqlDialect {}, sql)
        .tokenize_with_location()
        .ok()?;
    let significant: Vec<_> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    let mut i = 0;
    let mut expect = |pred: &dyn Fn(&Token) -> bool| -> Option<()> {
        let ok = significant.get(i).is_some_and(|t| pred(&t.token));
        i += 1;
        ok.then_some(())
    };
    expect(&|t| is_word(t, "CREATE"))?;
    expect(&|t| is_word(t, "TRIGGER"))?;
    expect(&is_name)?;
    expect(&|t| is_word(t, "BEFORE") || is_word(t, "AFTER"))?;
    expect(&|t| is_word(t, "INSERT") || is_word(t, "UPDATE") || is_word(t, "DELETE"))?;
    expect(&|t| is_word(t, "ON"))?;
    expect(&is_name)?;
    expect(&|t| is_word(t, "FOR"))?;
    expect(&|t| is_word(t, "EACH"))?;
    expect(&|t| is_word(t, "ROW"))?;
    let body_start = significant.get(i)?;
    if is_word(&body_start.token, "BEGIN") {
        // A compound body is sqlparser's to parse.
        return None;
    }
    let body = slice_from(sql, body_start.span.start)?;
    let parsed = Parser::parse_sql(&MySqlDialect {}, body).ok()?;
    (parsed.len() == 1).then_some(Recognised {
        runs_on: &[Mysql],
        what: "a trigger whose body is one statement",
        at_word: "TRIGGER",
    })
}

/// SQLite's `CREATE VIRTUAL TABLE [IF NOT EXISTS] name USING module[(arguments)]`: the arguments
/// are the module's own syntax (`fts5(title, content='posts')`), so only their brackets are checked.
fn virtual_table(words: &[&Token]) -> Option<Recognised> {
    let rest = match words {
        [create, virtual_, table, rest @ ..]
            if is_word(create, "CREATE")
                && is_word(virtual_, "VIRTUAL")
                && is_word(table, "TABLE") =>
        {
            rest
        }
        _ => return None,
    };
    let rest = match rest {
        [if_, not, exists, rest @ ..]
            if is_word(if_, "IF") && is_word(not, "NOT") && is_word(exists, "EXISTS") =>
        {
            rest
        }
        _ => rest,
    };
    // A qualified name is `schema . name`.
    let rest = match rest {
        [schema, Token::Period, name, rest @ ..] if is_name(schema) && is_name(name) => rest,
        [name, rest @ ..] if is_name(name) => rest,
        _ => return None,
    };
    let arguments = match rest {
        [using, module] if is_word(using, "USING") && is_name(module) => &[][..],
        [using, module, Token::LParen, arguments @ .., Token::RParen]
            if is_word(using, "USING") && is_name(module) =>
        {
            arguments
        }
        _ => return None,
    };
    let mut depth = 0usize;
    for token in arguments {
        match token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.checked_sub(1)?,
            Token::SemiColon => return None,
            _ => {}
        }
    }
    (depth == 0).then_some(Recognised {
        runs_on: &[Sqlite],
        what: "virtual tables",
        at_word: "VIRTUAL",
    })
}

/// PostgreSQL's `DROP INDEX CONCURRENTLY`, which sqlparser misses: without the word, a
/// `DROP INDEX` PostgreSQL's parser accepts.
fn drop_index_concurrently(sql: &str, words: &[&Token]) -> Option<Recognised> {
    let [drop, index, concurrently, ..] = words else {
        return None;
    };
    if !(is_word(drop, "DROP") && is_word(index, "INDEX") && is_word(concurrently, "CONCURRENTLY"))
    {
        return None;
    }
    let plain = remove_first_word(sql, "CONCURRENTLY")?;
    let parsed = Parser::parse_sql(&PostgreSqlDialect {}, &plain).ok()?;
    matches!(parsed.as_slice(), [sqlparser::ast::Statement::Drop { .. }]).then_some(Recognised {
        runs_on: &[Postgres],
        what: "`DROP INDEX CONCURRENTLY`",
        at_word: "CONCURRENTLY",
    })
}

/// `sql` without the first occurrence of `word` (an unquoted word, found by the tokenizer).
fn remove_first_word(sql: &str, word: &str) -> Option<String> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .ok()?;
    let found = tokens.iter().find(|t| is_word(&t.token, word))?;
    let start = offset_of(sql, found.span.start)?;
    let end = offset_of(sql, found.span.end)?;
    let mut plain = String::with_capacity(sql.len());
    plain.push_str(sql.get(..start)?);
    plain.push(' ');
    plain.push_str(sql.get(end..)?);
    Some(plain)
}

fn slice_from(sql: &str, at: sqlparser::tokenizer::Location) -> Option<&str> {
    sql.get(offset_of(sql, at)?..)
}

/// The byte offset of a tokenizer location (1-based line and column, counted in characters).
pub fn offset_of(sql: &str, at: sqlparser::tokenizer::Location) -> Option<usize> {
    let line = usize::try_from(at.line).ok()?;
    let column = usize::try_from(at.column).ok()?;
    let mut offset = 0;
    for (index, text) in sql.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            let within = text
                .char_indices()
                .nth(column.checked_sub(1)?)
                .map_or(text.len(), |(i, _)| i);
            return Some(offset + within);
        }
        offset += text.len();
    }
    None
}
