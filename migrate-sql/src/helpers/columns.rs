//! Adding, filling, constraining, renaming and dropping one column.

use super::{ColumnSpec, Sql, check_rows};
use crate::{Assignment, Check, ColumnName, ColumnType, Dialect, Fill, Step, TableChange};

/// `add_column!`: add the column (nullable), fill it from `value` (SQL of the dialect), then, if
/// the column is NOT NULL, verify that no row holds NULL and add the constraint. Counts rows
/// before and NULLs after, for the output.
pub fn add_column(
    dialect: Dialect,
    table: &str,
    key: &str,
    column: &ColumnSpec,
    value: Option<&str>,
) -> Vec<Step> {
    let sql = Sql(dialect);
    let t = sql.table(table);
    let c = sql.id(&column.name);
    let mut steps = vec![Step::Report {
        sql: format!("SELECT COUNT(*) AS n FROM {t}"),
        label: format!("`{table}` has {{n}} rows"),
    }];
    // Checked on the expression before the column exists: MySQL commits the ADD COLUMN at once,
    // so a check after it would leave the column behind.
    if let (true, Some(value)) = (column.not_null, value) {
        steps.push(Step::Verify(check_rows(
            sql,
            table,
            key,
            &format!("({value}) IS NULL"),
            format!(
                "cannot add `{table}.{}` NOT NULL: its value is NULL in {{n}} rows",
                column.name
            ),
            "make the value give something for those rows (for example with coalesce(..., default)), or fix them first".to_owned(),
        )));
    }
    steps.push(Step::Execute {
        sql: format!("ALTER TABLE {t} ADD COLUMN {c} {}", column.ty.sql(dialect)),
        report: None,
    });
    if let Some(value) = value {
        // SQLite stores DECIMAL values as floating point: round to the declared scale, so that
        // 12.3 is stored as 12.3 and not as the 12.299999999999999 the arithmetic gives.
        let value = match (dialect, column.ty) {
            (Dialect::Sqlite, ColumnType::Decimal(_, scale)) => format!("ROUND({value}, {scale})"),
            _ => value.to_owned(),
        };
        steps.push(Step::Fill(Fill::new(
            table,
            key,
            vec![Assignment::new(&column.name, value)],
            format!("filled `{table}.{}` in {{n}} rows", column.name),
        )));
    }
    if column.not_null {
        steps.extend(set_not_null(
            dialect,
            table,
            key,
            &column.name,
            Some(column.ty),
        ));
    } else if value.is_some() {
        steps.push(Step::Report {
            sql: format!("SELECT COUNT(*) AS n FROM {t} WHERE {c} IS NULL"),
            label: format!("`{table}.{}` is NULL in {{n}} rows", column.name),
        });
    }
    steps
}

/// Verifies that `column` holds no NULL, then makes it NOT NULL. `ty` is the column's type when
/// the helper knows it (MySQL must restate it); otherwise MySQL reads it from the schema.
pub fn set_not_null(
    dialect: Dialect,
    table: &str,
    key: &str,
    column: &str,
    ty: Option<ColumnType>,
) -> Vec<Step> {
    let sql = Sql(dialect);
    let c = sql.id(column);
    let verify = Step::Verify(Check {
        before_not_null: Some(ColumnName {
            table: table.to_owned(),
            column: column.to_owned(),
        }),
        ..check_rows(
            sql,
            table,
            key,
            &format!("{c} IS NULL"),
            format!("cannot make `{table}.{column}` NOT NULL: it is NULL in {{n}} rows"),
            "fill those rows first (for example with coalesce(..., default) in the value), or delete them"
                .to_owned(),
        )
    });
    vec![verify, not_null_alter(dialect, table, column, ty)]
}

/// The change that makes `column` NOT NULL, without verifying first: planned when it runs
/// (MySQL restates the column, SQLite rebuilds the table, and PostgreSQL, online, proves the
/// column with a validated CHECK first so that `SET NOT NULL` needs no scan under its lock).
pub(crate) fn not_null_alter(
    dialect: Dialect,
    table: &str,
    column: &str,
    ty: Option<ColumnType>,
) -> Step {
    let sql = Sql(dialect);
    let c = sql.id(column);
    match (dialect, ty) {
        (Dialect::Mysql, Some(ty)) => Step::Execute {
            sql: format!(
                "ALTER TABLE {} MODIFY COLUMN {c} {} NOT NULL",
                sql.table(table),
                ty.sql(dialect)
            ),
            report: Some(format!("`{table}`: made `{column}` NOT NULL")),
        },
        (Dialect::Postgres, _) | (Dialect::Mysql, None) | (Dialect::Sqlite, _) => {
            Step::AlterTable {
                table: table.to_owned(),
                change: TableChange::SetNotNull {
                    column: column.to_owned(),
                },
            }
        }
    }
}

