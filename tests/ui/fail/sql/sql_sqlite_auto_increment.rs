use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn create_tags(m: &mut Migration) -> Result<()> {
    m.execute(sql! {
        postgres: "CREATE TABLE tags (id SERIAL PRIMARY KEY, name TEXT)",
        mysql: "CREATE TABLE tags (id INTEGER PRIMARY KEY AUTO_INCREMENT, name TEXT)",
        sqlite: "CREATE TABLE tags (id INTEGER PRIMARY KEY AUTO_INCREMENT, name TEXT)",
    })?;
    Ok(())
}

fn main() {}
