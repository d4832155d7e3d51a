use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_rate(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.tax_rate DECIMAL(2, 10))?;
    Ok(())
}

fn main() {}
