use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
const ADD_STATUS: &str = "ALTER TABLE orders ADD COLUMN status VARCHAR(20)";

fn main() {}
