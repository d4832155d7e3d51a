use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_created_year(m: &mut Migration) -> Result<()> {
    add_column!(m, users.created_year INTEGER NOT NULL = year(created_at))?;
    Ok(())
}

fn main() {}
