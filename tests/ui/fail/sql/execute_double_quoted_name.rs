use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn create_notes(m: &mut Migration) -> Result<()> {
    m.execute(r#"CREATE TABLE "notes" (id INTEGER PRIMARY KEY, body TEXT)"#)?;
    Ok(())
}

fn main() {}
