use migrate_core::prelude::*;

#[migration(id = 1, reversible, transaction = false)]
fn compute_score(m: &mut Migration) -> Result<()> {
    add_column!(m, users.score DOUBLE)?;
    transform_rows!(m, users, |posts_count: i32, comments_count: i32| -> score: f64 {
        f64::from(posts_count) * 10.0 + f64::from(comments_count) * 5.0
    })?;
    Ok(())
}

fn main() {}
