use migrate_core::prelude::*;

#[migration(id = 1, irreversible)]
fn check_status(m: &mut Migration) -> Result<()> {
    verify!(m, is_not_null(status), "every order has a status")?;
    Ok(())
}

fn main() {}
