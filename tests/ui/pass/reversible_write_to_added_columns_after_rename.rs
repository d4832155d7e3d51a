use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn rename_then_fill(m: &mut Migration) -> Result<()> {
    rename_column!(m, orders.state => status)?;
    add_column!(m, orders.status_label VARCHAR(20))?;
    update!(m, orders.status_label = upper(status))?;
    Ok(())
}

fn main() {}
