//! The SQL of the safety checks: counts, spot checks of sample rows, and assertions.

use super::{Sql, check_rows};
use crate::{Dialect, Step};

/// Counts the rows of `table` (that `filter` selects): one integer column `n`.
pub fn count(dialect: Dialect, table: &str, filter: Option<&str>) -> String {
    let sql = Sql(dialect);
    let filter = filter.map(|f| format!(" WHERE {f}")).unwrap_or_default();
    format!("SELECT COUNT(*) AS n FROM {}{filter}", sql.table(table))
}

/// Shows `limit` rows of `table` by `key`, each as one line `column="value" ...`: values in
/// double quotes (inner ones doubled), NULL bare, so that NULL, `''` and `'NULL'` read apart.
pub fn sample(
    dialect: Dialect,
    table: &str,
    key: &str,
    columns: &[String],
    filter: Option<&str>,
    limit: u64,
) -> Step {
    let sql = Sql(dialect);
    let text_type = match dialect {
        Dialect::Mysql => "CHAR",
        Dialect::Postgres | Dialect::Sqlite => "TEXT",
    };
    let mut pieces = Vec::new();
    for (i, column) in columns.iter().enumerate() {
        let label = format!("{}{column}=", if i == 0 { "" } else { " " });
        pieces.push(format!("'{}'", label.replace('\'', "''")));
        let value = format!(
            "REPLACE(CAST({} AS {text_type}), '\"', '\"\"')",
            sql.id(column)
        );
        pieces.push(format!(
            "COALESCE({}, 'NULL')",
            sql.concat(&["'\"'".to_owned(), value, "'\"'".to_owned()])
        ));
    }
    let filter = filter.map(|f| format!(" WHERE {f}")).unwrap_or_default();
    Step::Sample {
        sql: format!(
            "SELECT {} AS v FROM {}{filter} ORDER BY {} LIMIT {limit}",
            sql.concat(&pieces),
            sql.table(table),
            sql.id(key)
        ),
        label: format!("spot check of `{table}`:"),
    }
}

/// Fails unless `condition` holds on every row of `table` (a NULL result counts as a failure).
/// `meaning` says what the condition means; `written` is the condition as the user wrote it.
pub fn verify(
    dialect: Dialect,
    table: &str,
    key: &str,
    condition: &str,
    meaning: &str,
    written: &str,
) -> Step {
    let mut check = check_rows(
        Sql(dialect),
        table,
        key,
        &format!("({condition}) IS NOT TRUE"),
        format!("check failed: {meaning}: `{written}` is not true in {{n}} rows of `{table}`"),
        "fix those rows, or the migration that produced them".into(),
    );
    check.confirmed = Some(format!(
        "verified {meaning}: `{written}` holds on every row of `{table}`"
    ));
    Step::Verify(check)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helpers::snapshot::render;

    #[test]
    fn safety_checks() {
        insta::assert_snapshot!(render(|d| {
            vec![
                Step::Report {
                    sql: count(d, "orders", Some("status IS NULL")),
                    label: "{n}".into(),
                },
                sample(
                    d,
                    "users",
                    "id",
                    &["id".into(), "first_name".into()],
                    None,
                    5,
                ),
                verify(
                    d,
                    "orders",
                    "id",
                    "status IS NOT NULL",
                    "every order has a status",
                    "is_not_null(status)",
                ),
            ]
        }));
    }
}
