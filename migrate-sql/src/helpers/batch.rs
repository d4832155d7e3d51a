//! Statements of the batched helpers (`backfill!`, `transform_rows!`), built at run time from
//! the current batch's keys and values.
//!
//! Batches walk the table by primary key (keyset pagination): each batch starts after the last
//! key of the previous one, so no batch rescans rows already done — unlike `WHERE col IS NULL
//! LIMIT n`, which reads past every finished row again on each batch.

use super::Sql;
use super::key::Key;
use crate::{ColumnType, Dialect, LiteralError};

/// `WHERE <key after after>`, or nothing for the first batch.
fn rows_after(
    dialect: Dialect,
    key: &Key,
    after: Option<&[String]>,
) -> Result<String, LiteralError> {
    Ok(match after {
        Some(after) => format!(" WHERE {}", key.after(dialect, None, after)?),
        None => String::new(),
    })
}

/// The key of the last row of the next batch of at most `limit` rows after `after` (all rows
/// when `None`), as text columns `__k0`, `__k1`, ... ([`Key::select_text`]); no row when none is
/// left.
pub fn next_batch_end(
    dialect: Dialect,
    table: &str,
    key: &Key,
    after: Option<&[String]>,
    limit: u64,
) -> Result<String, LiteralError> {
    let sql = Sql(dialect);
    let columns: Vec<String> = key.columns.iter().map(|c| sql.id(&c.name)).collect();
    Ok(format!(
        "SELECT {} FROM (SELECT {} FROM {}{} ORDER BY {} LIMIT {limit}) batch ORDER BY {} LIMIT 1",
        key.select_text(dialect, None),
        columns.join(", "),
        sql.table(table),
        rows_after(dialect, key, after)?,
        key.order_by(dialect, None, false),
        key.order_by(dialect, None, true),
    ))
}

/// Counts the rows after `after` that `condition` selects, for progress.
pub fn count_remaining(
    dialect: Dialect,
    table: &str,
    key: &Key,
    after: Option<&[String]>,
    condition: Option<&str>,
) -> Result<String, LiteralError> {
    let sql = Sql(dialect);
    let mut filters = Vec::new();
    if let Some(after) = after {
        filters.push(key.after(dialect, None, after)?);
    }
    if let Some(condition) = condition {
        filters.push(format!("({condition})"));
    }
    let filter = if filters.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", filters.join(" AND "))
    };
    Ok(format!(
        "SELECT COUNT(*) AS n FROM {}{filter}",
        sql.table(table)
    ))
}

/// One batch of `backfill!`: sets `assignments` (`"column" = value`, SQL of the dialect) on the
/// rows with keys in `(after, last]` that `condition` selects.
pub fn backfill_batch(
    dialect: Dialect,
    table: &str,
    key: &Key,
    assignments: &str,
    condition: Option<&str>,
    after: Option<&[String]>,
    last: &[String],
) -> Result<String, LiteralError> {
    let sql = Sql(dialect);
    let mut filter = key.range(dialect, None, after, last)?;
    if let Some(condition) = condition {
        filter.push_str(&format!(" AND ({condition})"));
    }
    Ok(format!(
        "UPDATE {} SET {assignments} WHERE {filter}",
        sql.table(table)
    ))
}

/// `columns` under their own names, those in `as_text` cast to text.
fn read_list(sql: Sql, columns: &[String], as_text: &[String]) -> Vec<String> {
    columns
        .iter()
        .map(|c| {
            if as_text.contains(c) {
                format!("{} AS {}", sql.as_text(&sql.id(c)), sql.id(c))
            } else {
                sql.id(c)
            }
        })
        .collect()
}

/// How a transform's read locks its rows until the batch writes them back.
fn row_lock(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres | Dialect::Mysql => " FOR UPDATE",
        // SQLite has one writer at a time: the batch's transaction is enough.
        Dialect::Sqlite => "",
    }
}

