use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn require_status(m: &mut Migration) -> Result<()> {
    constrain!(m, orders.status NOT NULL)?;
    Ok(())
}

fn main() {}
