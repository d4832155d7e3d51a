use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_status(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.status VARCHAR(20) NOT NULL)?;
    Ok(())
}

fn main() {}