/// Allows NULL in `column` again (the inverse of [`set_not_null`]).
pub fn drop_not_null(
    dialect: Dialect,
    table: &str,
    column: &str,
    ty: Option<ColumnType>,
) -> Vec<Step> {
    let sql = Sql(dialect);
    let c = sql.id(column);
    vec![match (dialect, ty) {
        (Dialect::Postgres, _) => Step::Execute {
            sql: format!(
                "ALTER TABLE {} ALTER COLUMN {c} DROP NOT NULL",
                sql.table(table)
            ),
            report: Some(format!("`{table}`: allowed NULL in `{column}`")),
        },
        (Dialect::Mysql, Some(ty)) => Step::Execute {
            sql: format!(
                "ALTER TABLE {} MODIFY COLUMN {c} {} NULL",
                sql.table(table),
                ty.sql(dialect)
            ),
            report: Some(format!("`{table}`: allowed NULL in `{column}`")),
        },
        (Dialect::Mysql, None) | (Dialect::Sqlite, _) => Step::AlterTable {
            table: table.to_owned(),
            change: TableChange::DropNotNull {
                column: column.to_owned(),
            },
        },
    }]
}

/// `drop_column!` (and the inverse of `add_column!`).
pub fn drop_column(dialect: Dialect, table: &str, column: &str) -> Vec<Step> {
    let sql = Sql(dialect);
    vec![Step::DropColumn {
        table: table.to_owned(),
        column: column.to_owned(),
        sql: format!(
            "ALTER TABLE {} DROP COLUMN {}",
            sql.table(table),
            sql.id(column)
        ),
        report: format!("`{table}`: dropped `{column}`"),
    }]
}

/// `rename_column!` (its own inverse, with the names swapped).
pub fn rename_column(dialect: Dialect, table: &str, from: &str, to: &str) -> Vec<Step> {
    let sql = Sql(dialect);
    vec![Step::Execute {
        sql: format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            sql.table(table),
            sql.id(from),
            sql.id(to)
        ),
        report: Some(format!("`{table}`: renamed `{from}` to `{to}`")),
    }]
}

/// `update!`: sets `column` to `value` (SQL of the dialect) where `condition` holds. The
/// dialect is the one `value` and `condition` are written in; the step quotes the column as it
/// runs.
pub fn update(
    _dialect: Dialect,
    table: &str,
    key: &str,
    column: &str,
    value: &str,
    condition: Option<&str>,
) -> Vec<Step> {
    vec![Step::Fill(Fill {
        condition: condition.map(str::to_owned),
        ..Fill::new(
            table,
            key,
            vec![Assignment::new(column, value)],
            format!("updated `{table}.{column}` in {{n}} rows"),
        )
    })]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helpers::snapshot::render;

    #[test]
    fn add_populate_constrain() {
        let column = ColumnSpec::new("created_year", ColumnType::Integer, true);
        insta::assert_snapshot!(render(|d| add_column(
            d,
            "users",
            "id",
            &column,
            Some("CAST(EXTRACT(YEAR FROM created_at) AS INTEGER)")
        )));
    }

    #[test]
    fn add_nullable_without_value() {
        let column = ColumnSpec::new("status", ColumnType::Varchar(20), false);
        insta::assert_snapshot!(render(|d| add_column(d, "orders", "id", &column, None)));
    }

    #[test]
    fn nullability_and_renames() {
        insta::assert_snapshot!(render(|d| {
            let mut steps = set_not_null(d, "users", "id", "score", None);
            steps.extend(drop_not_null(d, "users", "score", Some(ColumnType::Double)));
            steps.extend(rename_column(d, "users", "full_name", "name"));
            steps.extend(drop_column(d, "users", "name"));
            steps.extend(update(
                d,
                "orders",
                "id",
                "status",
                "'new'",
                Some("\"status\" IS NULL"),
            ));
            steps
        }));
    }
}
