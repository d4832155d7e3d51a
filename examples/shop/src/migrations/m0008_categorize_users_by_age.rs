use migrate_core::prelude::*;

/// Put each user in an age group.
///
/// The article's example 008: the `if` chain becomes a CASE expression in each dialect.
///
/// Online (`transaction = false`): filled in keyset batches.
#[migration(id = 8, reversible, transaction = false)]
fn categorize_users_by_age(m: &mut Migration) -> Result<()> {
    add_column!(m, users.age_group VARCHAR(20) NOT NULL =
        if age < 18 { "minor" } else if age < 65 { "adult" } else { "senior" })?;
    count_rows!(m, users, filter = age_group == "senior")?;
    Ok(())
}
