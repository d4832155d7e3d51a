use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn reshape_names(m: &mut Migration) -> Result<()> {
    split_column!(m, users.full_name VARCHAR(100) NOT NULL => first_name VARCHAR(50) NOT NULL, last_name VARCHAR(100), separator = " ")?;
    merge_columns!(m, users.(first_name VARCHAR(50) NOT NULL, last_name VARCHAR(100)) => display_name VARCHAR(100) NOT NULL, separator = ", ")?;
    Ok(())
}

fn main() {}
