use migrate_core::prelude::*;

#[migration(id = 1, down = drop_index)]
fn create_index(m: &mut Migration) -> Result<()> {
    m.execute("CREATE INDEX orders_customer_id_idx ON orders (customer_id)")?;
    Ok(())
}

fn drop_index(m: &mut Migration) -> Result<()> {
    m.execute(sql! {
        postgres: "DROP INDEX orders_customer_id_idx",
        mysql: "DROP INDEX orders_customer_id_idx ON orders",
        sqlite: "DROP INDEX orders_customer_id_idx",
    })?;
    Ok(())
}

fn main() {}
