use migrate_core::prelude::*;

/// Ids may be dates, written with underscores.
#[migration(id = 2024_06_01, irreversible)]
fn add_status(m: &mut Migration) -> Result<()> {
    m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
    Ok(())
}

fn main() {}
