use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_flags(m: &mut Migration) -> Result<()> {
    for _ in 0..2 {
        add_column!(m, users.flag BOOLEAN)?;
    }
    Ok(())
}

fn main() {}
