use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn require_status(m: &mut Migration) -> Result<()> {
    m.execute(sql! {
        postgres: "ALTER TABLE orders ALTER COLUMN status SET NOT NULL",
        mysql: "ALTER TABLE orders ALTER COLUMN status SET NOT NULL",
        sqlite: "UPDATE orders SET status = 'new' WHERE status IS NULL",
    })?;
    Ok(())
}

fn main() {}
