use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn add_status(m: &mut Migration) {
    let _ = m.execute("ALTER TABLE orders ADD COLUMN status VARCHAR(20)");
}

fn main() {}
