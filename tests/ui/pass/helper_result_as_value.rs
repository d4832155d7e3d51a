use migrate_core::prelude::*;

/// Helpers return `Result`, which can be bound, mapped or returned.
#[migration(id = 1, down = drop_status)]
fn add_status(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.status VARCHAR(20))?;
    let counted = count_rows!(m, orders);
    counted.map(|_| ())
}

fn drop_status(m: &mut Migration) -> Result<()> {
    drop_column!(m, orders.status)
}

fn main() {}
