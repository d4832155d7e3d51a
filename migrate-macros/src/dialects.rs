//! The dialects this build targets: those whose backend feature migrate-core enables.

use migrate_sql::Dialect;

/// The enabled dialects, in `Dialect::ALL` order.
pub fn enabled() -> Vec<Dialect> {
    Dialect::ALL
        .into_iter()
        .filter(|d| match d {
            Dialect::Postgres => cfg!(feature = "postgres"),
            Dialect::Mysql => cfg!(feature = "mysql"),
            Dialect::Sqlite => cfg!(feature = "sqlite"),
        })
        .collect()
}
