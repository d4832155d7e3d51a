//! Splitting a text column into several, and merging them back, losslessly.
//!
//! A value is cut at the first `parts - 1` occurrences of the separator: each part but the last
//! is the text up to the next separator, the last part is all the rest (separators included).
//! Parts after the last separator found are NULL. So "Mary Ann Smith" splits into "Mary" and
//! "Ann Smith", "Cher" into "Cher" and NULL, "" into "" and NULL, NULL into NULL and NULL.
//! Merging joins the parts with the separator, stopping at the first NULL part, which gives back
//! every value byte for byte — unlike the common `SUBSTRING_INDEX(name, ' ', -1)` recipe, which
//! loses middle names and duplicates single names.
//!
//! Where a target column's constraints cannot hold a part (NOT NULL but the value has too few
//! separators, or longer than its VARCHAR), the helper counts and names those rows before it
//! changes anything.

use super::columns::{drop_column, set_not_null};
use super::{ColumnSpec, Sql, check_rows};
use crate::{Assignment, Dialect, Fill, Step, quote_str};

/// SQL building blocks for cutting a text at its first separator.
///
/// SQLite's `substr` and `length` count characters on TEXT and stop at a NUL byte; on BLOBs
/// they (and `instr`) count bytes and see every one. So on SQLite the text is cut as its bytes
/// (`CAST(x AS BLOB)`) and each part cast back to TEXT, which keeps NUL bytes and bytes that are
/// not UTF-8 as they were: the parts join back to the value byte for byte.
struct Cutter {
    sql: Sql,
    /// The separator as a text literal, for joining.
    sep: String,
    /// The separator as searched for: the text literal, or its bytes on SQLite.
    needle: String,
}

impl Cutter {
    fn new(dialect: Dialect, separator: &str) -> Cutter {
        // The macro rejects separators a SQL string cannot hold.
        let sep = quote_str(dialect, separator).unwrap_or_else(|_| "''".to_owned());
        let needle = match dialect {
            Dialect::Sqlite => format!("CAST({sep} AS BLOB)"),
            Dialect::Postgres | Dialect::Mysql => sep.clone(),
        };
        Cutter {
            sql: Sql(dialect),
            sep,
            needle,
        }
    }

    /// Whether `x` contains the separator (NULL if `x` is NULL).
    fn has_sep(&self, x: &str) -> String {
        let sep = &self.needle;
        match self.sql.0 {
            Dialect::Postgres => format!("strpos({x}, {sep}) > 0"),
            // SUBSTRING_INDEX matches case-sensitively and byte-exactly whatever the collation;
            // LOCATE would follow a case-insensitive collation.
            Dialect::Mysql => {
                format!("CHAR_LENGTH(SUBSTRING_INDEX({x}, {sep}, 1)) < CHAR_LENGTH({x})")
            }
            Dialect::Sqlite => format!("instr({x}, {sep}) > 0"),
        }
    }

    /// The text before the first separator, or all of `x` without one (bytes on SQLite).
    fn before(&self, x: &str) -> String {
        let sep = &self.needle;
        match self.sql.0 {
            Dialect::Postgres => format!(
                "CASE WHEN strpos({x}, {sep}) > 0 THEN substr({x}, 1, strpos({x}, {sep}) - 1) ELSE {x} END"
            ),
            Dialect::Mysql => format!("SUBSTRING_INDEX({x}, {sep}, 1)"),
            Dialect::Sqlite => format!(
                "CASE WHEN instr({x}, {sep}) > 0 THEN substr({x}, 1, instr({x}, {sep}) - 1) ELSE {x} END"
            ),
        }
    }

    /// The text after the first separator, or NULL without one (bytes on SQLite).
    fn after(&self, x: &str) -> String {
        let sep = &self.needle;
        let rest = match self.sql.0 {
            Dialect::Postgres => format!("substr({x}, strpos({x}, {sep}) + char_length({sep}))"),
            Dialect::Mysql => format!(
                "SUBSTRING({x}, CHAR_LENGTH(SUBSTRING_INDEX({x}, {sep}, 1)) + CHAR_LENGTH({sep}) + 1)"
            ),
            Dialect::Sqlite => format!("substr({x}, instr({x}, {sep}) + length({sep}))"),
        };
        format!("CASE WHEN {} THEN {rest} ELSE NULL END", self.has_sep(x))
    }

    /// The SQL expression of each part of `source`.
    fn parts(&self, source: &str, count: usize) -> Vec<String> {
        let sqlite = self.sql.0 == Dialect::Sqlite;
        let text = |bytes: String| {
            if sqlite {
                format!("CAST({bytes} AS TEXT)")
            } else {
                bytes
            }
        };
        let mut parts = Vec::with_capacity(count);
        let mut rest = if sqlite {
            format!("CAST({source} AS BLOB)")
        } else {
            source.to_owned()
        };
        for _ in 1..count {
            parts.push(text(format!("({})", self.before(&rest))));
            rest = format!("({})", self.after(&rest));
        }
        parts.push(text(rest));
        parts
    }
}

