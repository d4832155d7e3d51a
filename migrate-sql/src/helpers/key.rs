//! The key a batched helper walks a table by: one or more columns that are unique and NOT NULL
//! together (the primary key unless the migration names another), of any type.
//!
//! Batches go in the database's own order of the key (its collation for text), each starting
//! after the last key of the previous one. Key values travel between batches as text: each
//! column is read back as text ([`Key::select_text`]) and written into the next statement as a
//! literal of its kind ([`KeyColumn::literal`]): a bare integer for integer columns (exact, and
//! compared as a number), a hex literal for binary columns, a quoted string for everything else
//! (text, UUID, dates), which each database compares in the column's own type and collation.

use super::Sql;
use crate::{Dialect, LiteralError, quote_str};

/// The most columns a key may have: key values are read through a fixed set of text columns.
pub const MAX_KEY_COLUMNS: usize = 8;

/// How a key column's values are written as literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// An integer of any width (compared as a number).
    Integer,
    /// Bytes (`bytea`, `BINARY`, `BLOB`): travels as hex.
    Binary,
    /// Anything else: text, UUID, dates and times, decimals (a quoted literal the database
    /// converts to the column's type).
    Text,
}

impl KeyKind {
    /// The kind of a column of SQL type `sql_type` (as the catalog spells it) in `dialect`.
    pub fn of(dialect: Dialect, sql_type: &str) -> KeyKind {
        let t = sql_type.to_ascii_lowercase();
        let binary = match dialect {
            Dialect::Postgres => t == "bytea",
            Dialect::Mysql => t.contains("binary") || t.contains("blob"),
            Dialect::Sqlite => t.contains("blob") || t.is_empty(),
        };
        let integer = match dialect {
            Dialect::Postgres => matches!(t.as_str(), "smallint" | "integer" | "bigint"),
            Dialect::Mysql => {
                let base = t.split(['(', ' ']).next().unwrap_or_default();
                matches!(
                    base,
                    "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint"
                )
            }
            // SQLite's affinity rule: a declared type containing INT is an integer column.
            Dialect::Sqlite => t.contains("int"),
        };
        if binary {
            KeyKind::Binary
        } else if integer {
            KeyKind::Integer
        } else {
            KeyKind::Text
        }
    }
}

/// One column of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyColumn {
    /// The column's name.
    pub name: String,
    /// Its SQL type, as the catalog spells it (`uuid`, `varchar(20)`, `INTEGER`).
    pub sql_type: String,
    /// How its values are written.
    pub kind: KeyKind,
}

impl KeyColumn {
    /// A column of `sql_type` in `dialect`.
    pub fn new(dialect: Dialect, name: &str, sql_type: &str) -> KeyColumn {
        KeyColumn {
            name: name.to_owned(),
            sql_type: sql_type.to_owned(),
            kind: KeyKind::of(dialect, sql_type),
        }
    }

    /// `value` (as [`Key::select_text`] read it) as a literal of this column.
    pub fn literal(&self, dialect: Dialect, value: &str) -> Result<String, LiteralError> {
        match self.kind {
            KeyKind::Integer if is_integer(value) => Ok(value.to_owned()),
            KeyKind::Binary if value.chars().all(|c| c.is_ascii_hexdigit()) => Ok(match dialect {
                Dialect::Postgres => format!("decode('{value}', 'hex')"),
                Dialect::Mysql | Dialect::Sqlite => format!("X'{value}'"),
            }),
            _ => quote_str(dialect, value),
        }
    }

    /// The column's value as text, exactly (hex for bytes), to carry it to the next batch:
    /// `qualified` is how the column is named (`"t"."id"`, `NEW."id"`).
    pub fn as_text(&self, dialect: Dialect, qualified: &str) -> String {
        match (self.kind, dialect) {
            (KeyKind::Binary, Dialect::Postgres) => format!("encode({qualified}, 'hex')"),
            (KeyKind::Binary, _) => format!("hex({qualified})"),
            (_, Dialect::Mysql) => format!("CAST({qualified} AS CHAR)"),
            (_, Dialect::Postgres | Dialect::Sqlite) => format!("CAST({qualified} AS TEXT)"),
        }
    }
}

