use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_status(m: &mut migrate_core::Migration) -> migrate_core::Result<()> {
    migrate_core::add_column!(m, orders.status VARCHAR(20))?;
    migrate_core::count_rows!(m, orders)?;
    Ok(())
}

fn main() {}
