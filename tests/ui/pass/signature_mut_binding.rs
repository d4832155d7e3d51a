use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn add_status(mut m: &mut Migration) -> Result<()> {
    m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
    let again: &mut Migration = &mut m;
    again.note("done");
    Ok(())
}

fn main() {}
