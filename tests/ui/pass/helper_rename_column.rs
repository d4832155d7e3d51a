use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn rename_total(m: &mut Migration) -> Result<()> {
    rename_column!(m, orders.total_cents => amount_cents)?;
    Ok(())
}

fn main() {}
