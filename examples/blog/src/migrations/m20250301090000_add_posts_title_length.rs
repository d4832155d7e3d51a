use migrate_core::prelude::*;

/// Store each post's title length, computed by each database's own SQL; reverting drops it.
#[migration(id = 20250301090000, reversible)]
fn add_posts_title_length(m: &mut Migration) -> Result<()> {
    add_column!(m, posts.title_length INTEGER NOT NULL = length(title))?;
    Ok(())
}
