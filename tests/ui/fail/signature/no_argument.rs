use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn add_status() -> Result<()> {
    Ok(())
}

fn main() {}
