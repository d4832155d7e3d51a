//! Value checks: one hash per table over every row, ordered by id, of every column but those the
//! application changes (`orders.total_cents`), so that two databases compare value for value.
//!
//! PostgreSQL and MariaDB hash on the server: md5 of each block of 10,000 ids' rows joined, then
//! md5 of the blocks' hashes (MariaDB's GROUP_CONCAT is bounded by `group_concat_max_len`, so a
//! block stays well under it). SQLite has no md5: its rows come out as text, block by block, and
//! are hashed here (FNV-1a, 64 bits). The hash covers the sorted column names too, so a column
//! one form has and the other has not is a mismatch.
//!
//! The rows the live application writes (see [`live`](crate::live)) are left out: the loaded
//! rows of its stride, the orders of its customers, and every row above N (the ones it inserted).
//! What it writes, and when, depends on the run's timing, so only the other rows compare across
//! forms and across `up` and `down`; its own rows are checked against its model instead.

use crate::database::{Result, texts};
use crate::live_model::{RESIDUE, STRIDE};
use migrate_core::{AnyConnection, Dialect};

/// The tables hashed.
pub const TABLES: [&str; 3] = ["users", "orders", "customers"];

/// Columns the application writes: their values depend on timing, not on the migration.
const APP_COLUMNS: [(&str, &str); 1] = [("orders", "total_cents")];

/// Rows per block.
const BLOCK: u64 = 10_000;

/// The hash of each of [`TABLES`] loaded with `rows` rows, without the live application's rows.
pub fn hashes(conn: &mut AnyConnection, rows: u64) -> Result<Vec<(&'static str, String)>> {
    TABLES
        .iter()
        .map(|table| Ok((*table, hash(conn, table, rows)?)))
        .collect()
}

/// Column `c` as text, `<null>` for NULL.
pub fn as_text(dialect: Dialect, c: &str) -> String {
    match dialect {
        Dialect::Postgres => format!("coalesce({c}::text, '<null>')"),
        Dialect::Mysql => format!("COALESCE(CAST({c} AS CHAR), '<null>')"),
        Dialect::Sqlite => format!("coalesce(CAST({c} AS TEXT), '<null>')"),
    }
}

/// `columns` as one text, each through [`as_text`], separated by `|`.
pub fn joined(dialect: Dialect, columns: &[String]) -> String {
    let texts: Vec<String> = columns.iter().map(|c| as_text(dialect, c)).collect();
    match dialect {
        Dialect::Postgres | Dialect::Mysql => format!("CONCAT_WS('|', {})", texts.join(", ")),
        Dialect::Sqlite => texts.join(" || '|' || "),
    }
}

/// The condition that leaves out the live application's rows of `table` (see the module's doc).
fn without_live(table: &str, rows: u64) -> String {
    let not_live = |c: &str| format!("{c} % {STRIDE} <> {RESIDUE}");
    match table {
        "users" => format!("id <= {rows} AND {}", not_live("id")),
        "orders" => format!(
            "id <= {rows} AND {} AND {}",
            not_live("id"),
            not_live("customer_id")
        ),
        _ => not_live("id"),
    }
}

fn hash(conn: &mut AnyConnection, table: &str, rows: u64) -> Result<String> {
    let dialect = conn.dialect();
    let columns = columns(conn, table)?;
    let row = joined(dialect, &columns);
    let only = without_live(table, rows);
    let values = match dialect {
        Dialect::Postgres => texts(
            conn,
            &format!(
                "SELECT coalesce(md5(string_agg(h, '' ORDER BY b)), '') AS name FROM \
                 (SELECT id / {BLOCK} AS b, md5(string_agg({row}, ';' ORDER BY id)) AS h FROM {table} WHERE {only} GROUP BY id / {BLOCK}) t"
            ),
        )?,
        Dialect::Mysql => {
            conn.batch_execute("SET SESSION group_concat_max_len = 67108864")?;
            texts(
                conn,
                &format!(
                    "SELECT COALESCE(MD5(GROUP_CONCAT(h ORDER BY b SEPARATOR '')), '') AS name FROM \
                     (SELECT id DIV {BLOCK} AS b, MD5(GROUP_CONCAT({row} ORDER BY id SEPARATOR ';')) AS h FROM {table} WHERE {only} GROUP BY id DIV {BLOCK}) t"
                ),
            )?
        }
        Dialect::Sqlite => {
            let max = texts(
                conn,
                &format!("SELECT CAST(coalesce(max(id), 0) AS TEXT) AS name FROM {table}"),
            )?;
            let max: u64 = max.first().map_or(Ok(0), |m| m.parse())?;
            let mut fnv = Fnv::default();
            let mut from = 0;
            while from <= max {
                let sql = format!(
                    "SELECT {row} AS name FROM {table} WHERE id >= {from} AND id < {} AND {only} ORDER BY id",
                    from + BLOCK
                );
                for line in texts(conn, &sql)? {
                    fnv.write(line.as_bytes());
                    fnv.write(b";");
                }
                from += BLOCK;
            }
            vec![format!("{:016x}", fnv.0)]
        }
    };
    let mut named = Fnv::default();
    named.write(columns.join(",").as_bytes());
    Ok(format!(
        "{:08x}:{}",
        named.0 >> 32,
        values.into_iter().next().unwrap_or_default()
    ))
}

/// The table's columns, sorted, without the application's.
fn columns(conn: &mut AnyConnection, table: &str) -> Result<Vec<String>> {
    let sql = match conn.dialect() {
        Dialect::Postgres => format!(
            "SELECT CAST(column_name AS TEXT) AS name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = '{table}'"
        ),
        Dialect::Mysql => format!(
            "SELECT CAST(column_name AS CHAR) AS name FROM information_schema.columns \
             WHERE table_schema = DATABASE() AND table_name = '{table}'"
        ),
        Dialect::Sqlite => format!("SELECT name FROM pragma_table_info('{table}')"),
    };
    let mut columns: Vec<String> = texts(conn, &sql)?
        .into_iter()
        .filter(|c| !APP_COLUMNS.contains(&(table, c.as_str())))
        .collect();
    columns.sort();
    if columns.is_empty() {
        return Err(format!("table {table} has no columns to hash").into());
    }
    Ok(columns)
}

/// FNV-1a, 64 bits: specified, so equal inputs hash equal in any build.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}
