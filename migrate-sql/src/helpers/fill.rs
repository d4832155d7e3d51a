//! The statements of a [`Fill`]: one `UPDATE` in a migration that runs in one transaction, or
//! one per keyset batch in a migration that runs online.

use super::Sql;
use super::key::Key;
use crate::{Assignment, Dialect, Fill, Join, LiteralError};

impl Fill {
    /// A fill of `assignments` on every row of `table` (walked by `key` online: `None` for the
    /// table's primary key, `"id"` counts as that default).
    pub fn new(table: &str, key: &str, assignments: Vec<Assignment>, report: String) -> Self {
        Fill {
            table: table.to_owned(),
            key: (key != "id").then(|| vec![key.to_owned()]),
            assignments,
            join: None,
            condition: None,
            report,
        }
    }

    /// `"column" = value, ...`; `qualified` names each column with the table (MySQL's
    /// multi-table `UPDATE`).
    fn set_list(&self, dialect: Dialect, qualified: bool) -> String {
        let sql = Sql(dialect);
        let list: Vec<String> = self
            .assignments
            .iter()
            .map(|a| {
                let column = if qualified {
                    sql.qualified(&self.table, &a.column)
                } else {
                    sql.id(&a.column)
                };
                format!("{column} = {}", a.value)
            })
            .collect();
        list.join(", ")
    }

    /// The values of the assignments as each dialect computes them for one row at a time (a
    /// batch of PostgreSQL or SQLite, a trigger): a join's value through its correlated
    /// subquery.
    pub fn row_values(&self) -> Vec<Assignment> {
        match &self.join {
            None => self.assignments.clone(),
            Some(join) => self
                .assignments
                .iter()
                .map(|a| Assignment::new(&a.column, join.correlated.clone()))
                .collect(),
        }
    }

    /// The fill as one statement over the whole table.
    pub fn statement(&self, dialect: Dialect) -> String {
        let t = Sql(dialect).table(&self.table);
        let a = &self.set_list(dialect, self.join.is_some() && dialect == Dialect::Mysql);
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
        let a = &self.set_list(dialect, self.join.is_some() && dialect == Dialect::Mysql);
        // Qualified by the table, so that a joined table's columns of the same names (`id`)
        // cannot be meant.
        let mut filter = key.range(dialect, Some(&self.table), after, last)?;
        if let Some(condition) = &self.condition {
            filter.push_str(&format!(" AND ({condition})"));
        }
        Ok(match (&self.join, dialect) {
            (None, _) => format!("UPDATE {t} SET {a} WHERE {filter}"),
            (Some(_), Dialect::Postgres | Dialect::Sqlite) => {
                let correlated = Fill {
                    assignments: self.row_values(),
                    join: None,
                    ..self.clone()
                };
                format!(
                    "UPDATE {t} SET {} WHERE {filter}",
                    correlated.set_list(dialect, false)
                )
            }
            (Some(join), Dialect::Mysql) => joined(dialect, &t, a, join, &format!(" AND {filter}")),
        })
    }
}

impl Fill {
    /// MySQL, for a batch of a fill through a join (`denormalize!`): a statement, run first in
    /// the batch's transaction, that share-locks the joined rows the batch reads, so that it
    /// takes them before the filled rows, in the order the application's rename of a customer
    /// does (the customer, then through its trigger the rows that copy its name): the two then
    /// wait for each other instead of deadlocking. InnoDB keeps such locks in memory. `None`
    /// elsewhere and for fills without a join.
    pub fn lock_joined(
        &self,
        dialect: Dialect,
        key: &Key,
        after: Option<&[String]>,
        last: &[String],
    ) -> Result<Option<String>, LiteralError> {
        let (Some(join), Dialect::Mysql) = (&self.join, dialect) else {
            return Ok(None);
        };
        let sql = Sql(dialect);
        let range = key.range(dialect, Some(&self.table), after, last)?;
        // MariaDB has no FOR SHARE; MySQL 8 still accepts this spelling.
        Ok(Some(format!(
            "SELECT 'locked' AS v FROM {s} WHERE {sk} IN (SELECT {fk} FROM {t} WHERE {range}) LOCK IN SHARE MODE",
            s = sql.table(&join.source_table),
            sk = sql.qualified(&join.source_table, &join.source_key),
            fk = sql.qualified(&self.table, &join.foreign_key),
            t = sql.table(&self.table),
        )))
    }

    /// PostgreSQL, for a batch of a fill through a join: a statement, run after the batch's
    /// `UPDATE` in its transaction, that sets again the rows of the batch whose value differs
    /// from the joined row's current one. The `UPDATE` reads the joined table as it was when it
    /// began: a row that the application's rename of a customer had just set (through the
    /// joined table's trigger) is re-read but given the old name. This statement reads anew,
    /// while the batch still holds its rows; a rename after it waits for them and sets them
    /// itself. (Share-locking the joined rows first, as on MySQL, writes every locked row on
    /// PostgreSQL: it made the shop's `denormalize!` of 1M orders 6× slower.) `None` elsewhere.
    pub fn recheck_joined(
        &self,
        dialect: Dialect,
        key: &Key,
        after: Option<&[String]>,
        last: &[String],
    ) -> Result<Option<String>, LiteralError> {
        let (Some(join), Dialect::Postgres) = (&self.join, dialect) else {
            return Ok(None);
        };
        let sql = Sql(dialect);
        let range = key.range(dialect, Some(&self.table), after, last)?;
        let differs: Vec<String> = self
            .assignments
            .iter()
            .map(|a| format!("{} IS DISTINCT FROM {}", sql.id(&a.column), join.correlated))
            .collect();
        let sets: Vec<String> = self
            .assignments
            .iter()
            .map(|a| format!("{} = {}", sql.id(&a.column), join.correlated))
            .collect();
        Ok(Some(format!(
            "UPDATE {} SET {} WHERE {range} AND ({})",
            sql.table(&self.table),
            sets.join(", "),
            differs.join(" OR ")
        )))
    }
}

/// Each dialect's own UPDATE-with-join: one pass over both tables rather than a subquery per
/// row. Rows without a match are left as they are. `more` continues the WHERE clause.
fn joined(dialect: Dialect, t: &str, assignments: &str, join: &Join, more: &str) -> String {
    let s = &Sql(dialect).table(&join.source_table);
    let on = &join.on;
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
                    vec![Assignment::new("status", "'new'")],
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
                    source_table: "customers".into(),
                    source_column: "name".into(),
                    source_key: "id".into(),
                    foreign_key: "customer_id".into(),
                    on: on.clone(),
                    correlated: format!(
                        "(SELECT {}.{} FROM {} WHERE {on})",
                        q("customers"),
                        q("name"),
                        q("customers")
                    ),
                }),
                ..Fill::new(
                    "orders",
                    "id",
                    vec![Assignment::new(
                        "customer_name",
                        format!("{}.{}", q("customers"), q("name")),
                    )],
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
