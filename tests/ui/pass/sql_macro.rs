use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn create_users(m: &mut Migration) -> Result<()> {
    m.execute(sql! {
        postgres: "CREATE TABLE users (id SERIAL PRIMARY KEY, name VARCHAR(100) NOT NULL)",
        mysql: "CREATE TABLE users (id INTEGER AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL) ENGINE=InnoDB",
        sqlite: "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL)",
    })?;
    Ok(())
}

fn main() {}
