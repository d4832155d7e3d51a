use migrate_core::prelude::*;

/// Create the users table.
#[migration(id = 1, down = drop_users)]
fn create_users(m: &mut Migration) -> Result<()> {
    m.execute(sql! {
        postgres: "CREATE TABLE users (
            id SERIAL PRIMARY KEY,
            full_name VARCHAR(100) NOT NULL,
            age INTEGER NOT NULL,
            created_at TIMESTAMP NOT NULL,
            posts_count INTEGER NOT NULL,
            comments_count INTEGER NOT NULL,
            followers_count INTEGER NOT NULL
        )",
        mysql: "CREATE TABLE users (
            id INTEGER AUTO_INCREMENT PRIMARY KEY,
            full_name VARCHAR(100) NOT NULL,
            age INTEGER NOT NULL,
            created_at DATETIME NOT NULL,
            posts_count INTEGER NOT NULL,
            comments_count INTEGER NOT NULL,
            followers_count INTEGER NOT NULL
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        sqlite: "CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            full_name VARCHAR(100) NOT NULL,
            age INTEGER NOT NULL,
            created_at TIMESTAMP NOT NULL,
            posts_count INTEGER NOT NULL,
            comments_count INTEGER NOT NULL,
            followers_count INTEGER NOT NULL
        )",
    })?;
    Ok(())
}

fn drop_users(m: &mut Migration) -> Result<()> {
    m.execute("DROP TABLE users")?;
    Ok(())
}
