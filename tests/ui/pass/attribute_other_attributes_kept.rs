use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
#[allow(clippy::needless_return)]
#[inline(never)]
fn add_status(m: &mut Migration) -> Result<()> {
    m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
    return Ok(());
}

fn main() {}
