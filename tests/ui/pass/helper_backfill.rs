use migrate_core::prelude::*;

#[migration(id = 1, reversible, transaction = false)]
fn backfill_status(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.status VARCHAR(20))?;
    backfill!(m, orders.status = "processed")?;
    Ok(())
}

fn main() {}
