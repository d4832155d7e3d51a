use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn merge_names(m: &mut Migration) -> Result<()> {
    merge_columns!(m, users.(first_name, middle_name, last_name) => full_name TEXT, separator = " ", key = user_id)?;
    Ok(())
}

fn main() {}
