use migrate_core::prelude::*;

/// Compute each user's score in Rust.
///
/// The article's example 009. Rows are read in batches by key, the score is computed in Rust,
/// and each batch is written back with one statement (the article's loop issues one UPDATE per
/// row). Batches commit on their own, so the migration runs outside one transaction.
#[migration(id = 9, reversible, transaction = false)]
fn compute_user_score(m: &mut Migration) -> Result<()> {
    add_column!(m, users.score DOUBLE)?;
    transform_rows!(m, users, |posts_count: i32, comments_count: i32, followers_count: i32| -> score: f64 {
        f64::from(posts_count) * 10.0 + f64::from(comments_count) * 5.0 + f64::from(followers_count) * 20.0
    })?;
    constrain!(m, users.score NOT NULL)?;
    Ok(())
}
