//! Adding constraints after checking the data, and removing them.
//!
//! Each `add` verifies first: it counts the rows that would violate the constraint and names a
//! few, instead of letting the database fail with a raw error half-way through.

use super::columns::{drop_not_null, set_not_null};
use super::{Sql, check_rows};
use crate::{Dialect, Step, TableChange};

/// A constraint `constrain!` adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    /// `column` NOT NULL.
    NotNull {
        /// The column.
        column: String,
    },
    /// `CONSTRAINT name CHECK (condition)`; the condition is given per dialect.
    Check {
        /// The constraint's name.
        name: String,
    },
    /// `CONSTRAINT name UNIQUE (columns)`.
    Unique {
        /// The constraint's name.
        name: String,
        /// The columns.
        columns: Vec<String>,
    },
    /// `CONSTRAINT name FOREIGN KEY (columns) REFERENCES references (referenced_columns)`.
    ForeignKey {
        /// The constraint's name.
        name: String,
        /// The referencing columns.
        columns: Vec<String>,
        /// The referenced table.
        references: String,
        /// The referenced columns.
        referenced_columns: Vec<String>,
    },
}

/// `constrain!`: verifies `constraint` against the rows of `table`, then adds it. `condition` is
/// the CHECK condition in this dialect's SQL (ignored for other kinds).
pub fn add(
    dialect: Dialect,
    table: &str,
    key: &str,
    constraint: &Constraint,
    condition: Option<&str>,
) -> Vec<Step> {
    let sql = Sql(dialect);
    let t = sql.table(table);
    match constraint {
        Constraint::NotNull { column } => set_not_null(dialect, table, key, column, None),
        Constraint::Check { name } => {
            let condition = condition.unwrap_or("TRUE");
            let verify = Step::Verify(check_rows(
                sql,
                table,
                key,
                &format!("NOT ({condition})"),
                format!("cannot add CHECK `{name}` to `{table}`: it is violated in {{n}} rows"),
                "fix those rows first, or relax the condition".into(),
            ));
            // PostgreSQL plans it when it runs: online, NOT VALID then VALIDATE.
            let add = match dialect {
                Dialect::Mysql => Step::Execute {
                    sql: format!(
                        "ALTER TABLE {t} ADD CONSTRAINT {} CHECK ({condition})",
                        sql.id(name)
                    ),
                    report: Some(format!("`{table}`: added CHECK constraint `{name}`")),
                },
                Dialect::Postgres | Dialect::Sqlite => Step::AlterTable {
                    table: table.to_owned(),
                    change: TableChange::AddCheck {
                        name: name.clone(),
                        expression: condition.to_owned(),
                    },
                },
            };
            vec![verify, add]
        }
        Constraint::Unique { name, columns } => {
            let cols = columns
                .iter()
                .map(|c| sql.id(c))
                .collect::<Vec<_>>()
                .join(", ");
            let not_null = columns
                .iter()
                .map(|c| format!("{} IS NOT NULL", sql.id(c)))
                .collect::<Vec<_>>()
                .join(" AND ");
            let duplicated = format!(
                "({cols}) IN (SELECT {cols} FROM (SELECT {cols} FROM {t} WHERE {not_null} GROUP BY {cols} HAVING COUNT(*) > 1) d)"
            );
            let verify = Step::Verify(check_rows(
                sql,
                table,
                key,
                &duplicated,
                format!(
                    "cannot add UNIQUE `{name}` to `{table}`: the values of ({}) are duplicated in {{n}} rows",
                    columns.join(", ")
                ),
                "remove or change the duplicates first".into(),
            ));
            let report = Some(format!("`{table}`: added UNIQUE constraint `{name}`"));
            let add = match dialect {
                // Planned when it runs: online, the index is built CONCURRENTLY first.
                Dialect::Postgres => Step::AlterTable {
                    table: table.to_owned(),
                    change: TableChange::AddUnique {
                        name: name.clone(),
                        columns: columns.clone(),
                    },
                },
                Dialect::Mysql => Step::Execute {
                    sql: format!(
                        "ALTER TABLE {t} ADD CONSTRAINT {} UNIQUE ({cols})",
                        sql.id(name)
                    ),
                    report,
                },
                // A unique index enforces the same rule without rebuilding the table.
                Dialect::Sqlite => Step::Execute {
                    sql: format!("CREATE UNIQUE INDEX {} ON {t} ({cols})", sql.id(name)),
                    report,
                },
            };
            vec![verify, add]
        }
        Constraint::ForeignKey {
            name,
            columns,
            references,
            referenced_columns,
        } => {
            let r = sql.table(references);
            let present = columns
                .iter()
                .map(|c| format!("{} IS NOT NULL", sql.qualified(table, c)))
                .collect::<Vec<_>>()
                .join(" AND ");
            let matching = columns
                .iter()
                .zip(referenced_columns)
                .map(|(c, rc)| {
                    format!(
                        "{} = {}",
                        sql.qualified(references, rc),
                        sql.qualified(table, c)
                    )
                })
                .collect::<Vec<_>>()
                .join(" AND ");
            let verify = Step::Verify(check_rows(
                sql,
                table,
                key,
                &format!("{present} AND NOT EXISTS (SELECT 1 FROM {r} WHERE {matching})"),
                format!(
                    "cannot add FOREIGN KEY `{name}` to `{table}`: the `{references}` row it refers to is missing in {{n}} rows"
                ),
                "delete those rows, or create the missing rows they refer to, first".into(),
            ));
            let cols = columns
                .iter()
                .map(|c| sql.id(c))
                .collect::<Vec<_>>()
                .join(", ");
            let rcols = referenced_columns
                .iter()
                .map(|c| sql.id(c))
                .collect::<Vec<_>>()
                .join(", ");
            // PostgreSQL plans it when it runs: online, NOT VALID then VALIDATE.
            let add = match dialect {
                Dialect::Mysql => Step::Execute {
                    sql: format!(
                        "ALTER TABLE {t} ADD CONSTRAINT {} FOREIGN KEY ({cols}) REFERENCES {r} ({rcols})",
                        sql.id(name)
                    ),
                    report: Some(format!("`{table}`: added foreign key `{name}`")),
                },
                Dialect::Postgres | Dialect::Sqlite => Step::AlterTable {
                    table: table.to_owned(),
                    change: TableChange::AddForeignKey {
                        name: name.clone(),
                        columns: columns.clone(),
                        references: references.clone(),
                        referenced_columns: referenced_columns.clone(),
                    },
                },
            };
            vec![verify, add]
        }
    }
}

