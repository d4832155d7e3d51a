use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn cache_customer(m: &mut Migration) -> Result<()> {
    denormalize!(m, orders.customer_name VARCHAR(100) = customers.name on customers.id = orders.customer_id)?;
    update!(
        m,
        orders.customer_name = "unknown",
        filter = is_null(customer_name)
    )?;
    constrain!(m, orders.customer_name NOT NULL)?;
    Ok(())
}

fn main() {}
