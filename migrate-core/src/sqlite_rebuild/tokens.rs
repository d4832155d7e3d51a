//! A tokenizer for SQLite SQL, the parenthesis matching built on it, and the helpers that read,
//! compare and quote names as SQLite does. Apart because it knows nothing of tables: everything
//! else in the rebuild is built on it.

use migrate_sql::{Dialect, quote_ident};

/// A token of SQLite SQL: a kind and a byte range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token {
    pub(super) kind: TokenKind,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// What a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenKind {
    /// Spaces, tabs and line breaks.
    Space,
    /// `-- ...` up to the end of the line, or `/* ... */`.
    Comment,
    /// A keyword, bare name or number.
    Word,
    /// A name in `"..."`, `` `...` `` or `[...]`.
    QuotedName,
    /// A string `'...'` (which SQLite also takes as a name where one is expected) or blob `X'...'`.
    Text,
    /// `(`
    Open,
    /// `)`
    Close,
    /// `,`
    Comma,
    /// Any other character: operators, `.`, `;`.
    Symbol,
    /// A parenthesised group taken as a whole; only [`units`] makes these.
    Group,
}

impl Token {
    /// Its text in `sql`, the text it was read from.
    pub(super) fn text(self, sql: &str) -> &str {
        &sql[self.start..self.end]
    }

    /// Whether it means something: neither space nor comment.
    pub(super) fn is_significant(self) -> bool {
        !matches!(self.kind, TokenKind::Space | TokenKind::Comment)
    }

    /// Whether it is the keyword `word`, in any case.
    pub(super) fn is_word(self, sql: &str, word: &str) -> bool {
        self.kind == TokenKind::Word && self.text(sql).eq_ignore_ascii_case(word)
    }
}

/// Splits `sql` into tokens covering every byte, or says what is left unterminated.
pub(super) fn tokenize(sql: &str) -> std::result::Result<Vec<Token>, String> {
    let bytes = sql.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let (kind, end) = next_token(bytes, i)?;
        tokens.push(Token {
            kind,
            start: i,
            end,
        });
        i = end;
    }
    Ok(tokens)
}

/// The kind and end of the token at `i`. Every delimiter is ASCII, so tokens end on character
/// boundaries; other non-ASCII characters are name characters, as in SQLite.
fn next_token(bytes: &[u8], i: usize) -> std::result::Result<(TokenKind, usize), String> {
    let next = bytes.get(i + 1).copied();
    let after = |from: usize, pred: fn(u8) -> bool| {
        bytes[from..]
            .iter()
            .position(|&b| !pred(b))
            .map_or(bytes.len(), |p| from + p)
    };
    Ok(match bytes[i] {
        b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => (TokenKind::Space, after(i, is_space)),
        b'-' if next == Some(b'-') => (TokenKind::Comment, after(i, |b| b != b'\n')),
        b'/' if next == Some(b'*') => {
            let end = find(bytes, i + 2, b"*/").ok_or("an unterminated /* comment")?;
            (TokenKind::Comment, end + 2)
        }
        b'\'' => (TokenKind::Text, quoted_end(bytes, i, b'\'')?),
        b'x' | b'X' if next == Some(b'\'') => (TokenKind::Text, quoted_end(bytes, i + 1, b'\'')?),
        quote @ (b'"' | b'`') => (TokenKind::QuotedName, quoted_end(bytes, i, quote)?),
        b'[' => {
            let end = find(bytes, i, b"]").ok_or("an unterminated [name]")?;
            (TokenKind::QuotedName, end + 1)
        }
        b'(' => (TokenKind::Open, i + 1),
        b')' => (TokenKind::Close, i + 1),
        b',' => (TokenKind::Comma, i + 1),
        b if b.is_ascii_digit() || (b == b'.' && next.is_some_and(|n| n.is_ascii_digit())) => {
            (TokenKind::Word, number_end(bytes, i))
        }
        b if is_name_byte(b) => (TokenKind::Word, after(i, is_name_byte)),
        _ => (TokenKind::Symbol, i + 1),
    })
}

/// Whether `b` is white space to SQLite.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Whether `b` can be part of a bare name or keyword.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// The end of a number such as `12`, `1.5e-3` or `0x1F`.
fn number_end(bytes: &[u8], start: usize) -> usize {
    let hex = bytes[start..].starts_with(b"0x") || bytes[start..].starts_with(b"0X");
    let mut end = start;
    while let Some(&b) = bytes.get(end) {
        let exponent_sign = matches!(b, b'+' | b'-')
            && !hex
            && end > start
            && matches!(bytes[end - 1], b'e' | b'E');
        if !(is_name_byte(b) || b == b'.' || exponent_sign) {
            break;
        }
        end += 1;
    }
    end
}

/// The end of a string or name opened by `quote` at `open`, in which a doubled quote is a quote.
fn quoted_end(bytes: &[u8], open: usize, quote: u8) -> std::result::Result<usize, String> {
    let mut i = open + 1;
    while let Some(p) = bytes[i..].iter().position(|&b| b == quote) {
        let close = i + p;
        if bytes.get(close + 1) != Some(&quote) {
            return Ok(close + 1);
        }
        i = close + 2;
    }
    Err(match quote {
        b'\'' => "an unterminated '...' string".into(),
        _ => "an unterminated quoted name".into(),
    })
}

/// Where `needle` first occurs in `bytes` at or after `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// The `)` that closes the `(` at `open`.
pub(super) fn matching_close(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0_usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The significant tokens of an entry, each parenthesised group taken as one [`TokenKind::Group`].
pub(super) fn units(tokens: &[Token]) -> Vec<Token> {
    let mut units = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        if token.kind == TokenKind::Open {
            let close = matching_close(tokens, i).unwrap_or(tokens.len() - 1);
            units.push(Token {
                kind: TokenKind::Group,
                start: token.start,
                end: tokens[close].end,
            });
            i = close + 1;
        } else {
            if token.is_significant() {
                units.push(token);
            }
            i += 1;
        }
    }
    units
}

/// A name as SQLite reads it: without its quotes, doubled quotes made single.
pub(super) fn unquote(text: &str) -> String {
    if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        return inner.to_owned();
    }
    for quote in ["\"", "`", "'"] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote)) {
            return inner.replace(&quote.repeat(2), quote);
        }
    }
    text.to_owned()
}

/// Whether two names are the same to SQLite, which ignores ASCII case only.
pub(super) fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// `name` as a SQLite identifier.
pub(super) fn quote(name: &str) -> String {
    quote_ident(Dialect::Sqlite, name)
}

/// `names` as SQLite identifiers, separated by commas.
pub(super) fn quote_list<'n>(names: impl IntoIterator<Item = &'n str>) -> String {
    names.into_iter().map(quote).collect::<Vec<_>>().join(", ")
}

/// Names for a message: `a`, `b`.
pub(super) fn name_list<'n>(names: impl IntoIterator<Item = &'n str>) -> String {
    names
        .into_iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
