//! The SQL of each data-migration helper, per dialect.
//!
//! One module per helper (or family of helpers); each generator takes the helper's arguments,
//! already validated, and returns the [`Step`](crate::Step)s of one dialect. The helper macros
//! call them at compile time for every enabled dialect; snapshot tests pin their output.

pub mod batch;
pub mod change_log;
pub mod checks;
pub mod columns;
pub mod constrain;
pub mod denormalize;
pub mod fill;
pub mod key;
pub mod row_sync;
pub mod split;

use crate::{Check, ColumnType, Dialect, quote_ident};

/// A column a helper creates: name, type and whether it ends up NOT NULL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// The column's name.
    pub name: String,
    /// Its type.
    pub ty: ColumnType,
    /// Whether it is NOT NULL once the helper is done.
    pub not_null: bool,
}

impl ColumnSpec {
    /// A column called `name` of type `ty`, nullable or not.
    pub fn new(name: impl Into<String>, ty: ColumnType, not_null: bool) -> Self {
        ColumnSpec {
            name: name.into(),
            ty,
            not_null,
        }
    }
}

/// Identifier quoting for one dialect, as a short method name for the generators.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sql(pub Dialect);

impl Sql {
    /// A quoted identifier.
    pub(crate) fn id(self, name: &str) -> String {
        quote_ident(self.0, name)
    }

    /// A table name, quoted (each part of `schema.table`).
    pub(crate) fn table(self, name: &str) -> String {
        crate::quote_table(self.0, name)
    }

    /// `table.column`, both quoted.
    pub(crate) fn qualified(self, table: &str, column: &str) -> String {
        format!("{}.{}", self.table(table), self.id(column))
    }

    /// Text length in characters, NUL bytes counted.
    pub(crate) fn char_length(self, expr: &str) -> String {
        match self.0 {
            Dialect::Postgres | Dialect::Mysql => format!("CHAR_LENGTH({expr})"),
            Dialect::Sqlite => crate::sqlite_text::char_length(expr),
        }
    }

    /// `a || b` with NULL if either is NULL.
    pub(crate) fn concat(self, parts: &[String]) -> String {
        match self.0 {
            Dialect::Mysql => format!("CONCAT({})", parts.join(", ")),
            Dialect::Postgres | Dialect::Sqlite => format!("({})", parts.join(" || ")),
        }
    }

    /// `expr` cast to text.
    pub(crate) fn as_text(self, expr: &str) -> String {
        match self.0 {
            Dialect::Mysql => format!("CAST({expr} AS CHAR)"),
            Dialect::Postgres | Dialect::Sqlite => format!("CAST({expr} AS TEXT)"),
        }
    }
}

/// A [`Check`] counting the rows of `table` matching `condition` (SQL of the dialect), with up to
/// five sample keys.
pub(crate) fn check_rows(
    sql: Sql,
    table: &str,
    key: &str,
    condition: &str,
    problem: String,
    hint: String,
) -> Check {
    let t = sql.table(table);
    Check {
        count_sql: format!("SELECT COUNT(*) AS n FROM {t} WHERE {condition}"),
        // As text, so that keys of any type can be named.
        sample_sql: format!(
            "SELECT {} AS v FROM {t} WHERE {condition} ORDER BY {} LIMIT 5",
            sql.as_text(&sql.id(key)),
            sql.id(key)
        ),
        problem,
        hint,
        confirmed: None,
        before_not_null: None,
    }
}

#[cfg(test)]
pub(crate) mod snapshot {
    use super::key;
    use crate::{Dialect, Step};
    use std::fmt::Write;

    /// The steps of every dialect as readable text, for snapshots.
    pub fn render(generate: impl Fn(Dialect) -> Vec<Step>) -> String {
        let mut out = String::new();
        for dialect in Dialect::ALL {
            let _ = writeln!(out, "== {dialect}");
            for step in generate(dialect) {
                let _ = match step {
                    Step::Execute { sql, report } => writeln!(
                        out,
                        "{sql};{}",
                        report
                            .map(|r| format!("  -- report: {r}"))
                            .unwrap_or_default()
                    ),
                    Step::DropColumn { sql, report, .. } => {
                        writeln!(out, "{sql};  -- report: {report}")
                    }
                    Step::Verify(check) => writeln!(
                        out,
                        "-- verify: {}\n--   count: {}\n--   sample: {}\n--   hint: {}",
                        check.problem, check.count_sql, check.sample_sql, check.hint
                    ),
                    Step::Report { sql, label } => writeln!(out, "-- report {label}: {sql}"),
                    Step::Sample { sql, label } => writeln!(out, "-- sample {label}: {sql}"),
                    Step::Fill(fill) => {
                        let key = key::Key {
                            columns: vec![key::KeyColumn::new(dialect, "id", "integer")],
                        };
                        let batch = fill
                            .batch(dialect, &key, Some(&["1".to_owned()]), &["1000".to_owned()])
                            .unwrap_or_else(|e| e.to_string());
                        writeln!(
                            out,
                            "{};  -- report: {}\n--   online, one batch: {batch}",
                            fill.statement(dialect),
                            fill.report
                        )
                    }
                    Step::AlterTable { table, change } => {
                        writeln!(out, "-- alter table {table}: {change:?}")
                    }
                };
            }
        }
        out
    }
}
