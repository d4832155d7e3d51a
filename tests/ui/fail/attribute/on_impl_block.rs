use migrate_core::prelude::*;

struct Orders;

#[migration(id = 1, irreversible)]
impl Orders {
    fn add_status(m: &mut Migration) -> Result<()> {
        m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)")?;
        Ok(())
    }
}

fn main() {}
