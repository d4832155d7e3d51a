use migrate_core::prelude::*;

#[migration(id = 1, down = drop_status_index)]
fn index_status(m: &mut Migration) -> Result<()> {
    m.execute("CREATE INDEX orders_status_idx ON orders (status)")?;
    Ok(())
}

fn drop_status_index(m: &mut Migration) -> Result<()> {
    m.execute(sql! {
        postgres: "DROP INDEX orders_status_idx",
        mysql: "DROP INDEX orders_status_idx ON orders",
        sqlite: "DROP INDEX orders_status_idx",
    })?;
    m.execute("DROP INDX orders_status_idx")?;
    Ok(())
}

fn main() {}
