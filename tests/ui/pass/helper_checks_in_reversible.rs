use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_status_checked(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.status VARCHAR(20) NOT NULL = "new")?;
    count_rows!(m, orders, filter = status == "new")?;
    spot_check!(m, orders(id, status), limit = 2)?;
    verify!(m, orders, is_not_null(status), "every order has a status")?;
    Ok(())
}

fn main() {}
