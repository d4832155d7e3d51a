use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn create_audit(m: &mut Migration) -> Result<()> {
    m.execute(
        r#"CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL,
            happened_at TIMESTAMP NOT NULL,
            what VARCHAR(200) NOT NULL,
            who VARCHAR(100),
            detail TEXT,
            severity INTEGER NOT NULL DEFAULT 0,
            source VARCHAR(40) NOT NULL,
            FOREIGN KEY (order_id) REFERENCES orders (id),
            CHECK (severity >= 0
        )"#,
    )?;
    Ok(())
}

fn main() {}
