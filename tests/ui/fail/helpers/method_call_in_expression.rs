use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_upper_name(m: &mut Migration) -> Result<()> {
    add_column!(m, users.upper_name VARCHAR(100) = full_name.to_uppercase())?;
    Ok(())
}

fn main() {}
