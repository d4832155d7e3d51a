use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn add_status(m: &mut Migration) -> Result<()> {
    m.execute("")?;
    Ok(())
}

fn main() {}
