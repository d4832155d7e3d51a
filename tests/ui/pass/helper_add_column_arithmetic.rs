use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_totals(m: &mut Migration) -> Result<()> {
    add_column!(m, orders.total_with_tax BIGINT = total_cents + (total_cents * 20) as i64 / 100)?;
    add_column!(m, orders.is_large BOOLEAN = total_cents >= 10000 && !(status == "cancelled"))?;
    add_column!(m, orders.total_euros DOUBLE = (total_cents as f64) / 100.0)?;
    Ok(())
}

fn main() {}
