use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_nickname(m: &mut Migration) -> Result<()> {
    add_column!(m, users.nickname VARCHR(40))?;
    Ok(())
}

fn main() {}
