use migrate_core::prelude::*;

#[migration(id = 1, reversible, transaction = false)]
fn compute_score(m: &mut Migration) -> Result<()> {
    add_column!(m, users.score BIGINT)?;
    transform_rows!(m, users, |posts_count: i32| { i64::from(posts_count) * 10 })?;
    Ok(())
}

fn main() {}
