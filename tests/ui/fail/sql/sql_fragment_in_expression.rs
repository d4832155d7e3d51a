use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_age_days(m: &mut Migration) -> Result<()> {
    add_column!(m, users.age_days INTEGER = sql! {
        postgres: "EXTRACT(DAY FROM now() - created_at)",
        mysql: "DATEDIFF(NOW(), created_at",
        sqlite: "julianday(\"now\") - julianday(created_at)",
    })?;
    Ok(())
}

fn main() {}
