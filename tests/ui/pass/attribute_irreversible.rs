use migrate_core::prelude::*;

/// Drop a table nobody reads.
#[migration(id = 1, irreversible)]
fn drop_legacy_table(m: &mut Migration) -> Result<()> {
    m.execute("DROP TABLE legacy_orders")?;
    Ok(())
}

fn main() {}
