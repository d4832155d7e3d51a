use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn drop_tables(m: &mut Migration) -> Result<()> {
    // Strings built at run time are not checked at compile time.
    for table in ["a", "b"] {
        m.execute(format!("DROP TABLE {table}"))?;
    }
    let sql = String::from("DROP TABLE c");
    m.execute(&sql)?;
    Ok(())
}

fn main() {}
