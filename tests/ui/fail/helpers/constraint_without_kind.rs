use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn require_positive_total(m: &mut Migration) -> Result<()> {
    constrain!(m, orders (total_cents >= 0))?;
    Ok(())
}

fn main() {}
