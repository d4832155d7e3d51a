use migrate_core::prelude::*;

/// Statements that only one database has, each under that database's condition: a PostgreSQL
/// `DO` block, a MySQL trigger whose body is one statement, a MySQL `FULLTEXT` index, an SQLite
/// fts5 table with options, `unchecked!` for what no parser here follows; and a helper function.
#[migration(id = 1, irreversible)]
fn database_specific(m: &mut Migration) -> Result<()> {
    if m.dialect() == Dialect::Postgres {
        m.execute(
            r#"DO $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN
                    CREATE TYPE mood AS ENUM ('ok', 'sad');
                END IF;
            END
            $$"#,
        )?;
        m.execute("CREATE INDEX posts_body_idx ON posts USING gin (to_tsvector('english', body))")?;
        m.execute(unchecked!("ALTER ROLE CURRENT_USER SET search_path = public, pg_catalog"))?;
        // Under the condition, `sql!` needs only the arm of the database it runs on.
        m.execute(sql! { postgres: "CREATE INDEX orders_status_lower_idx ON orders (lower(status))" })?;
    }
    match m.dialect() {
        Dialect::Mysql => {
            m.execute("CREATE TRIGGER users_email_lower BEFORE INSERT ON users FOR EACH ROW SET NEW.email = LOWER(NEW.email)")?;
            m.execute("CREATE FULLTEXT INDEX posts_body_ft ON posts (body)")?;
            m.execute("ALTER TABLE orders MODIFY COLUMN status VARCHAR(40)")?;
            m.execute("UPDATE orders, users SET orders.status = 'new' WHERE orders.id = users.id")?;
        }
        Dialect::Sqlite => {
            m.execute("CREATE VIRTUAL TABLE posts_fts USING fts5(title, body, content='posts', content_rowid='id')")?;
        }
        Dialect::Postgres => {}
    }
    if let Dialect::Sqlite = m.dialect() {
        m.execute("PRAGMA foreign_keys = ON")?;
    }
    index_status(m)?;
    Ok(())
}

fn index_status(m: &mut Migration) -> Result<()> {
    m.execute("CREATE INDEX orders_status_idx ON orders (status)")?;
    Ok(())
}

/// `CONCURRENTLY` in a migration that runs outside a transaction, in both directions.
#[migration(id = 2, transaction = false, down = drop_created_index)]
fn index_created_at(m: &mut Migration) -> Result<()> {
    if m.dialect() == Dialect::Postgres {
        m.execute("CREATE INDEX CONCURRENTLY orders_created_idx ON orders (created_at)")?;
    } else {
        m.execute("CREATE INDEX orders_created_idx ON orders (created_at)")?;
    }
    Ok(())
}

fn drop_created_index(m: &mut Migration) -> Result<()> {
    match m.dialect() {
        Dialect::Postgres => m.execute("DROP INDEX CONCURRENTLY orders_created_idx")?,
        Dialect::Mysql => m.execute("DROP INDEX orders_created_idx ON orders")?,
        Dialect::Sqlite => m.execute("DROP INDEX orders_created_idx")?,
    };
    Ok(())
}

fn main() {}
