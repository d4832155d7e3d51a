use migrate_core::prelude::*;

#[migration(id = 1, reversible, transaction = false)]
fn backfill_status(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.status VARCHAR(20))?;
    backfill!(m, orders.status = "processed", batch_size = 500)?;
    Ok(())
}

fn main() {}
