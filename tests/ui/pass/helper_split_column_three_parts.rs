use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn split_date(m: &mut Migration) -> Result<()> {
    split_column!(m, events.day VARCHAR(10) NOT NULL
        => year VARCHAR(4) NOT NULL, month VARCHAR(2), day_of_month VARCHAR(2), separator = "-")?;
    Ok(())
}

fn main() {}
