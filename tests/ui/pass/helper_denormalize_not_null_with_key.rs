use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn cache_region(m: &mut Migration) -> Result<()> {
    denormalize!(m, lines.region VARCHAR(20) NOT NULL = orders.region on orders.id = lines.order_id, key = line_id)?;
    Ok(())
}

fn main() {}
