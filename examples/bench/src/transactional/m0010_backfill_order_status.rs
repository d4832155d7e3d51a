use migrate_core::prelude::*;

/// Backfill `orders.status` in batches.
///
/// The article's example 010. Batches walk the table by primary key, each in its own short
/// transaction, and resume after the last committed batch if the run is interrupted. The
/// article's `WHERE status IS NULL LIMIT 1000` loop rescans finished rows on every batch.
#[migration(id = 10, reversible, transaction = false)]
fn backfill_order_status(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.status VARCHAR(20))?;
    backfill!(m, orders.status = "processed", filter = is_null(status))?;
    verify!(m, orders, is_not_null(status), "every order has a status")?;
    Ok(())
}
