use migrate_core::prelude::*;

#[migration(id = 1, reversible, transaction = false)]
fn recompute_score(m: &mut Migration) -> Result<()> {
    transform_rows!(m, users, |posts_count: i32| -> score: f64 { f64::from(posts_count) * 10.0 })?;
    Ok(())
}

fn main() {}
