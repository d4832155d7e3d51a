use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
#[migration(id = 2, irreversible)]
fn add_status(m: &mut Migration) -> Result<()> {
    m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
    Ok(())
}

fn main() {}
