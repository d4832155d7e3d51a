use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
struct AddStatus;

fn main() {}
