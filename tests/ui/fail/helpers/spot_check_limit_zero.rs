use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn show_users(m: &mut Migration) -> Result<()> {
    spot_check!(m, users(id, full_name), limit = 0)?;
    Ok(())
}

fn main() {}