/// The rows of one `transform_rows!` batch: the key as text columns `__k0`, `__k1`, ... and
/// `columns` under their own names (those in `as_text` cast to text), locking them on servers
/// that can.
pub fn select_batch(
    dialect: Dialect,
    table: &str,
    key: &Key,
    columns: &[String],
    as_text: &[String],
    after: Option<&[String]>,
    limit: u64,
) -> Result<String, LiteralError> {
    let sql = Sql(dialect);
    let selected = read_list(sql, columns, as_text);
    let lock = row_lock(dialect);
    Ok(format!(
        "SELECT {}, {} FROM {}{} ORDER BY {} LIMIT {limit}{lock}",
        key.select_text(dialect, None),
        selected.join(", "),
        sql.table(table),
        rows_after(dialect, key, after)?,
        key.order_by(dialect, None, false),
    ))
}

/// The rows of `table` whose keys are `keys` (each as [`Key::select_text`] read it), in key
/// order, read as [`select_batch`] reads them and locked the same way: a change log's catch-up
/// of an online `transform_rows!`. A key no row has any more is simply not found.
pub fn select_keys(
    dialect: Dialect,
    table: &str,
    key: &Key,
    columns: &[String],
    as_text: &[String],
    keys: &[Vec<String>],
) -> Result<String, LiteralError> {
    let sql = Sql(dialect);
    let selected = read_list(sql, columns, as_text);
    let filter = if let [column] = key.columns.as_slice() {
        let literals = keys
            .iter()
            .map(|k| column.literal(dialect, k.first().map(String::as_str).unwrap_or_default()))
            .collect::<Result<Vec<_>, _>>()?;
        format!("{} IN ({})", sql.id(&column.name), literals.join(", "))
    } else {
        let mut rows = Vec::with_capacity(keys.len());
        for values in keys {
            let terms = key
                .columns
                .iter()
                .zip(values)
                .map(|(c, v)| Ok(format!("{} = {}", sql.id(&c.name), c.literal(dialect, v)?)))
                .collect::<Result<Vec<_>, LiteralError>>()?;
            rows.push(format!("({})", terms.join(" AND ")));
        }
        rows.join(" OR ")
    };
    let lock = row_lock(dialect);
    Ok(format!(
        "SELECT {}, {} FROM {} WHERE {filter} ORDER BY {}{lock}",
        key.select_text(dialect, None),
        selected.join(", "),
        sql.table(table),
        key.order_by(dialect, None, false),
    ))
}

/// A batch of computed rows: each row's key values (as read) and its values as SQL literals of
/// the dialect, in the order of the columns written; with the bounds of the batch's keys.
pub struct BatchRows<'a> {
    /// The rows.
    pub rows: &'a [(Vec<String>, Vec<String>)],
    /// The key the batch starts after (`None` for the first).
    pub after: Option<&'a [String]>,
    /// The key of its last row.
    pub last: &'a [String],
}

