use migrate_core::prelude::*;

#[migration(id = 1, down = reset_score, transaction = false)]
fn recompute_score(m: &mut Migration) -> Result<()> {
    transform_rows!(m, users, |posts_count: i32| -> score: f64 { f64::from(posts_count) * 10.0 })?;
    Ok(())
}

fn reset_score(m: &mut Migration) -> Result<()> {
    update!(m, users.score = 0.0)?;
    Ok(())
}

fn main() {}
