use migrate_core::prelude::*;

/// Create the orders table, each order referencing its customer.
///
/// On MySQL the foreign key gets an index of its own here: MySQL would otherwise adopt the index
/// of migration 4 for it and refuse to drop that index when migration 4 is reverted.
#[migration(id = 3, down = drop_orders)]
fn create_orders(m: &mut Migration) -> Result<()> {
    m.execute(sql! {
        postgres: "CREATE TABLE orders (
            id SERIAL PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers (id),
            total_cents BIGINT NOT NULL,
            created_at TIMESTAMP NOT NULL
        )",
        mysql: "CREATE TABLE orders (
            id INTEGER AUTO_INCREMENT PRIMARY KEY,
            customer_id INTEGER NOT NULL,
            total_cents BIGINT NOT NULL,
            created_at DATETIME NOT NULL,
            KEY orders_customer_fk (customer_id),
            FOREIGN KEY (customer_id) REFERENCES customers (id)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        sqlite: "CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers (id),
            total_cents BIGINT NOT NULL,
            created_at TIMESTAMP NOT NULL
        )",
    })?;
    Ok(())
}

fn drop_orders(m: &mut Migration) -> Result<()> {
    m.execute("DROP TABLE orders")?;
    Ok(())
}
