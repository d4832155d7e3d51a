use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_shipped_at(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.shipped_at TIMESTAMP WITH TIME)?;
    Ok(())
}

fn main() {}
