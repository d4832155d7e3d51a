use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn show_users(m: &mut Migration) -> Result<()> {
    spot_check!(m, users(id, first_name, last_name))?;
    spot_check!(
        m,
        users(first_name),
        limit = 3,
        filter = age >= 18,
        key = user_id
    )?;
    Ok(())
}

fn main() {}
