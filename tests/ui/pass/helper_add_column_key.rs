use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_code(m: &mut Migration) -> Result<()> {
    add_column!(m, items.code VARCHAR(20) NOT NULL = lower(name), key = item_id)?;
    Ok(())
}

fn main() {}
