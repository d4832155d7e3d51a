use migrate_core::prelude::*;

/// Fix negative ages, saying how many there were.
#[migration(id = 1, irreversible)]
fn fix_ages(m: &mut Migration) -> Result<()> {
    if m.dialect() == Dialect::Sqlite {
        m.note("SQLite stores ages as they are");
    }
    let changed = m.execute("UPDATE users SET age = 0 WHERE age < 0")?;
    m.note(format!("fixed {changed} negative ages"));
    if changed > 1_000_000 {
        return Err(Error::msg("too many negative ages: check the import first"));
    }
    Ok(())
}

fn main() {}
