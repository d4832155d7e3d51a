use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn add_status(m: &mut Migration, table: &str) -> Result<()> {
    m.execute(format!("ALTER TABLE {table} ADD COLUMN status VARCHAR(20)"))?;
    Ok(())
}

fn main() {}
