use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_status(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.status VARCHAR(20))?;
    m.execute("CREATE INDEX orders_status_idx ON orders (status)")?;
    Ok(())
}

fn main() {}
