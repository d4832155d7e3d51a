use migrate_core::prelude::*;

#[migration(id = 1, reversible, transaction = false)]
fn split_in_rust(m: &mut Migration) -> Result<()> {
    add_column!(m, users.first_name TEXT)?;
    add_column!(m, users.last_name TEXT)?;
    transform_rows!(m, users, |full_name: String| -> (first_name: String, last_name: Option<String>) {
        match full_name.split_once(' ') {
            Some((first, last)) => (first.to_owned(), Some(last.to_owned())),
            None => (full_name, None),
        }
    })?;
    Ok(())
}

fn main() {}
