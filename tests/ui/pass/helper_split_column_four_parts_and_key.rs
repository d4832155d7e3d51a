use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn split_path(m: &mut Migration) -> Result<()> {
    split_column!(m, files.path TEXT => a TEXT, b TEXT, c TEXT, rest TEXT, separator = "/", key = file_id)?;
    Ok(())
}

fn main() {}
