use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_kind(m: &mut Migration) -> Result<()> {
    add_column!(m, r#match.r#type VARCHAR(20) NOT NULL = if r#ref == "x" { "cross" } else { "plain" })?;
    rename_column!(m, r#match.r#loop => r#while)?;
    Ok(())
}

fn main() {}
