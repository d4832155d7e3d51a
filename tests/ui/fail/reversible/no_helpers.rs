use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn nothing_to_do(m: &mut Migration) -> Result<()> {
    let _ = m;
    Ok(())
}

fn main() {}
