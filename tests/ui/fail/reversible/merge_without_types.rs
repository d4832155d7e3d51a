use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn merge_names(m: &mut Migration) -> Result<()> {
    merge_columns!(m, users.(first_name, last_name) => full_name VARCHAR(100) NOT NULL, separator = " ")?;
    Ok(())
}

fn main() {}
