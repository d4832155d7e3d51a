use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn analyze(m: &mut Migration) -> Result<()> {
    let table = "orders";
    m.execute(unchecked!(format!("ANALYZE {table}")))?;
    Ok(())
}

fn main() {}
