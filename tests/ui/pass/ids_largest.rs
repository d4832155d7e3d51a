use migrate_core::prelude::*;

/// The largest id the history table holds (i64::MAX).
#[migration(id = 9223372036854775807, irreversible)]
fn add_status(m: &mut Migration) -> Result<()> {
    m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
    Ok(())
}

fn main() {}
