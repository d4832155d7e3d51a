use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn add_status(m: &mut Migration) -> usize {
    m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)").unwrap_or(0)
}

fn main() {}
