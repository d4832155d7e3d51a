use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn require_status(m: &mut Migration) -> Result<()> {
    constrain!(m, orders.status NOT NULL, key = order_id)?;
    Ok(())
}

fn main() {}
