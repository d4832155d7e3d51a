use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_status(migration: &mut Migration) -> Result<()> {
    add_column!(migration, orders.status VARCHAR(20))?;
    Ok(())
}

fn main() {}
