use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn index_status(m: &mut Migration) -> Result<()> {
    if m.dialect() == Dialect::Postgres {
        m.execute("CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status)")?;
    }
    Ok(())
}

fn main() {}
