use migrate_core::prelude::*;

#[migration(id = 1, down = drop_status)]
fn add_status(m: &mut Migration) -> Result<()> {
    m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
    Ok(())
}

async fn drop_status(m: &mut Migration) -> Result<()> {
    m.execute("ALTER TABLE orders DROP COLUMN status")?;
    Ok(())
}

fn main() {}
