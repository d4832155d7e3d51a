use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn stamp_orders(m: &mut Migration) -> Result<()> {
    let now = sql! {
        postgres: "UPDATE orders SET created_at = NOW()",
        mysql: "UPDATE orders SET created_at = NOW()",
        sqlite: "UPDATE orders SET created_at = datetime('now')",
    };
    m.execute(&now)?;
    Ok(())
}

fn main() {}
