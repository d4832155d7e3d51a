use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_nickname(m: &mut Migration) -> Result<()> {
    add_column!(m, users.nickname VARCHAR(50))?;
    Ok(())
}

fn main() {}
