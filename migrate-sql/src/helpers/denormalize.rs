//! Copying a value from a related table into a column (caching a join).

use super::columns::not_null_alter;
use super::{ColumnSpec, Sql, check_rows};
use crate::{Assignment, Dialect, Fill, Join, Step};

/// The join of `denormalize!`: `source_table.source_column` is copied where
/// `source_table.source_key = table.foreign_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// The table the value comes from (`customers`).
    pub source_table: String,
    /// The column copied (`name`).
    pub source_column: String,
    /// The column of the source table matched (`id`).
    pub source_key: String,
    /// The column of the target table that refers to it (`customer_id`).
    pub foreign_key: String,
}

/// `denormalize!`: adds `column` to `table`, fills it through the join, and if it is NOT NULL
/// verifies that every row found a value (naming the orphans) before constraining it.
pub fn denormalize(
    dialect: Dialect,
    table: &str,
    key: &str,
    column: &ColumnSpec,
    lookup: &Lookup,
) -> Vec<Step> {
    let sql = Sql(dialect);
    let t = sql.table(table);
    let c = sql.id(&column.name);
    let s = sql.table(&lookup.source_table);
    let source_value = sql.qualified(&lookup.source_table, &lookup.source_column);
    let matches = format!(
        "{} = {}",
        sql.qualified(&lookup.source_table, &lookup.source_key),
        sql.qualified(table, &lookup.foreign_key)
    );
    let fill = Fill {
        join: Some(Join {
            source_table: lookup.source_table.clone(),
            source_column: lookup.source_column.clone(),
            source_key: lookup.source_key.clone(),
            foreign_key: lookup.foreign_key.clone(),
            on: matches.clone(),
            // Rows without a match keep NULL, as with the join.
            correlated: format!("(SELECT {source_value} FROM {s} WHERE {matches})"),
        }),
        ..Fill::new(
            table,
            key,
            vec![Assignment::new(&column.name, source_value.clone())],
            format!(
                "copied `{}.{}` into `{table}.{}` for {{n}} rows",
                lookup.source_table, lookup.source_column, column.name
            ),
        )
    };
    let mut steps = Vec::new();
    if column.not_null {
        // Checked on the join before the column exists: MySQL commits the ADD COLUMN at once,
        // so a check after the copy would leave the column behind.
        steps.push(Step::Verify(check_rows(
            sql,
            table,
            key,
            &format!(
                "NOT EXISTS (SELECT 1 FROM {s} WHERE {matches} AND {source_value} IS NOT NULL)"
            ),
            format!(
                "cannot make `{table}.{}` NOT NULL: in {{n}} rows no `{}` row with a non-NULL `{}` matches `{}`",
                column.name, lookup.source_table, lookup.source_column, lookup.foreign_key
            ),
            format!(
                "declare `{}` without NOT NULL, or fix or delete the orphaned rows first",
                column.name
            ),
        )));
    }
    steps.extend([
        Step::Execute {
            sql: format!("ALTER TABLE {t} ADD COLUMN {c} {}", column.ty.sql(dialect)),
            report: None,
        },
        Step::Fill(fill),
    ]);
    if column.not_null {
        steps.push(not_null_alter(
            dialect,
            table,
            &column.name,
            Some(column.ty),
        ));
    } else {
        steps.push(Step::Report {
            sql: format!("SELECT COUNT(*) AS n FROM {t} WHERE {c} IS NULL"),
            label: format!("`{table}.{}` found no value in {{n}} rows", column.name),
        });
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ColumnType;
    use crate::helpers::snapshot::render;

    #[test]
    fn customer_name_into_orders() {
        let column = ColumnSpec::new("customer_name", ColumnType::Varchar(100), true);
        let lookup = Lookup {
            source_table: "customers".into(),
            source_column: "name".into(),
            source_key: "id".into(),
            foreign_key: "customer_id".into(),
        };
        insta::assert_snapshot!(render(|d| denormalize(d, "orders", "id", &column, &lookup)));
    }
}
