use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn add_status(m: &Migration) -> Result<()> {
    let _ = m;
    Ok(())
}

fn main() {}
