use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn denormalize_customer_name(m: &mut Migration) -> Result<()> {
    denormalize!(m, orders.customer_name VARCHAR(100)
        = customers.name on orders.customer_id = customers.id, key = order_id)?;
    Ok(())
}

fn main() {}