/// A condition true where `a` and `b` differ in a byte or in being NULL: the comparison of a
/// value with what replaces it, whatever the collation (MySQL's ignore case and trailing
/// spaces) or the bytes (SQLite compares TEXT up to a NUL).
fn differs(dialect: Dialect, a: &str, b: &str) -> String {
    match dialect {
        Dialect::Postgres => format!("{a} IS DISTINCT FROM {b}"),
        Dialect::Mysql => format!("NOT (CAST({a} AS BINARY) <=> CAST({b} AS BINARY))"),
        Dialect::Sqlite => format!("CAST({a} AS BLOB) IS NOT CAST({b} AS BLOB)"),
    }
}

/// The check, run after the fill and before anything is dropped, that the new columns give back
/// every value of the old ones byte for byte: if they do not, the migration stops with the old
/// columns still there.
fn replaced_exactly(
    sql: Sql,
    table: &str,
    key: &str,
    condition: &str,
    dropped: &str,
    kept_in: &str,
) -> Step {
    Step::Verify(check_rows(
        sql,
        table,
        key,
        condition,
        format!(
            "did not drop {dropped} of `{table}`: in {{n}} rows {kept_in} does not give back its value byte for byte"
        ),
        "nothing was dropped: look at those rows (a trigger that changed them, or text the database's string functions cannot cut), fix them, then run the migration again".to_owned(),
    ))
}

/// `split_column!`: adds the `parts` columns, fills them from `source`, checks and constrains
/// them, and drops `source`. Rows that the parts' constraints could not hold are reported before
/// any change.
pub fn split_column(
    dialect: Dialect,
    table: &str,
    key: &str,
    source: &ColumnSpec,
    parts: &[ColumnSpec],
    separator: &str,
) -> Vec<Step> {
    let sql = Sql(dialect);
    let cutter = Cutter::new(dialect, separator);
    let t = sql.table(table);
    let values = cutter.parts(&sql.id(&source.name), parts.len());
    let mut steps = vec![Step::Report {
        sql: format!("SELECT COUNT(*) AS n FROM {t}"),
        label: format!("`{table}` has {{n}} rows"),
    }];
    for (i, (part, value)) in parts.iter().zip(&values).enumerate() {
        if part.not_null {
            let cause = if i == 0 {
                format!("`{}` is NULL", source.name)
            } else {
                format!("`{}` has fewer than {i} separator(s)", source.name)
            };
            steps.push(Step::Verify(check_rows(
                sql,
                table,
                key,
                &format!("{value} IS NULL"),
                format!(
                    "cannot split `{table}.{}`: in {{n}} rows {cause}, so NOT NULL `{}` would be NULL",
                    source.name, part.name
                ),
                format!("declare `{}` without NOT NULL (it is NULL where a value has no more parts), or fix those rows first", part.name),
            )));
        }
        if let Some(max) = part.ty.max_chars() {
            steps.push(Step::Verify(check_rows(
                sql,
                table,
                key,
                &format!("{} > {max}", sql.char_length(value)),
                format!(
                    "cannot split `{table}.{}`: in {{n}} rows the part for `{}` is longer than its {max} characters",
                    source.name, part.name
                ),
                format!("make `{}` longer, or shorten those values first", part.name),
            )));
        }
    }
    for part in parts {
        steps.push(Step::Execute {
            sql: format!(
                "ALTER TABLE {t} ADD COLUMN {} {}",
                sql.id(&part.name),
                part.ty.sql(dialect)
            ),
            report: None,
        });
    }
    let assignments = parts
        .iter()
        .zip(&values)
        .map(|(part, value)| Assignment::new(&part.name, value.clone()))
        .collect();
    steps.push(Step::Fill(Fill::new(
        table,
        key,
        assignments,
        format!("split `{table}.{}` in {{n}} rows", source.name),
    )));
    for part in parts.iter().filter(|p| p.not_null) {
        steps.extend(set_not_null(dialect, table, key, &part.name, Some(part.ty)));
    }
    let part_names: Vec<String> = parts.iter().map(|p| p.name.clone()).collect();
    let joined = merged_value(sql, &cutter.sep, &part_names);
    steps.push(replaced_exactly(
        sql,
        table,
        key,
        &differs(dialect, &joined, &sql.id(&source.name)),
        &format!("`{}`", source.name),
        &format!("joining {}", names(&part_names)),
    ));
    steps.extend(drop_column(dialect, table, &source.name));
    steps
}

