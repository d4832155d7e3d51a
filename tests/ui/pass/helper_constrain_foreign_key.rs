use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn link_orders(m: &mut Migration) -> Result<()> {
    constrain!(m, orders FOREIGN KEY orders_customer_fk (customer_id) REFERENCES customers (id))?;
    constrain!(m, lines FOREIGN KEY lines_order_fk (order_id, region) REFERENCES orders (id, region))?;
    Ok(())
}

fn main() {}
