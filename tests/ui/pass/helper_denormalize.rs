use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn denormalize_customer_name(m: &mut Migration) -> Result<()> {
    denormalize!(m, orders.customer_name VARCHAR(100) NOT NULL
        = customers.name on customers.id = orders.customer_id)?;
    Ok(())
}

fn main() {}
