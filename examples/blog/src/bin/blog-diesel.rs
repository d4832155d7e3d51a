//! The blog as it was before the switch: Diesel's `embed_migrations!` and
//! `run_pending_migrations` at startup. Kept so the switch can be shown and tested: run it on
//! a database, then `blog` on the same database.

use blog::app::{self, AppResult};
use diesel::Connection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use migrate_core::Dialect;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

fn main() -> AppResult<()> {
    let (dialect, target) = app::database()?;
    let (applied, posts) = match dialect {
        Dialect::Postgres => {
            let mut conn = diesel::PgConnection::establish(&target)?;
            let applied = conn.run_pending_migrations(MIGRATIONS)?.len();
            (applied, app::add_and_list_pg(&mut conn, false)?)
        }
        Dialect::Mysql => {
            let mut conn = diesel::MysqlConnection::establish(&target)?;
            let applied = conn.run_pending_migrations(MIGRATIONS)?.len();
            (applied, app::add_and_list_mysql(&mut conn, false)?)
        }
        Dialect::Sqlite => {
            let mut conn = diesel::SqliteConnection::establish(&target)?;
            let applied = conn.run_pending_migrations(MIGRATIONS)?.len();
            (applied, app::add_and_list_sqlite(&mut conn, false)?)
        }
    };
    println!("diesel applied {applied} migration(s)");
    println!("{} posts", posts.len());
    Ok(())
}
