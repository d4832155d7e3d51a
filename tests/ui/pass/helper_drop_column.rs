use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn drop_legacy_flag(m: &mut Migration) -> Result<()> {
    drop_column!(m, users.legacy_flag)?;
    Ok(())
}

fn main() {}
