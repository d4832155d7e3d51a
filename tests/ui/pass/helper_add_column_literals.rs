use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_defaults(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.priority INTEGER NOT NULL = 0)?;
    add_column!(m, orders.discount DOUBLE NOT NULL = -0.5)?;
    add_column!(m, orders.flagged BOOLEAN NOT NULL = false)?;
    add_column!(m, orders.note TEXT = None)?;
    add_column!(m, orders.channel VARCHAR(10) NOT NULL = "web")?;
    Ok(())
}

fn main() {}
