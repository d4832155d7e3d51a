//! What a migration read from a Diesel migrations directory runs: its `up.sql` or `down.sql`,
//! as one batch (see [`Migration::execute_batch`]). The `embed_diesel_migrations!` expansion
//! calls [`run`] from the functions it generates.

use crate::error::{Error, Result};
use crate::migration::Migration;
use migrate_sql::Dialect;

/// Runs `sql` (the text of `file`, `None` when it holds no statement) on `m`, which must be one
/// of the `databases` the directory is written for.
pub fn run(m: &mut Migration, databases: &[Dialect], file: &str, sql: Option<&str>) -> Result<()> {
    let dialect = m.dialect();
    if !databases.contains(&dialect) {
        let names: Vec<&str> = databases.iter().map(|d| d.display_name()).collect();
        return Err(Error::msg(format!(
            "`{file}` is written for {} only (the `databases` of `embed_diesel_migrations!`), not for {}",
            names.join(", "),
            dialect.display_name()
        )));
    }
    match sql {
        Some(sql) => m.execute_batch(sql),
        None => {
            m.note(format!("`{file}` holds no statement: nothing to run"));
            Ok(())
        }
    }
}
