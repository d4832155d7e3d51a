use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn add_columns(m: &mut Migration) -> Result<()> {
    m.execute("ALTER TABLE orders ADD COLUMN note TEXT, ADD COLUMN rank INTEGER")?;
    Ok(())
}

fn main() {}
