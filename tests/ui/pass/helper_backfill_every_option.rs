use migrate_core::prelude::*;

#[migration(id = 1, irreversible, transaction = false)]
fn backfill_status(m: &mut Migration) -> Result<()> {
    backfill!(
        m,
        orders.status = "processed",
        filter = is_null(status),
        key = order_id,
        batch_rows = 500,
        pause_ms = 10
    )?;
    backfill!(
        m,
        orders.priority = 0,
        filter = is_null(priority),
        target_ms = 200
    )?;
    Ok(())
}

fn main() {}
