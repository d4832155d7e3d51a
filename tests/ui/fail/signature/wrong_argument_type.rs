use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn add_status(conn: &mut AnyConnection) -> Result<()> {
    let _ = conn;
    Ok(())
}

fn main() {}
