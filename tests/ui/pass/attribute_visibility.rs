use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
pub fn add_status(m: &mut Migration) -> Result<()> {
    m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
    Ok(())
}

#[migration(id = 2, irreversible)]
pub(crate) fn add_total(m: &mut Migration) -> Result<()> {
    m.execute("ALTER TABLE orders ADD COLUMN total BIGINT")?;
    Ok(())
}

fn main() {}
