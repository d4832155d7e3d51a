use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn link_orders(m: &mut Migration) -> Result<()> {
    constrain!(m, orders FOREIGN KEY orders_customer_fk (customer_id, region) REFERENCES customers (id))?;
    Ok(())
}

fn main() {}
