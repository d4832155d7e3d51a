use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn drop_legacy_flag(m: &mut Migration) -> Result<()> {
    drop_column!(m, users.legacy_flag)?;
    Ok(())
}

fn main() {}
