//! The blog after the switch: one call applies the migrations at startup, on the connection
//! the application uses (a pooled r2d2 connection works the same way).

use blog::app::{self, AppResult};
use blog::migrations::MIGRATIONS;
use diesel::Connection;
use migrate_core::{AppliedMigration, ApplyMigrations, Dialect};

fn main() -> AppResult<()> {
    // The runner reports each migration (and the adoption of Diesel's history) through tracing.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();
    let (dialect, target) = app::database()?;
    let (applied, posts) = match dialect {
        Dialect::Postgres => {
            let mut conn = diesel::PgConnection::establish(&target)?;
            (
                conn.apply_migrations(&MIGRATIONS)?,
                app::add_and_list_pg(&mut conn, true)?,
            )
        }
        Dialect::Mysql => {
            let mut conn = diesel::MysqlConnection::establish(&target)?;
            (
                conn.apply_migrations(&MIGRATIONS)?,
                app::add_and_list_mysql(&mut conn, true)?,
            )
        }
        Dialect::Sqlite => {
            let mut conn = diesel::SqliteConnection::establish(&target)?;
            (
                conn.apply_migrations(&MIGRATIONS)?,
                app::add_and_list_sqlite(&mut conn, true)?,
            )
        }
    };
    print_applied(&applied);
    println!("{} posts", posts.len());
    Ok(())
}

fn print_applied(applied: &[AppliedMigration]) {
    println!("applied {} migration(s) at startup", applied.len());
    for m in applied {
        println!("  {} {}", m.id, m.name);
    }
}
