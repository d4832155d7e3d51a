use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn require_status(m: &mut Migration) -> Result<()> {
    m.execute("ALTER TABLE orders ALTER COLUMN status SET NOT NULL")?;
    Ok(())
}

fn main() {}
