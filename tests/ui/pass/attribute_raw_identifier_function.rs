use migrate_core::prelude::*;

/// A migration whose function name is a keyword; its name is `type`.
#[migration(id = 1, reversible)]
fn r#type(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.kind VARCHAR(20))?;
    Ok(())
}

fn main() {}
