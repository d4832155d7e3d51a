//! Statements of the batched helpers (`backfill!`, `transform_rows!`), built at run time from
//! the current batch's keys and values.
//!
//! Batches walk the table by primary key (keyset pagination): each batch starts after the last
//! key of the previous one, so no batch rescans rows already done — unlike `WHERE col IS NULL
//! LIMIT n`, which reads past every finished row again on each batch.

use super::Sql;
use crate::{ColumnType, Dialect};
use std::fmt::Write as _;

/// The key of the last row of the next batch of at most `limit` rows after `after` (all rows
/// when `None`): one integer column `n`, NULL when no row is left.
pub fn next_batch_end(
    dialect: Dialect,
    table: &str,
    key: &str,
    after: Option<i64>,
    limit: u64,
) -> String {
    let sql = Sql(dialect);
    let k = sql.id(key);
    let lower = rows_after(&k, after);
    format!(
        "SELECT {} AS n FROM (SELECT {k} AS k FROM {}{lower} ORDER BY {k} LIMIT {limit}) batch",
        sql.key_as_bigint("MAX(k)"),
        sql.id(table)
    )
}

/// Counts the rows after `after` that `condition` selects, for progress.
pub fn count_remaining(
    dialect: Dialect,
    table: &str,
    key: &str,
    after: Option<i64>,
    condition: Option<&str>,
) -> String {
    let sql = Sql(dialect);
    let mut filters = Vec::new();
    if let Some(after) = after {
        filters.push(format!("{} > {after}", sql.id(key)));
    }
    if let Some(condition) = condition {
        filters.push(format!("({condition})"));
    }
    let filter = if filters.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", filters.join(" AND "))
    };
    format!("SELECT COUNT(*) AS n FROM {}{filter}", sql.id(table))
}

/// One batch of `backfill!`: sets `assignments` (`"column" = value`, SQL of the dialect) on the
/// rows with keys in `(after, last]` that `condition` selects.
pub fn backfill_batch(
    dialect: Dialect,
    table: &str,
    key: &str,
    assignments: &str,
    condition: Option<&str>,
    after: Option<i64>,
    last: i64,
) -> String {
    let sql = Sql(dialect);
    let k = sql.id(key);
    let mut filter = match after {
        Some(after) => format!("{k} > {after} AND {k} <= {last}"),
        None => format!("{k} <= {last}"),
    };
    if let Some(condition) = condition {
        filter.push_str(&format!(" AND ({condition})"));
    }
    format!("UPDATE {} SET {assignments} WHERE {filter}", sql.id(table))
}

/// ` WHERE key > after`, or nothing for the first batch.
fn rows_after(key: &str, after: Option<i64>) -> String {
    after
        .map(|a| format!(" WHERE {key} > {a}"))
        .unwrap_or_default()
}

/// The rows of one `transform_rows!` batch: the key as column `__key` (a 64-bit integer) and
/// `columns` under their own names, locking them on servers that can.
pub fn select_batch(
    dialect: Dialect,
    table: &str,
    key: &str,
    columns: &[String],
    after: Option<i64>,
    limit: u64,
) -> String {
    let sql = Sql(dialect);
    let k = sql.id(key);
    let lower = rows_after(&k, after);
    let selected: Vec<String> = columns.iter().map(|c| sql.id(c)).collect();
    let lock = match dialect {
        Dialect::Postgres | Dialect::Mysql => " FOR UPDATE",
        // SQLite has one writer at a time: the batch's transaction is enough.
        Dialect::Sqlite => "",
    };
    format!(
        "SELECT {} AS __key, {} FROM {}{lower} ORDER BY {k} LIMIT {limit}{lock}",
        sql.key_as_bigint(&k),
        selected.join(", "),
        sql.id(table)
    )
}

/// One statement writing a batch of computed values: `rows` holds each row's key and its values
/// as SQL literals of the dialect, in the order of `columns`.
///
/// The statement also bounds the key to the batch's range, so that the planner reads only the
/// batch's rows: without it PostgreSQL hash-joins the values against a scan of the whole table,
/// for every batch.
pub fn bulk_update(
    dialect: Dialect,
    table: &str,
    key: &str,
    columns: &[(String, ColumnType)],
    rows: &[(i64, Vec<String>)],
) -> String {
    let sql = Sql(dialect);
    let t = sql.id(table);
    let k = sql.id(key);
    let range = key_range(&format!("{t}.{k}"), rows);
    match dialect {
        Dialect::Postgres => {
            let names: Vec<String> = columns.iter().map(|(c, _)| sql.id(c)).collect();
            // VALUES infers each column's type from its literals; the casts make NULLs and
            // integer-looking floats land in the column's own type.
            let sets: Vec<String> = columns
                .iter()
                .map(|(c, ty)| {
                    format!(
                        "{} = CAST(v.{} AS {})",
                        sql.id(c),
                        sql.id(c),
                        ty.sql(dialect)
                    )
                })
                .collect();
            format!(
                "UPDATE {t} SET {} FROM (VALUES {}) AS v(__key, {}) WHERE {t}.{k} = v.__key AND {range}",
                sets.join(", "),
                values_list(rows),
                names.join(", ")
            )
        }
        Dialect::Mysql => {
            // MySQL and MariaDB name VALUES columns differently; a UNION ALL derived table reads
            // the same on both.
            let mut selects = Vec::with_capacity(rows.len());
            for (i, (key, values)) in rows.iter().enumerate() {
                if i == 0 {
                    let named: Vec<String> = values
                        .iter()
                        .zip(columns)
                        .map(|(v, (c, _))| format!("{v} AS {}", sql.id(c)))
                        .collect();
                    selects.push(format!("SELECT {key} AS __key, {}", named.join(", ")));
                } else {
                    selects.push(format!("SELECT {key}, {}", values.join(", ")));
                }
            }
            let sets: Vec<String> = columns
                .iter()
                .map(|(c, _)| format!("{t}.{} = v.{}", sql.id(c), sql.id(c)))
                .collect();
            format!(
                "UPDATE {t} JOIN ({}) AS v ON {t}.{k} = v.__key AND {range} SET {}",
                selects.join(" UNION ALL "),
                sets.join(", ")
            )
        }
        Dialect::Sqlite => {
            let sets: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, (c, _))| format!("{} = v.column{}", sql.id(c), i + 2))
                .collect();
            format!(
                "UPDATE {t} SET {} FROM (VALUES {}) AS v WHERE {t}.{k} = v.column1 AND {range}",
                sets.join(", "),
                values_list(rows)
            )
        }
    }
}

