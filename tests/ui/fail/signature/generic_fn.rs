use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn add_column<T: Into<String>>(m: &mut Migration, column: T) -> Result<()> {
    m.execute(format!("ALTER TABLE orders ADD COLUMN {} VARCHAR(20)", column.into()))?;
    Ok(())
}

fn main() {}
