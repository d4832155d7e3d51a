use migrate_core::prelude::*;

struct Orders;

impl Orders {
    #[migration(id = 1, irreversible)]
    fn add_status(&self) -> Result<()> {
        Ok(())
    }
}

fn main() {}
