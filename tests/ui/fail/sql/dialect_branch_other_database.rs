use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn widen_status(m: &mut Migration) -> Result<()> {
    // Checked for PostgreSQL only, which has no MODIFY COLUMN.
    if m.dialect() == Dialect::Postgres {
        m.execute("ALTER TABLE orders MODIFY COLUMN status VARCHAR(40)")?;
    }
    Ok(())
}

fn main() {}