/// `unconstrain!`: removes `constraint` (the inverse of [`add`]).
pub fn remove(dialect: Dialect, table: &str, constraint: &Constraint) -> Vec<Step> {
    let sql = Sql(dialect);
    let t = sql.table(table);
    let removed = match constraint {
        Constraint::Check { name }
        | Constraint::Unique { name, .. }
        | Constraint::ForeignKey { name, .. } => {
            Some(format!("`{table}`: removed constraint `{name}`"))
        }
        Constraint::NotNull { .. } => None,
    };
    let execute = |sql: String| {
        vec![Step::Execute {
            sql,
            report: removed.clone(),
        }]
    };
    // Planned at run time from the schema: a SQLite rebuild, or MySQL's key and its index.
    let planned = |name: &str| {
        vec![Step::AlterTable {
            table: table.to_owned(),
            change: TableChange::DropConstraint {
                name: name.to_owned(),
            },
        }]
    };
    match (constraint, dialect) {
        (Constraint::NotNull { column }, _) => drop_not_null(dialect, table, column, None),
        (
            Constraint::Check { name }
            | Constraint::Unique { name, .. }
            | Constraint::ForeignKey { name, .. },
            Dialect::Postgres,
        ) => execute(format!("ALTER TABLE {t} DROP CONSTRAINT {}", sql.id(name))),
        (Constraint::Check { name }, Dialect::Mysql) => {
            execute(format!("ALTER TABLE {t} DROP CONSTRAINT {}", sql.id(name)))
        }
        (Constraint::Unique { name, .. }, Dialect::Mysql) => {
            execute(format!("ALTER TABLE {t} DROP INDEX {}", sql.id(name)))
        }
        // MySQL adds an index named after the key when none covers its columns, and
        // `DROP FOREIGN KEY` keeps it: the runtime drops that index too, after looking it up.
        (Constraint::ForeignKey { name, .. }, Dialect::Mysql) => planned(name),
        (Constraint::Unique { name, .. }, Dialect::Sqlite) => {
            execute(format!("DROP INDEX {}", sql.id(name)))
        }
        (Constraint::Check { name } | Constraint::ForeignKey { name, .. }, Dialect::Sqlite) => {
            planned(name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helpers::snapshot::render;

    fn all_kinds() -> Vec<Constraint> {
        vec![
            Constraint::NotNull {
                column: "score".into(),
            },
            Constraint::Check {
                name: "orders_total_nonnegative".into(),
            },
            Constraint::Unique {
                name: "users_email_key".into(),
                columns: vec!["email".into()],
            },
            Constraint::ForeignKey {
                name: "orders_customer_fk".into(),
                columns: vec!["customer_id".into()],
                references: "customers".into(),
                referenced_columns: vec!["id".into()],
            },
        ]
    }

    #[test]
    fn add_each_kind() {
        insta::assert_snapshot!(render(|d| {
            all_kinds()
                .iter()
                .flat_map(|c| add(d, "orders", "id", c, Some("\"total_cents\" >= 0")))
                .collect()
        }));
    }

    #[test]
    fn remove_each_kind() {
        insta::assert_snapshot!(render(|d| all_kinds()
            .iter()
            .flat_map(|c| remove(d, "orders", c))
            .collect()));
    }
}