/// One statement writing a batch of computed values.
///
/// The statement also bounds the key to the batch's range, so that the planner reads only the
/// batch's rows: without it PostgreSQL hash-joins the values against a scan of the whole table,
/// for every batch.
pub fn bulk_update(
    dialect: Dialect,
    table: &str,
    key: &Key,
    columns: &[(String, ColumnType)],
    batch: &BatchRows<'_>,
) -> Result<String, LiteralError> {
    let sql = Sql(dialect);
    let t = sql.table(table);
    let range = key.range(dialect, Some(table), batch.after, batch.last)?;
    let keys = key.columns.len();
    Ok(match dialect {
        Dialect::Postgres => {
            let names: Vec<String> = columns.iter().map(|(c, _)| sql.id(c)).collect();
            // VALUES infers each column's type from its literals; the casts make NULLs, integer-
            // looking floats and quoted keys (UUIDs, dates) land in the column's own type.
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
            let joins: Vec<String> = key
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| match c.kind {
                    super::key::KeyKind::Text => {
                        format!("{t}.{} = CAST(v.__k{i} AS {})", sql.id(&c.name), c.sql_type)
                    }
                    _ => format!("{t}.{} = v.__k{i}", sql.id(&c.name)),
                })
                .collect();
            let key_names: Vec<String> = (0..keys).map(|i| format!("__k{i}")).collect();
            format!(
                "UPDATE {t} SET {} FROM (VALUES {}) AS v({}, {}) WHERE {} AND {range}",
                sets.join(", "),
                values_list(dialect, key, batch.rows)?,
                key_names.join(", "),
                names.join(", "),
                joins.join(" AND ")
            )
        }
        Dialect::Mysql => {
            // MySQL and MariaDB name VALUES columns differently; a UNION ALL derived table reads
            // the same on both.
            let mut selects = Vec::with_capacity(batch.rows.len());
            for (i, (key_values, values)) in batch.rows.iter().enumerate() {
                let literals = key_literals(dialect, key, key_values)?;
                if i == 0 {
                    let mut named: Vec<String> = literals
                        .iter()
                        .enumerate()
                        .map(|(i, l)| format!("{l} AS __k{i}"))
                        .collect();
                    named.extend(
                        values
                            .iter()
                            .zip(columns)
                            .map(|(v, (c, _))| format!("{v} AS {}", sql.id(c))),
                    );
                    selects.push(format!("SELECT {}", named.join(", ")));
                } else {
                    selects.push(format!(
                        "SELECT {}, {}",
                        literals.join(", "),
                        values.join(", ")
                    ));
                }
            }
            format!(
                "UPDATE {t} JOIN ({}) AS v ON {} AND {range} SET {}",
                selects.join(" UNION ALL "),
                mysql_key_join(&t, key),
                mysql_sets(&t, columns)
            )
        }
        Dialect::Sqlite => {
            let sets: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, (c, _))| format!("{} = v.column{}", sql.id(c), keys + i + 1))
                .collect();
            let joins: Vec<String> = key
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{t}.{} = v.column{}", sql.id(&c.name), i + 1))
                .collect();
            format!(
                "UPDATE {t} SET {} FROM (VALUES {}) AS v WHERE {} AND {range}",
                sets.join(", "),
                values_list(dialect, key, batch.rows)?,
                joins.join(" AND ")
            )
        }
    })
}

/// [`bulk_update`] for MariaDB, whose table value constructor (`VALUES (...), (...)`, which
/// MySQL spells `VALUES ROW(...)`) it parses and plans several times faster than the UNION ALL
/// of one SELECT per row that both servers read. The first row is a SELECT that names the
/// columns.
pub fn bulk_update_mariadb(
    table: &str,
    key: &Key,
    columns: &[(String, ColumnType)],
    batch: &BatchRows<'_>,
) -> Result<String, LiteralError> {
    let dialect = Dialect::Mysql;
    let sql = Sql(dialect);
    let t = sql.table(table);
    let range = key.range(dialect, Some(table), batch.after, batch.last)?;
    let Some(((first_key, first), rest)) = batch.rows.split_first() else {
        return Ok(String::new());
    };
    let mut named: Vec<String> = key_literals(dialect, key, first_key)?
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{l} AS __k{i}"))
        .collect();
    named.extend(
        first
            .iter()
            .zip(columns)
            .map(|(v, (c, _))| format!("{v} AS {}", sql.id(c))),
    );
    let mut derived = format!("SELECT {}", named.join(", "));
    if !rest.is_empty() {
        derived.push_str(" UNION ALL VALUES ");
        derived.push_str(&values_list(dialect, key, rest)?);
    }
    Ok(format!(
        "UPDATE {t} JOIN ({derived}) AS v ON {} AND {range} SET {}",
        mysql_key_join(&t, key),
        mysql_sets(&t, columns)
    ))
}

fn mysql_key_join(table: &str, key: &Key) -> String {
    let sql = Sql(Dialect::Mysql);
    key.columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{table}.{} = v.__k{i}", sql.id(&c.name)))
        .collect::<Vec<_>>()
        .join(" AND ")
}

