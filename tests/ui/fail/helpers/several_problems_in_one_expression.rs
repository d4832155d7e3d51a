use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_label(m: &mut Migration) -> Result<()> {
    // Both unknown functions are reported, and nothing else.
    add_column!(m, users.label VARCHAR(100) = concat(initials(full_name), "-", shorten(email)))?;
    Ok(())
}

fn main() {}
