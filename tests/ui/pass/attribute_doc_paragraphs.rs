use migrate_core::prelude::*;

/// Add a status to orders.
///
/// Only the first paragraph is the description `migrate status` shows; this one explains why
/// and is left out of the checksum, like the first.
#[migration(id = 1, irreversible)]
fn add_status(m: &mut Migration) -> Result<()> {
    m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
    Ok(())
}

fn main() {}
