use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
enum Migrations {
    AddStatus,
}

fn main() {}
