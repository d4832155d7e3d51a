use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn set_status(m: &mut Migration) -> Result<()> {
    // One UPDATE each: these run inside the migration's transaction.
    update!(m, orders.status = "new", filter = is_null(status))?;
    constrain!(m, orders.status NOT NULL)?;
    count_rows!(m, orders)?;
    Ok(())
}

fn main() {}
