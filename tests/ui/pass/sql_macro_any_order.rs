use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn drop_index(m: &mut Migration) -> Result<()> {
    m.execute(sql! {
        sqlite: "DROP INDEX orders_customer_id_idx",
        mysql: "DROP INDEX orders_customer_id_idx ON orders",
        postgres: "DROP INDEX orders_customer_id_idx"
    })?;
    Ok(())
}

fn main() {}
