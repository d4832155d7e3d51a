use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn create_and_fill(m: &mut Migration) -> Result<()> {
    m.execute("CREATE TABLE tags (id INTEGER PRIMARY KEY, name VARCHAR(50))")?;
    add_column!(m, tags.slug VARCHAR(50))?;
    update!(m, tags.slug = lower(replace(name, " ", "-")))?;
    Ok(())
}

fn main() {}