fn mysql_sets(table: &str, columns: &[(String, ColumnType)]) -> String {
    let sql = Sql(Dialect::Mysql);
    columns
        .iter()
        .map(|(c, _)| format!("{table}.{} = v.{}", sql.id(c), sql.id(c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A row's key values as literals of their columns.
fn key_literals(
    dialect: Dialect,
    key: &Key,
    values: &[String],
) -> Result<Vec<String>, LiteralError> {
    key.columns
        .iter()
        .zip(values)
        .map(|(c, v)| c.literal(dialect, v))
        .collect()
}

/// `(key, ..., value, ...), (key, ..., value, ...)`, written into one string: a batch has
/// thousands of rows, and a string per row is most of the time spent building the statement.
fn values_list(
    dialect: Dialect,
    key: &Key,
    rows: &[(Vec<String>, Vec<String>)],
) -> Result<String, LiteralError> {
    let mut list = String::with_capacity(rows.len() * 32);
    for (i, (key_values, values)) in rows.iter().enumerate() {
        if i > 0 {
            list.push_str(", ");
        }
        list.push('(');
        for (j, literal) in key_literals(dialect, key, key_values)?.iter().enumerate() {
            if j > 0 {
                list.push_str(", ");
            }
            list.push_str(literal);
        }
        for value in values {
            list.push_str(", ");
            list.push_str(value);
        }
        list.push(')');
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::super::key::KeyColumn;
    use super::*;

    #[test]
    fn batch_statements() {
        let mut out = String::new();
        let after = ["1000".to_owned()];
        let last = ["1500".to_owned()];
        for d in Dialect::ALL {
            let id = Key {
                columns: vec![KeyColumn::new(d, "id", "bigint")],
            };
            let pair = Key {
                columns: vec![
                    KeyColumn::new(d, "issue_id", "integer"),
                    KeyColumn::new(d, "tag", "varchar(20)"),
                ],
            };
            out.push_str(&format!("== {d}\n"));
            let columns = [("score".to_owned(), ColumnType::Double)];
            let rows = [
                (vec!["1".to_owned()], vec!["10.0".to_owned()]),
                (vec!["2".to_owned()], vec!["NULL".to_owned()]),
            ];
            let pair_rows = [
                (
                    vec!["1".to_owned(), "bug".to_owned()],
                    vec!["1.0".to_owned()],
                ),
                (
                    vec!["1".to_owned(), "ui".to_owned()],
                    vec!["2.0".to_owned()],
                ),
            ];
            for statement in [
                next_batch_end(d, "orders", &id, Some(&after), 500),
                next_batch_end(d, "tags", &pair, None, 500),
                count_remaining(d, "orders", &id, None, Some("status IS NULL")),
                backfill_batch(
                    d,
                    "orders",
                    &id,
                    "status = 'processed'",
                    None,
                    Some(&after),
                    &last,
                ),
                select_batch(
                    d,
                    "users",
                    &id,
                    &["posts_count".into(), "comments_count".into()],
                    &[],
                    None,
                    1000,
                ),
                bulk_update(
                    d,
                    "users",
                    &id,
                    &columns,
                    &BatchRows {
                        rows: &rows,
                        after: None,
                        last: &["2".to_owned()],
                    },
                ),
                bulk_update(
                    d,
                    "tags",
                    &pair,
                    &columns,
                    &BatchRows {
                        rows: &pair_rows,
                        after: None,
                        last: &["1".to_owned(), "ui".to_owned()],
                    },
                ),
            ] {
                out.push_str(&statement.unwrap_or_else(|e| e.to_string()));
                out.push('\n');
            }
        }
        out.push_str("== mariadb\n");
        let id = Key {
            columns: vec![KeyColumn::new(Dialect::Mysql, "id", "bigint")],
        };
        let rows = [
            (vec!["1".to_owned()], vec!["10.0".to_owned()]),
            (vec!["2".to_owned()], vec!["NULL".to_owned()]),
            (vec!["3".to_owned()], vec!["30.0".to_owned()]),
        ];
        out.push_str(
            &bulk_update_mariadb(
                "users",
                &id,
                &[("score".to_owned(), ColumnType::Double)],
                &BatchRows {
                    rows: &rows,
                    after: Some(&after),
                    last: &["3".to_owned()],
                },
            )
            .unwrap_or_else(|e| e.to_string()),
        );
        out.push('\n');
        insta::assert_snapshot!(out);
    }
}
