use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn create_audit(m: &mut Migration) -> Result<()> {
    m.execute(
        "CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            happened_at TIMESTAMP NOT NULL,
            what VARCHAR(200) NOT NULL
        )",
    )?;
    m.execute(r"UPDATE audit SET what = 'it''s done' WHERE what = ''")?;
    Ok(())
}

fn main() {}
