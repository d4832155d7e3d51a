use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn create_index(m: &mut Migration) -> Result<()> {
    m.execute(
        "-- speeds up the customer's order list
        CREATE INDEX orders_customer_id_idx ON orders (customer_id) /* btree */",
    )?;
    Ok(())
}

fn main() {}
