use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn stamp_orders(m: &mut Migration) -> Result<()> {
    m.execute("UPDATE orders SET updated_at = NOW() WHERE updated_at IS NULL")?;
    Ok(())
}

fn main() {}
