use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn unique_emails(m: &mut Migration) -> Result<()> {
    constrain!(m, users UNIQUE users_email_key (email))?;
    constrain!(m, users UNIQUE users_name_key (first_name, last_name))?;
    Ok(())
}

fn main() {}