fn is_integer(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// A key: columns that are unique and NOT NULL together, in the order batches sort by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// Its columns (1 to [`MAX_KEY_COLUMNS`]).
    pub columns: Vec<KeyColumn>,
}

impl Key {
    /// `ORDER BY` list, ascending (`descending` for the last row first).
    pub fn order_by(&self, dialect: Dialect, table: Option<&str>, descending: bool) -> String {
        let sql = Sql(dialect);
        let direction = if descending { " DESC" } else { "" };
        self.columns
            .iter()
            .map(|c| format!("{}{direction}", qualify(sql, table, &c.name)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The key's columns as text, named `__k0`, `__k1`, ... and padded with NULL up to
    /// [`MAX_KEY_COLUMNS`], so that one row type reads any key.
    pub fn select_text(&self, dialect: Dialect, table: Option<&str>) -> String {
        let sql = Sql(dialect);
        (0..MAX_KEY_COLUMNS)
            .map(|i| match self.columns.get(i) {
                Some(c) => format!(
                    "{} AS __k{i}",
                    c.as_text(dialect, &qualify(sql, table, &c.name))
                ),
                None => format!("NULL AS __k{i}"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The condition "the row's key comes after `values`" in the key's order, written out column
    /// by column (`a > x OR (a = x AND b > y)`) so that every database reads it the same way
    /// and can use the key's index.
    pub fn after(
        &self,
        dialect: Dialect,
        table: Option<&str>,
        values: &[String],
    ) -> Result<String, LiteralError> {
        self.compare(dialect, table, values, Bound::After)
    }

    /// The condition "the row's key is in `(after, last]`" (from the first row when `after` is
    /// `None`).
    ///
    /// Each bound is written with the operators it means (`>`, `<`, `<=`), never as `NOT` of the
    /// other: SQLite's planner uses an index only for the former, and with `NOT id > last` it
    /// scanned from the batch's start to the end of the table for every batch (quadratic: a
    /// 1M-row fill took 149 s). A composite key also bounds its first column on its own
    /// (`a >= x AND ... AND a <= z`), so that every planner can seek on it.
    pub fn range(
        &self,
        dialect: Dialect,
        table: Option<&str>,
        after: Option<&[String]>,
        last: &[String],
    ) -> Result<String, LiteralError> {
        let mut terms = Vec::with_capacity(4);
        let leading = self.columns.len() > 1;
        if let Some(after) = after {
            if leading {
                terms.push(self.leading_bound(dialect, table, after, ">=")?);
            }
            terms.push(self.compare(dialect, table, after, Bound::After)?);
        }
        terms.push(self.compare(dialect, table, last, Bound::AtOrBefore)?);
        if leading {
            terms.push(self.leading_bound(dialect, table, last, "<=")?);
        }
        Ok(terms.join(" AND "))
    }

    /// `first_column <op> values[0]`.
    fn leading_bound(
        &self,
        dialect: Dialect,
        table: Option<&str>,
        values: &[String],
        op: &str,
    ) -> Result<String, LiteralError> {
        let value = values.first().map(String::as_str).unwrap_or_default();
        term(dialect, table, &self.columns[0], op, value)
    }

    /// The key compared with `values` in the key's order, column by column: for `(a, b)`,
    /// after is `a > x OR (a = x AND b > y)`, at or before is `a < x OR (a = x AND b <= y)`.
    fn compare(
        &self,
        dialect: Dialect,
        table: Option<&str>,
        values: &[String],
        bound: Bound,
    ) -> Result<String, LiteralError> {
        let last = self.columns.len() - 1;
        let mut alternatives = Vec::with_capacity(self.columns.len());
        for (i, column) in self.columns.iter().enumerate() {
            let mut terms = Vec::with_capacity(i + 1);
            for (equal, value) in self.columns[..i].iter().zip(values) {
                terms.push(term(dialect, table, equal, "=", value)?);
            }
            let op = match bound {
                Bound::After => ">",
                Bound::AtOrBefore if i == last => "<=",
                Bound::AtOrBefore => "<",
            };
            let value = values.get(i).map(String::as_str).unwrap_or_default();
            terms.push(term(dialect, table, column, op, value)?);
            alternatives.push(terms.join(" AND "));
        }
        Ok(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            format!("({})", alternatives.join(" OR "))
        })
    }

    /// How a key is shown in messages: the value, or `(a, b)` for a composite key.
    pub fn display(values: &[String]) -> String {
        match values {
            [one] => one.clone(),
            many => format!("({})", many.join(", ")),
        }
    }
}

fn qualify(sql: Sql, table: Option<&str>, column: &str) -> String {
    match table {
        Some(table) => sql.qualified(table, column),
        None => sql.id(column),
    }
}

/// Encodes key values for the history's resume column: each value length-prefixed, so any
/// text (commas, quotes, newlines) comes back exactly.
pub fn encode(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("{}:{v}", v.len()))
        .collect::<String>()
}

/// Decodes what [`encode`] wrote; `None` when it is not such text.
pub fn decode(mut text: &str) -> Option<Vec<String>> {
    let mut values = Vec::new();
    while !text.is_empty() {
        let (len, rest) = text.split_once(':')?;
        let len: usize = len.parse().ok()?;
        values.push(rest.get(..len)?.to_owned());
        text = rest.get(len..)?;
    }
    Some(values)
}

/// `column <op> value`, the column qualified by `table` and the value a literal of its type.
fn term(
    dialect: Dialect,
    table: Option<&str>,
    column: &KeyColumn,
    op: &str,
    value: &str,
) -> Result<String, LiteralError> {
    Ok(format!(
        "{} {op} {}",
        qualify(Sql(dialect), table, &column.name),
        column.literal(dialect, value)?
    ))
}

/// Which side of a key value [`Key::compare`] writes.
#[derive(Clone, Copy)]
enum Bound {
    /// Strictly after it.
    After,
    /// At it or before it.
    AtOrBefore,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(dialect: Dialect, columns: &[(&str, &str)]) -> Key {
        Key {
            columns: columns
                .iter()
                .map(|(n, t)| KeyColumn::new(dialect, n, t))
                .collect(),
        }
    }

    #[test]
    fn kinds_follow_each_catalog() {
        assert_eq!(KeyKind::of(Dialect::Postgres, "bigint"), KeyKind::Integer);
        assert_eq!(KeyKind::of(Dialect::Postgres, "uuid"), KeyKind::Text);
        assert_eq!(KeyKind::of(Dialect::Postgres, "bytea"), KeyKind::Binary);
        assert_eq!(
            KeyKind::of(Dialect::Mysql, "bigint(20) unsigned"),
            KeyKind::Integer
        );
        assert_eq!(KeyKind::of(Dialect::Mysql, "binary(16)"), KeyKind::Binary);
        assert_eq!(KeyKind::of(Dialect::Mysql, "varchar(36)"), KeyKind::Text);
        assert_eq!(KeyKind::of(Dialect::Sqlite, "INTEGER"), KeyKind::Integer);
        assert_eq!(KeyKind::of(Dialect::Sqlite, "TEXT"), KeyKind::Text);
    }

    #[test]
    fn conditions_for_single_and_composite_keys() {
        let mut out = String::new();
        for d in Dialect::ALL {
            let single = key(d, &[("id", "bigint")]);
            let composite = key(d, &[("issue_id", "integer"), ("tag", "text")]);
            let values = ["42".to_owned(), "it's".to_owned()];
            out.push_str(&format!("== {d}\n"));
            for line in [
                single.after(d, None, &values[..1]),
                single.range(
                    d,
                    Some("t"),
                    Some(&values[..1]),
                    &["-9223372036854775808".into()],
                ),
                composite.after(d, None, &values),
                composite.range(d, None, None, &values),
            ] {
                out.push_str(&line.unwrap_or_else(|e| e.to_string()));
                out.push('\n');
            }
            out.push_str(&composite.select_text(d, None));
            out.push('\n');
            out.push_str(&composite.order_by(d, Some("t"), true));
            out.push('\n');
        }
        insta::assert_snapshot!(out);
    }

    #[test]
    fn resume_values_round_trip() {
        for values in [
            vec![],
            vec!["1".to_owned()],
            vec!["a:b".to_owned(), "".to_owned(), "3:x, y\n'".to_owned()],
        ] {
            assert_eq!(decode(&encode(&values)), Some(values));
        }
        assert_eq!(decode("5:ab"), None);
        assert_eq!(decode("x"), None);
    }
}
