use migrate_core::prelude::*;

#[migration(id = 1, irreversible, transaction = false)]
fn backfill_existing(m: &mut Migration) -> Result<()> {
    backfill!(m, orders.status = "processed", filter = is_null(status))?;
    verify!(m, orders, is_not_null(status), "every order has a status")?;
    Ok(())
}

fn main() {}
