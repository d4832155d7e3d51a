use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn close_orders(m: &mut Migration) -> Result<()> {
    update!(m, orders.status = "closed", filter = status <> "open")?;
    Ok(())
}

fn main() {}
