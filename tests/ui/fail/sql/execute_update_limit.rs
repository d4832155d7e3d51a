use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn mark_some(m: &mut Migration) -> Result<()> {
    m.execute("UPDATE orders SET status = 'old' WHERE status IS NULL LIMIT 1000")?;
    Ok(())
}

fn main() {}
