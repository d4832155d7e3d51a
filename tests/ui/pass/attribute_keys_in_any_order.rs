use migrate_core::prelude::*;

#[migration(transaction = false, reversible, name = "status", id = 3)]
fn add_status(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.status VARCHAR(20))?;
    Ok(())
}

fn main() {}
