use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn normalize_names(m: &mut Migration) -> Result<()> {
    update!(m, customers.name = trim(name))?;
    Ok(())
}

fn main() {}
