use migrate_core::prelude::*;

#[migration(id = NEXT_ID, irreversible)]
fn add_status(m: &mut Migration) -> Result<()> {
    m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
    Ok(())
}

const NEXT_ID: u64 = 5;

fn main() {}
