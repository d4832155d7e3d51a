//! SQLite text functions that see every byte of a text holding a NUL.
//!
//! SQLite keeps in TEXT whatever bytes were written, NUL included, but its `length` and `substr`
//! (and its date functions) read a TEXT only up to its first NUL byte, as a C string: on such
//! text they would give another answer than MySQL, which counts NUL as one character (PostgreSQL
//! cannot store it). `instr`, `replace` (of a pattern that does not start with NUL), `||`,
//! `upper`, `lower`, `trim`, the JSON functions and `COLLATE BINARY` comparisons see every byte.
//! On a text that holds a NUL, the forms here count and cut a twin of it without NUL that has
//! its characters at the same byte offsets; a text without NUL costs one scan more than before.
//! The JSON functions are built into SQLite since 3.38 (and in most builds before).
//!
//! Text that is not UTF-8 (which SQLite stores as written) counts characters as SQLite's
//! `length` does: a byte from 0xC0 up with the bytes from 0x80 to 0xBF that follow it is one
//! character, every other byte is one.

/// True where the text `v` holds a NUL byte (NULL where `v` is NULL).
pub(crate) fn has_nul(v: &str) -> String {
    format!("INSTR({v}, CHAR(0)) > 0")
}

/// `v` with each NUL byte turned into a space: a text of the same bytes elsewhere, so with its
/// characters at the same byte offsets, that SQLite's `length` and `substr` read to the end.
///
/// `json_quote` writes a NUL as `\u0000` and `json_extract` reads the JSON string back; in
/// between, `\u0000` becomes `\u0020`. Where that text follows an escaped backslash it was
/// not a NUL but the characters `u0000` of the text, which become `u0020`: the same number of
/// ASCII bytes, so the offsets still hold.
fn nul_free(v: &str) -> String {
    format!(r"JSON_EXTRACT(REPLACE(JSON_QUOTE(CAST({v} AS TEXT)), '\u0000', '\u0020'), '$')")
}

/// The length of `v` in characters, NUL bytes counted.
pub(crate) fn char_length(v: &str) -> String {
    format!(
        "(CASE WHEN {} THEN LENGTH({}) ELSE LENGTH({v}) END)",
        has_nul(v),
        nul_free(v)
    )
}

/// `len` characters of `v` from character `start` (from 1), NUL bytes counted: the bytes of
/// `v` between the byte offsets of those characters in its NUL-free twin. `len` is not negative
/// (or NULL).
pub(crate) fn substring(v: &str, start: i64, len: &str) -> String {
    let twin = nul_free(v);
    let from = if start == 1 {
        "1".to_owned()
    } else {
        format!(
            "LENGTH(CAST(SUBSTR({twin}, 1, {}) AS BLOB)) + 1",
            start.saturating_sub(1)
        )
    };
    let taken = format!("LENGTH(CAST(SUBSTR({twin}, {start}, {len}) AS BLOB))");
    format!(
        "(CASE WHEN {} THEN CAST(SUBSTR(CAST({v} AS BLOB), {from}, {taken}) AS TEXT) ELSE SUBSTR({v}, {start}, {len}) END)",
        has_nul(v)
    )
}
