use migrate_core::prelude::*;

/// A body that is one helper call, its result returned as is.
#[migration(id = 1, reversible)]
fn add_status(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.status VARCHAR(20))
}

fn main() {}
