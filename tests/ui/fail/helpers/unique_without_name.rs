use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn unique_email(m: &mut Migration) -> Result<()> {
    constrain!(m, users UNIQUE (email))?;
    Ok(())
}

fn main() {}
