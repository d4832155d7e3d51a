use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_initials(m: &mut Migration) -> Result<()> {
    add_column!(m, users.initials VARCHAR(2) = initials(full_name))?;
    Ok(())
}

fn main() {}
