use migrate_core::prelude::*;

/// Create the customers table.
#[migration(id = 2, down = drop_customers)]
fn create_customers(m: &mut Migration) -> Result<()> {
    m.execute(sql! {
        postgres: "CREATE TABLE customers (id SERIAL PRIMARY KEY, name VARCHAR(100) NOT NULL)",
        mysql: "CREATE TABLE customers (id INTEGER AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL)
                ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        sqlite: "CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL)",
    })?;
    Ok(())
}

fn drop_customers(m: &mut Migration) -> Result<()> {
    m.execute("DROP TABLE customers")?;
    Ok(())
}
