use migrate_core::prelude::*;

/// Add a status to orders; dropping it reverts this.
#[migration(id = 1, reversible)]
fn add_status(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.status VARCHAR(20))?;
    Ok(())
}

fn main() {}
