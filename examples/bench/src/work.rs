//! What the baselines of each measured migration (5–10) do: the columns they add first
//! (untimed), and the one set-based `UPDATE` that is the database's own limit for the work.

use migrate_core::Dialect;

/// The measured migrations.
pub const MIGRATIONS: [u64; 6] = [5, 6, 7, 8, 9, 10];

/// The table a migration fills.
pub fn table(id: u64) -> &'static str {
    match id {
        7 | 10 => "orders",
        _ => "users",
    }
}

/// Whether the migration's helper runs in batches (a concurrent writer is measured for those).
pub fn is_batched(id: u64) -> bool {
    matches!(id, 9 | 10)
}

/// The statements that add the migration's new columns, nullable, as the baselines need them.
pub fn prepare(id: u64, dialect: Dialect) -> Vec<&'static str> {
    match (id, dialect) {
        (5, Dialect::Sqlite) => vec![
            "ALTER TABLE users ADD COLUMN first_name VARCHAR(50)",
            "ALTER TABLE users ADD COLUMN last_name VARCHAR(100)",
        ],
        (5, _) => vec!["ALTER TABLE users ADD first_name VARCHAR(50), ADD last_name VARCHAR(100)"],
        (6, _) => vec!["ALTER TABLE users ADD created_year INTEGER"],
        (7, _) => vec!["ALTER TABLE orders ADD customer_name VARCHAR(100)"],
        (8, _) => vec!["ALTER TABLE users ADD age_group VARCHAR(20)"],
        (9, Dialect::Postgres) => vec!["ALTER TABLE users ADD score DOUBLE PRECISION"],
        (9, Dialect::Mysql) => vec!["ALTER TABLE users ADD score DOUBLE"],
        (9, Dialect::Sqlite) => vec!["ALTER TABLE users ADD score REAL"],
        _ => vec!["ALTER TABLE orders ADD status VARCHAR(20)"],
    }
}

/// One `UPDATE` doing the migration's data work, as each database writes it best.
pub fn set_based_update(id: u64, dialect: Dialect) -> &'static str {
    match (id, dialect) {
        (5, Dialect::Postgres) => {
            "UPDATE users SET first_name = split_part(full_name, ' ', 1), \
             last_name = CASE WHEN strpos(full_name, ' ') > 0 THEN substr(full_name, strpos(full_name, ' ') + 1) END"
        }
        (5, Dialect::Mysql) => {
            "UPDATE users SET first_name = SUBSTRING_INDEX(full_name, ' ', 1), \
             last_name = CASE WHEN LOCATE(' ', full_name) > 0 THEN SUBSTRING(full_name, LOCATE(' ', full_name) + 1) END"
        }
        (5, Dialect::Sqlite) => {
            "UPDATE users SET \
             first_name = CASE WHEN instr(full_name, ' ') > 0 THEN substr(full_name, 1, instr(full_name, ' ') - 1) ELSE full_name END, \
             last_name = CASE WHEN instr(full_name, ' ') > 0 THEN substr(full_name, instr(full_name, ' ') + 1) END"
        }
        (6, Dialect::Postgres) => "UPDATE users SET created_year = EXTRACT(YEAR FROM created_at)",
        (6, Dialect::Mysql) => "UPDATE users SET created_year = YEAR(created_at)",
        (6, Dialect::Sqlite) => {
            "UPDATE users SET created_year = CAST(strftime('%Y', created_at) AS INTEGER)"
        }
        (7, Dialect::Mysql) => {
            "UPDATE orders JOIN customers c ON c.id = orders.customer_id SET orders.customer_name = c.name"
        }
        (7, _) => {
            "UPDATE orders SET customer_name = c.name FROM customers c WHERE c.id = orders.customer_id"
        }
        (8, _) => {
            "UPDATE users SET age_group = CASE WHEN age < 18 THEN 'minor' WHEN age < 65 THEN 'adult' ELSE 'senior' END"
        }
        (9, _) => {
            "UPDATE users SET score = posts_count * 10.0 + comments_count * 5.0 + followers_count * 20.0"
        }
        _ => "UPDATE orders SET status = 'processed' WHERE status IS NULL",
    }
}
