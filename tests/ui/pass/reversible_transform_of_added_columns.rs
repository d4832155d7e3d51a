use migrate_core::prelude::*;

#[migration(id = 1, reversible, transaction = false)]
fn compute_levels(m: &mut Migration) -> Result<()> {
    add_column!(m, users.level INTEGER)?;
    add_column!(m, users.badge VARCHAR(20))?;
    transform_rows!(m, users, |posts_count: i32| -> (level: i32, badge: String) {
        (posts_count / 10, if posts_count > 100 { "gold".into() } else { "none".into() })
    })?;
    backfill!(m, users.badge = "none", filter = is_null(badge))?;
    Ok(())
}

fn main() {}
