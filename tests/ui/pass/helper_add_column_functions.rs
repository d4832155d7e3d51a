use migrate_core::prelude::*;

#[migration(id = 1, reversible)]
fn add_derived_columns(m: &mut Migration) -> Result<()> {
    add_column!(m, users.email_lower VARCHAR(200) = lower(trim(email)))?;
    add_column!(m, users.display_name VARCHAR(200) NOT NULL = coalesce(nickname, concat(first_name, " ", last_name)))?;
    add_column!(m, users.initial VARCHAR(1) = substring(first_name, 1, 1))?;
    add_column!(m, users.domain VARCHAR(100) = split_part(email, "@", 2))?;
    add_column!(m, users.name_length INTEGER = length(first_name))?;
    add_column!(m, users.signup_month INTEGER = month(created_at))?;
    add_column!(m, users.has_nickname BOOLEAN NOT NULL = is_not_null(nickname))?;
    Ok(())
}

fn main() {}
