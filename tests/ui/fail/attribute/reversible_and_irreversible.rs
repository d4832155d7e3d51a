use migrate_core::prelude::*;

#[migration(id = 1, reversible, irreversible)]
fn add_status(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.status VARCHAR(20))?;
    Ok(())
}

fn main() {}
