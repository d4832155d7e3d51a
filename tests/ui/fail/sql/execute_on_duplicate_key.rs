use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn seed_status(m: &mut Migration) -> Result<()> {
    m.execute("INSERT INTO statuses (id, name) VALUES (1, 'new') ON DUPLICATE KEY UPDATE name = 'new'")?;
    Ok(())
}

fn main() {}
