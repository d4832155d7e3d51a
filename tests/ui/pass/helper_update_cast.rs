use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn label_totals(m: &mut Migration) -> Result<()> {
    update!(
        m,
        orders.total_label = concat(total_cents as String, " cents")
    )?;
    update!(
        m,
        orders.total_whole = total_euros as i64,
        filter = is_not_null(total_euros)
    )?;
    Ok(())
}

fn main() {}
