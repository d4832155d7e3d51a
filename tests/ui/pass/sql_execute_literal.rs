use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn create_index(m: &mut Migration) -> Result<()> {
    m.execute("CREATE INDEX orders_customer_id_idx ON orders (customer_id)")?;
    Ok(())
}

fn main() {}
