use migrate_core::prelude::*;

#[migration(id = 7, irreversible)]
fn add_status(m: &mut Migration) -> Result<()> {
    m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
    Ok(())
}

#[migration(id = 7, irreversible)]
fn add_total(m: &mut Migration) -> Result<()> {
    m.execute("ALTER TABLE orders ADD COLUMN total BIGINT")?;
    Ok(())
}

fn main() {}
