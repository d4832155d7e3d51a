//! Rust names for SQL names, as Diesel CLI makes them: characters an identifier cannot hold
//! become `_`, and a keyword, a name `table!` reserves, or a column named like its table gets a
//! trailing `_` (the SQL name then goes in `#[sql_name = "..."]`).

use super::TableName;

/// Names `table!` uses for itself.
const RESERVED_NAMES: &[&str] = &["table", "columns", "is_nullable"];

/// What `syn` refuses as an identifier (Rust's strict and reserved keywords, and `_`).
const KEYWORDS: &[&str] = &[
    "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "Self", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

pub(super) fn is_reserved_name(name: &str) -> bool {
    let is_identifier = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&name);
    !is_identifier
        || RESERVED_NAMES.contains(&name)
        // Names starting with `__` are `table!`'s own, unless they also end with `_`.
        || (name.starts_with("__") && !name.ends_with('_'))
}

fn unmappable(c: char) -> bool {
    !(c.is_ascii_alphanumeric() || c == '_')
}

/// Runs of unmappable characters become one `_`; a leading digit gets a `_` before it
/// (Diesel CLI's `replace_unmappable_chars`, character for character).
fn replace_unmappable_chars(name: &str) -> String {
    for (idx, c) in name.char_indices() {
        if unmappable(c) {
            let mut out = name[..idx].to_owned();
            replace_chars(&mut out, &name[idx..], false);
            return out;
        } else if idx == 0 && c.is_ascii_digit() {
            let mut out = String::from("_");
            replace_chars(&mut out, name, true);
            return out;
        }
    }
    name.to_owned()
}

fn replace_chars(out: &mut String, tail: &str, mut last_was_underscore: bool) {
    for c in tail.chars() {
        if unmappable(c) {
            if !last_was_underscore {
                out.push('_');
            }
            last_was_underscore = true;
        } else {
            last_was_underscore = false;
            out.push(c);
        }
    }
}

/// The Rust name of a table (`table` is `None`) or of one of its columns.
pub(super) fn rust_name_for_sql_name(sql_name: &str, table: Option<&TableName>) -> String {
    let name = replace_unmappable_chars(sql_name);
    if is_reserved_name(&name) || table.is_some_and(|t| t.rust_name == name) {
        format!("{name}_")
    } else {
        name
    }
}

/// PostgreSQL and MySQL type names in Rust: `int4` → `Int4`, `pg_lsn` → `PgLsn`.
#[cfg_attr(not(any(feature = "postgres", feature = "mysql")), allow(dead_code))]
pub(super) fn upper_camel_case(name: &str) -> String {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_names() {
        let users = TableName::new("users".into(), None);
        assert_eq!(rust_name_for_sql_name("users", None), "users");
        assert_eq!(rust_name_for_sql_name("type", Some(&users)), "type_");
        assert_eq!(rust_name_for_sql_name("users", Some(&users)), "users_");
        assert_eq!(rust_name_for_sql_name("table", Some(&users)), "table_");
        assert_eq!(
            rust_name_for_sql_name("first name", Some(&users)),
            "first_name"
        );
        assert_eq!(rust_name_for_sql_name("a--b", Some(&users)), "a_b");
        assert_eq!(rust_name_for_sql_name("1st", Some(&users)), "_1st");
        assert_eq!(rust_name_for_sql_name("__x", Some(&users)), "__x_");
        assert_eq!(
            rust_name_for_sql_name("snake_case_ok", Some(&users)),
            "snake_case_ok"
        );
    }

    #[test]
    fn type_names() {
        assert_eq!(upper_camel_case("int4"), "Int4");
        assert_eq!(upper_camel_case("varchar"), "Varchar");
        assert_eq!(upper_camel_case("pg_lsn"), "PgLsn");
        assert_eq!(upper_camel_case("timestamptz"), "Timestamptz");
    }
}
