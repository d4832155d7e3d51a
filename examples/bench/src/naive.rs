//! The reference article's loops, as its migrations 009 and 010 write them.

use crate::database::{Result, load};
use diesel::QueryableByName;
use diesel::sql_types::Integer;
use migrate_core::AnyConnection;

#[derive(QueryableByName)]
struct User {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Integer)]
    posts_count: i32,
    #[diesel(sql_type = Integer)]
    comments_count: i32,
    #[diesel(sql_type = Integer)]
    followers_count: i32,
}

#[derive(QueryableByName)]
struct Key {
    #[diesel(sql_type = Integer)]
    id: i32,
}

/// Article 009: fetch every user, compute the score in the client, one `UPDATE` per row, all in
/// the migration's one transaction (as Alembic runs it).
pub fn row_by_row(conn: &mut AnyConnection) -> Result<()> {
    conn.begin()?;
    let users: Vec<User> = load(
        conn,
        "SELECT id, posts_count, comments_count, followers_count FROM users",
    )?;
    for user in users {
        let score = f64::from(user.posts_count) * 10.0
            + f64::from(user.comments_count) * 5.0
            + f64::from(user.followers_count) * 20.0;
        conn.execute(&format!(
            "UPDATE users SET score = {score:?} WHERE id = {}",
            user.id
        ))?;
    }
    conn.commit()?;
    Ok(())
}

/// Article 010: `SELECT id ... WHERE status IS NULL LIMIT 1000`, then `UPDATE ... WHERE id IN
/// (...)`, until no row is left; each statement commits on its own, so locks are released
/// between batches as the article intends.
pub fn select_limit_loop(conn: &mut AnyConnection) -> Result<()> {
    loop {
        let keys: Vec<Key> = load(
            conn,
            "SELECT id FROM orders WHERE status IS NULL LIMIT 1000",
        )?;
        if keys.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = keys.iter().map(|k| k.id.to_string()).collect();
        conn.execute(&format!(
            "UPDATE orders SET status = 'processed' WHERE id IN ({})",
            list.join(",")
        ))?;
    }
}
