use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_flag(m: &mut Migration) -> Result<()> {
    add_column!(m, users.has_accepted_the_terms_of_service_and_the_privacy_policy_and_cookies BOOLEAN)?;
    Ok(())
}

fn main() {}
