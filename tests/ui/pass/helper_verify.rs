use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn check_orders(m: &mut Migration) -> Result<()> {
    verify!(m, orders, is_not_null(status), "every order has a status")?;
    verify!(
        m,
        orders,
        total_cents >= 0,
        "no order has a negative total",
        key = order_id
    )?;
    Ok(())
}

fn main() {}
