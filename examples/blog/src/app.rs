//! What both versions of the application do once migrated: add a post and list them, through
//! the typed `schema.rs`. An application holds a concrete Diesel connection; this one picks the
//! type from `DATABASE_URL`, so the example runs on every database.

use crate::schema::{authors, posts};
use diesel::prelude::*;
use migrate_core::{DatabaseUrl, Dialect};

/// A boxed error, for the binaries' `main`.
pub type AppResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// `DATABASE_URL` (default: the SQLite file `blog.db`), its dialect, and what Diesel's
/// `establish` takes for it (a SQLite URL's file, other URLs as they are).
pub fn database() -> AppResult<(Dialect, String)> {
    let raw = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://blog.db".to_owned());
    let url: DatabaseUrl = raw.parse()?;
    let target = match url.sqlite_path() {
        Some(path) => path.to_owned(),
        None => raw,
    };
    Ok((url.dialect(), target))
}

/// Defines `$name(conn, title_length)`: adds an author and a post (with its title length once
/// the Rust migration added that column), then lists every post's title and author.
macro_rules! add_and_list_for {
    ($(#[$doc:meta])* $name:ident, $conn:ty) => {
        $(#[$doc])*
        pub fn $name(conn: &mut $conn, title_length: bool) -> QueryResult<Vec<(String, String)>> {
            let count: i64 = authors::table.count().get_result(conn)?;
            let next = i32::try_from(count + 1).unwrap_or(i32::MAX);
            let title = format!("post {next}");
            diesel::insert_into(authors::table)
                .values((authors::id.eq(next), authors::name.eq(format!("author {next}"))))
                .execute(conn)?;
            let post = (
                posts::id.eq(next),
                posts::author_id.eq(next),
                posts::title.eq(&title),
                posts::body.eq("..."),
            );
            if title_length {
                let length = i32::try_from(title.len()).unwrap_or(i32::MAX);
                diesel::insert_into(posts::table)
                    .values((post, posts::title_length.eq(length)))
                    .execute(conn)?;
            } else {
                diesel::insert_into(posts::table).values(post).execute(conn)?;
            }
            posts::table
                .inner_join(authors::table)
                .select((posts::title, authors::name))
                .order(posts::id)
                .load(conn)
        }
    };
}

add_and_list_for!(
    /// On PostgreSQL.
    add_and_list_pg,
    diesel::PgConnection
);
add_and_list_for!(
    /// On MySQL/MariaDB.
    add_and_list_mysql,
    diesel::MysqlConnection
);
add_and_list_for!(
    /// On SQLite.
    add_and_list_sqlite,
    diesel::SqliteConnection
);
