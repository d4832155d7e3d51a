use migrate_core::prelude::*;

#[migration(id = 1, reversible, transaction = false)]
fn backfill_status(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.status VARCHAR(20))?;
    backfill!(m, orders.status = "processed", pause_ms = 5, pause_ms = 10)?;
    Ok(())
}

fn main() {}
