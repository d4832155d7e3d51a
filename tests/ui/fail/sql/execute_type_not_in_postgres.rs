use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn create_events(m: &mut Migration) -> Result<()> {
    m.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, happened_at DATETIME NOT NULL)")?;
    Ok(())
}

fn main() {}
