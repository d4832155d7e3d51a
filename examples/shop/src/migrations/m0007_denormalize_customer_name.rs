use migrate_core::prelude::*;

/// Cache the customer's name on each order.
///
/// The article's example 007. Orders whose customer is missing are reported (with their ids)
/// before anything changes, instead of failing on the NOT NULL constraint.
///
/// Online (`transaction = false`): the names are copied in keyset batches of `orders`.
#[migration(id = 7, reversible, transaction = false)]
fn denormalize_customer_name(m: &mut Migration) -> Result<()> {
    denormalize!(m, orders.customer_name VARCHAR(100) NOT NULL
        = customers.name on customers.id = orders.customer_id)?;
    Ok(())
}
