//! The base data: the shop's migrations 1–4 through the framework, then N users, N orders and
//! N/10 customers, each table filled by one set-based `INSERT ... SELECT`.

use crate::database::Result;
use migrate_core::MigrationId;
use migrate_core::{AnyConnection, Dialect, Runner};

/// Creates the base schema on `conn` and loads `rows` rows.
pub fn load(conn: &mut AnyConnection, rows: u64) -> Result<()> {
    let registry = shop::migrations::MIGRATIONS.registry()?;
    Runner::new(conn, &registry).up(Some(MigrationId(4)))?;
    let customers = (rows / 10).max(1);
    for statement in inserts(conn.dialect(), rows, customers) {
        conn.batch_execute(&statement)?;
    }
    // Statistics (and, on PostgreSQL, hint bits and the visibility map) as a live table has them.
    let analyze = match conn.dialect() {
        Dialect::Postgres => "VACUUM ANALYZE",
        Dialect::Mysql => "ANALYZE TABLE customers, users, orders",
        Dialect::Sqlite => "ANALYZE",
    };
    conn.batch_execute(analyze)?;
    Ok(())
}

/// One user in ten has a middle name and one in a hundred a single name, so that the split of
/// migration 5 meets each case.
fn inserts(dialect: Dialect, rows: u64, customers: u64) -> Vec<String> {
    match dialect {
        Dialect::Postgres => vec![
            format!(
                "INSERT INTO customers (name) SELECT 'Customer ' || g FROM generate_series(1, {customers}) g"
            ),
            format!(
                "INSERT INTO users (full_name, age, created_at, posts_count, comments_count, followers_count) \
                 SELECT CASE WHEN g % 100 = 0 THEN 'Single' || g WHEN g % 10 = 0 THEN 'First' || g || ' Middle Last' || g \
                 ELSE 'First' || g || ' Last' || g END, g % 90, TIMESTAMP '2015-01-01' + (g % 3650) * INTERVAL '1 day', \
                 g % 100, g % 1000, g % 5000 FROM generate_series(1, {rows}) g"
            ),
            format!(
                "INSERT INTO orders (customer_id, total_cents, created_at) \
                 SELECT 1 + g % {customers}, g % 100000, TIMESTAMP '2020-01-01' + (g % 1000) * INTERVAL '1 hour' \
                 FROM generate_series(1, {rows}) g"
            ),
        ],
        // MariaDB's SEQUENCE engine provides the `seq_1_to_N` tables.
        Dialect::Mysql => vec![
            format!(
                "INSERT INTO customers (name) SELECT CONCAT('Customer ', seq) FROM seq_1_to_{customers}"
            ),
            format!(
                "INSERT INTO users (full_name, age, created_at, posts_count, comments_count, followers_count) \
                 SELECT CASE WHEN seq % 100 = 0 THEN CONCAT('Single', seq) WHEN seq % 10 = 0 THEN CONCAT('First', seq, ' Middle Last', seq) \
                 ELSE CONCAT('First', seq, ' Last', seq) END, seq % 90, '2015-01-01' + INTERVAL (seq % 3650) DAY, \
                 seq % 100, seq % 1000, seq % 5000 FROM seq_1_to_{rows}"
            ),
            format!(
                "INSERT INTO orders (customer_id, total_cents, created_at) \
                 SELECT 1 + seq % {customers}, seq % 100000, '2020-01-01' + INTERVAL (seq % 1000) HOUR FROM seq_1_to_{rows}"
            ),
        ],
        Dialect::Sqlite => {
            let series = |n: u64| {
                format!(
                    "WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {n})"
                )
            };
            vec![
                format!(
                    "{} INSERT INTO customers (name) SELECT 'Customer ' || x FROM g",
                    series(customers)
                ),
                format!(
                    "{} INSERT INTO users (full_name, age, created_at, posts_count, comments_count, followers_count) \
                     SELECT CASE WHEN x % 100 = 0 THEN 'Single' || x WHEN x % 10 = 0 THEN 'First' || x || ' Middle Last' || x \
                     ELSE 'First' || x || ' Last' || x END, x % 90, datetime('2015-01-01', '+' || (x % 3650) || ' days'), \
                     x % 100, x % 1000, x % 5000 FROM g",
                    series(rows)
                ),
                format!(
                    "{} INSERT INTO orders (customer_id, total_cents, created_at) \
                     SELECT 1 + x % {customers}, x % 100000, datetime('2020-01-01', '+' || (x % 1000) || ' hours') FROM g",
                    series(rows)
                ),
            ]
        }
    }
}
