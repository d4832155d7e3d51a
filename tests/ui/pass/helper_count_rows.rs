use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn check_orders(m: &mut Migration) -> Result<()> {
    count_rows!(m, orders)?;
    let remaining = count_rows!(m, orders, filter = is_null(status))?;
    if remaining > 0 {
        return Err(Error::msg(format!(
            "{remaining} orders still have no status"
        )));
    }
    Ok(())
}

fn main() {}
