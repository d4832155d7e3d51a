//! The statements of a [`Fill`]: one `UPDATE` in a migration that runs in one transaction, or
//! one per keyset batch in a migration that runs online.

use super::Sql;
use super::key::Key;
use crate::{Dialect, Fill, Join, LiteralError};

impl Fill {
    /// A fill of `assignments` on every row of `table` (walked by `key` online: `None` for the
    /// table's primary key, `"id"` counts as that default).
    pub fn new(table: &str, key: &str, assignments: String, report: String) -> Self {
        Fill {
            table: table.to_owned(),
            key: (key != "id").then(|| vec![key.to_owned()]),
            assignments,
            join: None,
            condition: None,
            report,
        }
    }

    /// The fill as one statement over the whole table.
    pub fn statement(&self, dialect: Dialect) -> String {
        let t = Sql(dialect).table(&self.table);
        let a = &self.assignments;
        match (&self.join, &self.condition) {
            (None, None) => format!("UPDATE {t} SET {a}"),
            (None, Some(c)) => format!("UPDATE {t} SET {a} WHERE {c}"),
            (Some(join), condition) => {
                let condition = condition
                    .as_ref()
                    .map(|c| format!(" AND ({c})"))
                    .unwrap_or_default();
                joined(dialect, &t, a, join, &condition)
            }
        }
    }

    /// The fill of the rows whose keys are in `(after, last]`.
    pub fn batch(
        &self,
        dialect: Dialect,
        key: &Key,
        after: Option<&[String]>,
        last: &[String],
    ) -> Result<String, LiteralError> {
        let t = Sql(dialect).table(&self.table);
        let a = &self.assignments;
        // Qualified by the table, so that a joined table's columns of the same names (`id`)
        // cannot be meant.
        let mut filter = key.range(dialect, Some(&self.table), after, last)?;
        if let Some(condition) = &self.condition {
            filter.push_str(&format!(" AND ({condition})"));
        }
        Ok(match (&self.join, dialect) {
            (None, _) => format!("UPDATE {t} SET {a} WHERE {filter}"),
            (Some(join), Dialect::Postgres | Dialect::Sqlite) => {
                format!("UPDATE {t} SET {} WHERE {filter}", join.correlated)
            }
            (Some(join), Dialect::Mysql) => joined(dialect, &t, a, join, &format!(" AND {filter}")),
        })
    }
}

/// Each dialect's own UPDATE-with-join: one pass over both tables rather than a subquery per
/// row. Rows without a match are left as they are. `more` continues the WHERE clause.
fn joined(dialect: Dialect, t: &str, assignments: &str, join: &Join, more: &str) -> String {
    let Join { table: s, on, .. } = join;
    match dialect {
        Dialect::Postgres | Dialect::Sqlite => {
            format!("UPDATE {t} SET {assignments} FROM {s} WHERE {on}{more}")
        }
        Dialect::Mysql => {
            let more = more
                .strip_prefix(" AND ")
                .map(|m| format!(" WHERE {m}"))
                .unwrap_or_default();
            format!("UPDATE {t} JOIN {s} ON {on} SET {assignments}{more}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helpers::key::{Key, KeyColumn};

    fn key(dialect: Dialect) -> Key {
        Key {
            columns: vec![KeyColumn::new(dialect, "id", "integer")],
        }
    }

    #[test]
    fn one_statement_and_batches_per_dialect() {
        let mut out = String::new();
        for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite] {
            let q = |n: &str| crate::quote_ident(dialect, n);
            let plain = Fill {
                condition: Some(format!("{} IS NULL", q("status"))),
                ..Fill::new(
                    "orders",
                    "id",
                    format!("{} = 'new'", q("status")),
                    "{n}".into(),
                )
            };
            let on = format!(
                "{}.{} = {}.{}",
                q("customers"),
                q("id"),
                q("orders"),
                q("customer_id")
            );
            let joined = Fill {
                join: Some(Join {
                    table: q("customers"),
                    on: on.clone(),
                    correlated: format!(
                        "{} = (SELECT {}.{} FROM {} WHERE {on})",
                        q("customer_name"),
                        q("customers"),
                        q("name"),
                        q("customers")
                    ),
                }),
                ..Fill::new(
                    "orders",
                    "id",
                    format!("{} = {}.{}", q("customer_name"), q("customers"), q("name")),
                    "{n}".into(),
                )
            };
            out.push_str(&format!("-- {dialect}\n"));
            for fill in [&plain, &joined] {
                out.push_str(&fill.statement(dialect));
                out.push('\n');
                for after in [None, Some(&["10".to_owned()][..])] {
                    let batch = fill
                        .batch(dialect, &key(dialect), after, &["20".to_owned()])
                        .expect("integer keys are literals");
                    out.push_str(&batch);
                    out.push('\n');
                }
            }
        }
        insta::assert_snapshot!(out);
    }
}
