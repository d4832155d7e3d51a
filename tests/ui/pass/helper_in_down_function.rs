use migrate_core::prelude::*;

#[migration(id = 1, down = drop_status)]
fn add_status(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.status VARCHAR(20))?;
    update!(m, orders.status = "new")?;
    Ok(())
}

fn drop_status(m: &mut Migration) -> Result<()> {
    drop_column!(m, orders.status)?;
    Ok(())
}

fn main() {}
