use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn drop_middle_name(m: &mut Migration) -> Result<()> {
    drop_column!(m, middle_name)?;
    Ok(())
}

fn main() {}
