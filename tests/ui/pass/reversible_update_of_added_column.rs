use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_status(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.status VARCHAR(20))?;
    update!(m, orders.status = "new", filter = total_cents > 0)?;
    Ok(())
}

fn main() {}
