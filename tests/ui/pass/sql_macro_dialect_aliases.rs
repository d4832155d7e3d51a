use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn drop_index(m: &mut Migration) -> Result<()> {
    m.execute(sql! {
        postgresql: "DROP INDEX orders_customer_id_idx",
        mariadb: "DROP INDEX orders_customer_id_idx ON orders",
        sqlite3: "DROP INDEX orders_customer_id_idx",
    })?;
    Ok(())
}

fn main() {}
