use migrate_core::prelude::*;

// A set names the module holding the migrations; `migrate` runs the set's registry.
migrate_core::migration_set! {
    /// The migrations of this crate.
    pub static MIGRATIONS;
}

mod m0001_create_orders {
    use migrate_core::prelude::*;

    /// Create the orders table.
    #[migration(id = 1, down = drop_orders)]
    fn create_orders(m: &mut Migration) -> Result<()> {
        m.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total_cents BIGINT NOT NULL)")?;
        Ok(())
    }

    fn drop_orders(m: &mut Migration) -> Result<()> {
        m.execute("DROP TABLE orders")?;
        Ok(())
    }
}

mod m0002_add_status {
    use migrate_core::prelude::*;

    /// Add a status to orders.
    #[migration(id = 2, reversible)]
    fn add_status(m: &mut Migration) -> Result<()> {
        add_column!(m, orders.status VARCHAR(20) NOT NULL = "new")?;
        Ok(())
    }
}

#[allow(dead_code)]
fn registry() -> Result<migrate_core::Registry> {
    let set: &MigrationSet = &MIGRATIONS;
    set.registry()
}

fn main() {}
