use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_email_hash(m: &mut Migration) -> Result<()> {
    add_column!(m, users.email_hash VARCHAR(32) = md5(email))?;
    Ok(())
}

fn main() {}