/// `merge_columns!`: adds `target`, fills it by joining `parts` with the separator (stopping at
/// the first NULL part), checks and constrains it, and drops the parts. The inverse of
/// [`split_column`]. Rows it would lose text of (a value after a NULL part) or could not hold
/// (NULL in a NOT NULL target, too long for its VARCHAR) are named before any change.
pub fn merge_columns(
    dialect: Dialect,
    table: &str,
    key: &str,
    parts: &[String],
    target: &ColumnSpec,
    separator: &str,
) -> Vec<Step> {
    let sql = Sql(dialect);
    let cutter = Cutter::new(dialect, separator);
    let t = sql.table(table);
    let merged = merged_value(sql, &cutter.sep, parts);
    let mut steps = vec![Step::Report {
        sql: format!("SELECT COUNT(*) AS n FROM {t}"),
        label: format!("`{table}` has {{n}} rows"),
    }];
    // The merge stops at the first NULL part: a value after it would be lost without a word.
    let dropped: Vec<String> = parts
        .windows(2)
        .map(|pair| {
            format!(
                "({} IS NULL AND {} IS NOT NULL)",
                sql.id(&pair[0]),
                sql.id(&pair[1])
            )
        })
        .collect();
    steps.push(Step::Verify(check_rows(
        sql,
        table,
        key,
        &dropped.join(" OR "),
        format!(
            "cannot merge into `{table}.{}`: in {{n}} rows a part is NULL but a later part is not, and the merge stops at the first NULL part",
            target.name
        ),
        "set those NULL parts to '' (or clear the parts after them) first".into(),
    )));
    // Checked before any change: MySQL commits the ADD COLUMN at once.
    if target.not_null {
        steps.push(Step::Verify(check_rows(
            sql,
            table,
            key,
            &format!("{} IS NULL", sql.id(&parts[0])),
            format!(
                "cannot merge into NOT NULL `{table}.{}`: in {{n}} rows `{}` is NULL, so the merged value would be NULL",
                target.name, parts[0]
            ),
            format!(
                "declare `{}` without NOT NULL, or fill `{}` in those rows first",
                target.name, parts[0]
            ),
        )));
    }
    if let Some(max) = target.ty.max_chars() {
        steps.push(Step::Verify(check_rows(
            sql,
            table,
            key,
            &format!("{} > {max}", sql.char_length(&merged)),
            format!(
                "cannot merge into `{table}.{}`: {{n}} merged values are longer than its {max} characters",
                target.name
            ),
            format!("make `{}` longer", target.name),
        )));
    }
    steps.push(Step::Execute {
        sql: format!(
            "ALTER TABLE {t} ADD COLUMN {} {}",
            sql.id(&target.name),
            target.ty.sql(dialect)
        ),
        report: None,
    });
    steps.push(Step::Fill(Fill::new(
        table,
        key,
        vec![Assignment::new(&target.name, merged.clone())],
        format!("merged into `{table}.{}` in {{n}} rows", target.name),
    )));
    if target.not_null {
        steps.extend(set_not_null(
            dialect,
            table,
            key,
            &target.name,
            Some(target.ty),
        ));
    }
    steps.push(replaced_exactly(
        sql,
        table,
        key,
        &differs(dialect, &sql.id(&target.name), &merged),
        &names(parts),
        &format!("`{}`", target.name),
    ));
    for part in parts {
        steps.extend(drop_column(dialect, table, part));
    }
    steps
}

/// `` `a`, `b` and `c` ``.
fn names(columns: &[String]) -> String {
    let quoted: Vec<String> = columns.iter().map(|c| format!("`{c}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// `p1 || sep || p2 || ...`, stopping at the first NULL part after the first.
fn merged_value(sql: Sql, sep: &str, parts: &[String]) -> String {
    let mut tail = String::new();
    for part in parts.iter().skip(1).rev() {
        let p = sql.id(part);
        let inner = if tail.is_empty() {
            sql.concat(&[sep.to_owned(), p.clone()])
        } else {
            sql.concat(&[sep.to_owned(), p.clone(), tail])
        };
        tail = format!("(CASE WHEN {p} IS NULL THEN '' ELSE {inner} END)");
    }
    let first = sql.id(&parts[0]);
    if tail.is_empty() {
        first
    } else {
        sql.concat(&[first, tail])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ColumnType;
    use crate::helpers::snapshot::render;

    #[test]
    fn split_full_name() {
        let source = ColumnSpec::new("full_name", ColumnType::Varchar(100), true);
        let parts = [
            ColumnSpec::new("first_name", ColumnType::Varchar(50), true),
            ColumnSpec::new("last_name", ColumnType::Varchar(50), false),
        ];
        insta::assert_snapshot!(render(|d| split_column(
            d, "users", "id", &source, &parts, " "
        )));
    }

    #[test]
    fn merge_full_name() {
        let target = ColumnSpec::new("full_name", ColumnType::Varchar(100), true);
        let parts = ["first_name".to_owned(), "last_name".to_owned()];
        insta::assert_snapshot!(render(|d| merge_columns(
            d, "users", "id", &parts, &target, " "
        )));
    }

    #[test]
    fn three_parts_nest_the_remainder() {
        let cutter = Cutter::new(Dialect::Sqlite, ", ");
        let parts = cutter.parts("\"address\"", 3);
        assert_eq!(parts.len(), 3);
        insta::assert_snapshot!(parts.join("\n"));
    }
}
