use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_age_group(m: &mut Migration) -> Result<()> {
    add_column!(m, users.age_group VARCHAR(20) NOT NULL =
        if age < 18 { "minor" } else if age < 65 { "adult" } else { "senior" })?;
    Ok(())
}

fn main() {}
