use migrate_core::prelude::*;

/// TODO: say what this migration does (the first paragraph is its description).
#[migration(id = 1, down = revert_add_status)]
fn add_status(m: &mut Migration) -> Result<()> {
    // m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
    let _ = m;
    Ok(())
}

fn revert_add_status(m: &mut Migration) -> Result<()> {
    // m.execute("ALTER TABLE orders DROP COLUMN status")?;
    let _ = m;
    Ok(())
}

fn main() {}
