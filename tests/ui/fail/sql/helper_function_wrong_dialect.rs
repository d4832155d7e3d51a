use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn create_indexes(m: &mut Migration) -> Result<()> {
    index_orders(m)?;
    Ok(())
}

/// Called by the migration above with its handle, so its SQL is checked too.
fn index_orders(m: &mut Migration) -> Result<()> {
    m.execute("CREATE INDEX orders_status_idx ON orders (status)")?;
    m.execute("DROP INDEX orders_old_idx ON orders")?;
    Ok(())
}

fn main() {}
