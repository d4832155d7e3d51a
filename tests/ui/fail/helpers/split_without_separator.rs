use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn split_full_name(m: &mut Migration) -> Result<()> {
    split_column!(m, users.full_name VARCHAR(100) NOT NULL
        => first_name VARCHAR(50) NOT NULL, last_name VARCHAR(100))?;
    Ok(())
}

fn main() {}
