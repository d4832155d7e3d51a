use migrate_core::prelude::*;

#[migration(id = 1, reversible, transaction = false)]
fn backfill_status(m: &mut Migration) -> Result<()> {
    backfill!(m, orders.status = "processed", filter = is_null(status))?;
    Ok(())
}

fn main() {}
