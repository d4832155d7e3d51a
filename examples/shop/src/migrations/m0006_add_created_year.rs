use migrate_core::prelude::*;

/// Add `users.created_year`, computed from `created_at`.
///
/// The article's example 006: add, populate, constrain in one helper.
///
/// Online (`transaction = false`): the column is filled in keyset batches, and NOT NULL is
/// proven without a scan under an exclusive lock.
#[migration(id = 6, reversible, transaction = false)]
fn add_created_year(m: &mut Migration) -> Result<()> {
    add_column!(m, users.created_year INTEGER NOT NULL = year(created_at))?;
    Ok(())
}
