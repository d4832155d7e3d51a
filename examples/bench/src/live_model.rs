//! What the live application (see [`live`](crate::live)) knows: which rows it may write, the
//! rules by which the shop's migrations 5–10 derive their columns, the values the load gave the
//! rows it did not write, and its model of the rows it did: the value of each field as its last
//! committed write left it.

use std::collections::HashMap;
use std::time::Instant;

/// The loaded rows the live application writes are those whose id is [`RESIDUE`] modulo
/// `STRIDE` (users, orders and customers alike), besides the rows it inserts (above N). The
/// value hashes leave them out ([`values`](crate::values)), so that the forms still compare.
pub const STRIDE: u64 = 10;
/// See [`STRIDE`]. Not 1: row 1 of `users` is the lock-queue test's.
pub const RESIDUE: u64 = 5;

/// A kind of write of the live application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum LiveKind {
    /// `UPDATE users SET full_name = ...` (or `first_name`, `last_name` once the table has them
    /// as NOT NULL).
    RenameUser,
    /// `UPDATE users SET age = ...`.
    ChangeAge,
    /// `UPDATE users SET created_at = ...`.
    ChangeCreatedAt,
    /// `INSERT INTO users` of the columns that exist and have no default.
    InsertUser,
    /// `INSERT INTO orders` for an existing customer, likewise.
    InsertOrder,
    /// `DELETE FROM users WHERE id = ?`.
    DeleteUser,
    /// `DELETE FROM orders WHERE id = ?`.
    DeleteOrder,
    /// `UPDATE customers SET name = ...`.
    RenameCustomer,
}

impl LiveKind {
    /// Every kind.
    pub const ALL: [LiveKind; 8] = [
        LiveKind::RenameUser,
        LiveKind::ChangeAge,
        LiveKind::ChangeCreatedAt,
        LiveKind::InsertUser,
        LiveKind::InsertOrder,
        LiveKind::DeleteUser,
        LiveKind::DeleteOrder,
        LiveKind::RenameCustomer,
    ];

    /// The name in the tables.
    pub fn label(self) -> &'static str {
        match self {
            LiveKind::RenameUser => "rename user",
            LiveKind::ChangeAge => "change age",
            LiveKind::ChangeCreatedAt => "change created_at",
            LiveKind::InsertUser => "insert user",
            LiveKind::InsertOrder => "insert order",
            LiveKind::DeleteUser => "delete user",
            LiveKind::DeleteOrder => "delete order",
            LiveKind::RenameCustomer => "rename customer",
        }
    }
}

/// Migration 5's split (`split_column!`, separator " "): the text up to the first space, and
/// the rest after it, NULL when there is no space.
pub fn split(full: &str) -> (String, Option<String>) {
    match full.split_once(' ') {
        Some((first, rest)) => (first.to_owned(), Some(rest.to_owned())),
        None => (full.to_owned(), None),
    }
}

/// Migration 8's CASE.
pub fn age_group(age: i64) -> &'static str {
    if age < 18 {
        "minor"
    } else if age < 65 {
        "adult"
    } else {
        "senior"
    }
}

/// `posts_count`, `comments_count`, `followers_count`.
pub type Counts = (i64, i64, i64);

/// Migration 9's score.
pub fn score((posts, comments, followers): Counts) -> f64 {
    posts as f64 * 10.0 + comments as f64 * 5.0 + followers as f64 * 20.0
}

/// Migration 6's `year(created_at)` of a timestamp as the databases print it (`YYYY-MM-DD ...`).
pub fn year(timestamp: &str) -> Option<i64> {
    timestamp.get(..4)?.parse().ok()
}

/// The full name the load gave user `id` ([`load`](crate::load)).
pub fn loaded_full_name(id: u64) -> String {
    if id.is_multiple_of(100) {
        format!("Single{id}")
    } else if id.is_multiple_of(10) {
        format!("First{id} Middle Last{id}")
    } else {
        format!("First{id} Last{id}")
    }
}

/// The age the load gave user `id`.
pub fn loaded_age(id: u64) -> i64 {
    (id % 90) as i64
}

/// The year of the `created_at` the load gave user `id`: 2015-01-01 plus `id % 3650` days.
pub fn loaded_created_year(id: u64) -> i64 {
    civil(days_from_civil(2015, 1, 1) + (id % 3650) as i64).0
}

/// The name the load gave customer `id`.
pub fn loaded_customer_name(id: u64) -> String {
    format!("Customer {id}")
}

