use migrate_core::prelude::*;

#[migration(id = 1, reversible, transaction = false)]
fn fill_display_name(m: &mut Migration) -> Result<()> {
    add_column!(m, users.display_name VARCHAR(200))?;
    backfill!(
        m,
        users.display_name = concat(first_name, " ", last_name),
        batch_rows = 2000
    )?;
    constrain!(m, users.display_name NOT NULL)?;
    Ok(())
}

fn main() {}
