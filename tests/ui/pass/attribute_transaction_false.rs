use migrate_core::prelude::*;

/// An index built outside a transaction.
#[migration(id = 1, irreversible, transaction = false)]
fn index_status(m: &mut Migration) -> Result<()> {
    m.execute("CREATE INDEX orders_status_idx ON orders (status)")?;
    Ok(())
}

fn main() {}
