use migrate_core::prelude::*;

// Every problem of the attribute and of the signature is reported in one build.
#[migration(id = 0, revert = drop_status)]
async fn add_status(m: &Migration) -> Result<()> {
    let _ = m;
    Ok(())
}

fn main() {}
