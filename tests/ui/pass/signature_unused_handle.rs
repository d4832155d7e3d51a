use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn nothing_yet(_: &mut Migration) -> Result<()> {
    Ok(())
}

fn main() {}