/// The timestamp `days` days and `seconds` seconds after 1970-01-01, as the databases print it.
pub fn timestamp(days: i64, seconds: u32) -> String {
    let (y, m, d) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// Days since 1970-01-01 of a date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The index of a write in [`Model::writes`].
pub type WriteId = usize;

/// One write the live application sent.
#[derive(Debug, Clone)]
pub struct Write {
    /// Its kind.
    pub kind: LiveKind,
    /// When it was sent.
    pub sent: Instant,
    /// When it ended (committed or failed).
    pub ended: Instant,
    /// `None` when it committed; else the error (not one explained by a change of the schema).
    pub error: Option<String>,
    /// How often it was sent again after the schema changed under it (a column it wrote was
    /// dropped, or one it did not write became NOT NULL).
    pub retries: u32,
}

/// A field the application wrote (a name, an age, a `created_at`).
#[derive(Debug, Clone)]
pub struct Field<T> {
    /// The value its last committed write gave it.
    pub value: T,
    /// That write.
    pub by: WriteId,
    /// The derived columns that write set itself (it sets those the table has as NOT NULL
    /// without a default); the migration's fill (or what it installs) sets the others.
    pub wrote: Vec<&'static str>,
    /// Set when, while that write ran, a derived column it did not set became NOT NULL (the
    /// application's own to set from then on): the column may then hold the value derived from
    /// this earlier one (`None`: the loaded value). Which happened first is not known.
    pub was: Option<Option<T>>,
}

/// Whether a row is the load's, the application's own, or gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// Loaded, still there.
    Loaded,
    /// Inserted by this write.
    Inserted(WriteId),
    /// Deleted by this write.
    Deleted(WriteId),
}

/// A user the application wrote.
#[derive(Debug, Clone)]
pub struct User {
    /// Loaded, inserted or deleted.
    pub row: Row,
    /// The full name, split into `first_name` / `last_name` by migration 5.
    pub name: Option<Field<String>>,
    /// `age`, from which migration 8 derives `age_group`.
    pub age: Option<Field<i64>>,
    /// `created_at`, from which migration 6 derives `created_year`.
    pub created_at: Option<Field<String>>,
    /// The counts it inserted, from which migration 9 derives `score`.
    pub counts: Option<Counts>,
}

/// An order the application wrote.
#[derive(Debug, Clone)]
pub struct Order {
    /// Loaded, inserted or deleted.
    pub row: Row,
    /// What it inserted: `customer_id`, `total_cents`, `created_at`, and whether it set
    /// `customer_name` itself.
    pub inserted: Option<(u64, i64, String, bool)>,
}

/// The application's model of every row it wrote, and its writes.
#[derive(Debug, Default)]
pub struct Model {
    /// Every write it sent, in order.
    pub writes: Vec<Write>,
    /// The users it wrote, by id.
    pub users: HashMap<u64, User>,
    /// The orders it wrote, by id.
    pub orders: HashMap<u64, Order>,
    /// The customers it renamed: the name (its field's derived column is `orders.customer_name`).
    pub customers: HashMap<u64, Field<String>>,
    /// The ids of the users it inserted, in order.
    pub inserted_users: Vec<u64>,
    /// The ids of the orders it inserted, in order.
    pub inserted_orders: Vec<u64>,
    /// The writes an earlier check of the same database found lost: not counted again.
    pub found_lost: std::collections::HashSet<WriteId>,
}

impl Model {
    /// Whether user `id` is gone.
    pub fn user_deleted(&self, id: u64) -> bool {
        self.users
            .get(&id)
            .is_some_and(|u| matches!(u.row, Row::Deleted(_)))
    }

    /// Whether order `id` is gone.
    pub fn order_deleted(&self, id: u64) -> bool {
        self.orders
            .get(&id)
            .is_some_and(|o| matches!(o.row, Row::Deleted(_)))
    }

    /// The name customer `id` has now, as far as the application knows.
    pub fn customer_name(&self, id: u64) -> String {
        self.customers
            .get(&id)
            .map_or_else(|| loaded_customer_name(id), |f| f.value.clone())
    }

    /// User `id`, created as a loaded row on first write.
    pub fn user(&mut self, id: u64) -> &mut User {
        self.users.entry(id).or_insert(User {
            row: Row::Loaded,
            name: None,
            age: None,
            created_at: None,
            counts: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_everything_after_the_first_space() {
        assert_eq!(
            split("Mary Ann Smith"),
            ("Mary".into(), Some("Ann Smith".into()))
        );
        assert_eq!(split("Cher"), ("Cher".into(), None));
    }

    #[test]
    fn dates_round_trip_and_match_the_load() {
        let day = days_from_civil(2015, 1, 1);
        assert_eq!(timestamp(day, 3661), "2015-01-01 01:01:01");
        assert_eq!(timestamp(day + 365, 0), "2016-01-01 00:00:00");
        assert_eq!(
            timestamp(days_from_civil(2016, 2, 29), 0),
            "2016-02-29 00:00:00"
        );
        assert_eq!(loaded_created_year(364), 2015);
        assert_eq!(loaded_created_year(365), 2016);
        assert_eq!(loaded_created_year(3650), 2015);
        assert_eq!(year("2021-07-04 10:00:00"), Some(2021));
    }

    #[test]
    fn groups_and_score() {
        assert_eq!(age_group(17), "minor");
        assert_eq!(age_group(18), "adult");
        assert_eq!(age_group(65), "senior");
        assert_eq!(score((1, 2, 3)), 80.0);
    }
}