/// [`bulk_update`] for MariaDB, whose table value constructor (`VALUES (...), (...)`, which
/// MySQL spells `VALUES ROW(...)`) it parses and plans several times faster than the UNION ALL
/// of one SELECT per row that both servers read. The first row is a SELECT that names the
/// columns.
pub fn bulk_update_mariadb(
    table: &str,
    key: &str,
    columns: &[(String, ColumnType)],
    rows: &[(i64, Vec<String>)],
) -> String {
    let sql = Sql(Dialect::Mysql);
    let t = sql.id(table);
    let k = sql.id(key);
    let range = key_range(&format!("{t}.{k}"), rows);
    let Some(((first_key, first), rest)) = rows.split_first() else {
        return String::new();
    };
    let named: Vec<String> = first
        .iter()
        .zip(columns)
        .map(|(v, (c, _))| format!("{v} AS {}", sql.id(c)))
        .collect();
    let mut derived = format!("SELECT {first_key} AS __key, {}", named.join(", "));
    if !rest.is_empty() {
        derived.push_str(" UNION ALL VALUES ");
        derived.push_str(&values_list(rest));
    }
    let sets: Vec<String> = columns
        .iter()
        .map(|(c, _)| format!("{t}.{} = v.{}", sql.id(c), sql.id(c)))
        .collect();
    format!(
        "UPDATE {t} JOIN ({derived}) AS v ON {t}.{k} = v.__key AND {range} SET {}",
        sets.join(", ")
    )
}

/// `(key, value, ...), (key, value, ...)`, written into one string: a batch has thousands of
/// rows, and a string per row is most of the time spent building the statement.
fn values_list(rows: &[(i64, Vec<String>)]) -> String {
    let mut list = String::with_capacity(rows.len() * 32);
    for (i, (key, values)) in rows.iter().enumerate() {
        if i > 0 {
            list.push_str(", ");
        }
        // Writing to a String cannot fail.
        let _ = write!(list, "({key}");
        for value in values {
            list.push_str(", ");
            list.push_str(value);
        }
        list.push(')');
    }
    list
}

/// `column BETWEEN lowest AND highest` over the keys of `rows`.
fn key_range(column: &str, rows: &[(i64, Vec<String>)]) -> String {
    let lowest = rows.iter().map(|(k, _)| *k).min().unwrap_or(0);
    let highest = rows.iter().map(|(k, _)| *k).max().unwrap_or(0);
    format!("{column} BETWEEN {lowest} AND {highest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_statements() {
        let mut out = String::new();
        for d in Dialect::ALL {
            out.push_str(&format!("== {d}\n"));
            out.push_str(&next_batch_end(d, "orders", "id", Some(1000), 500));
            out.push('\n');
            out.push_str(&count_remaining(
                d,
                "orders",
                "id",
                None,
                Some("status IS NULL"),
            ));
            out.push('\n');
            out.push_str(&backfill_batch(
                d,
                "orders",
                "id",
                "status = 'processed'",
                None,
                Some(1000),
                1500,
            ));
            out.push('\n');
            out.push_str(&select_batch(
                d,
                "users",
                "id",
                &["posts_count".into(), "comments_count".into()],
                None,
                1000,
            ));
            out.push('\n');
            let columns = [("score".to_owned(), ColumnType::Double)];
            out.push_str(&bulk_update(
                d,
                "users",
                "id",
                &columns,
                &[(1, vec!["10.0".into()]), (2, vec!["NULL".into()])],
            ));
            out.push('\n');
        }
        out.push_str("== mariadb\n");
        out.push_str(&bulk_update_mariadb(
            "users",
            "id",
            &[("score".to_owned(), ColumnType::Double)],
            &[
                (1, vec!["10.0".into()]),
                (2, vec!["NULL".into()]),
                (3, vec!["30.0".into()]),
            ],
        ));
        out.push('\n');
        insta::assert_snapshot!(out);
    }
}
