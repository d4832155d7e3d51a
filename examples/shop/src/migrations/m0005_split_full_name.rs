use migrate_core::prelude::*;

/// Split `users.full_name` into `first_name` and `last_name`.
///
/// The article's example 005. Unlike its `SUBSTRING_INDEX` recipe, the split is lossless: the
/// last name keeps everything after the first space ("Mary Ann Smith" gives "Mary" and
/// "Ann Smith"), a single name leaves `last_name` NULL, and the derived down migration merges
/// them back byte for byte.
///
/// Runs online (`transaction = false`), as a live `users` table needs: the new columns are added
/// and constrained with locks held for an instant, and the names are split in keyset batches of
/// short transactions. Not atomic: each step is journaled, and a stopped run resumes.
#[migration(id = 5, reversible, transaction = false)]
fn split_full_name(m: &mut Migration) -> Result<()> {
    split_column!(m, users.full_name VARCHAR(100) NOT NULL
        => first_name VARCHAR(50) NOT NULL, last_name VARCHAR(100),
        separator = " ")?;
    spot_check!(m, users(id, first_name, last_name), limit = 3)?;
    Ok(())
}
