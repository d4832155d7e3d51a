//! The read-back of [`live_check`](crate::live_check): every row of `customers`, `users` and
//! `orders`, block by block, each value held to what the live application's model or the load
//! says it must be (the rules are listed there), each wrong one blamed on the last write of the
//! field it derives from, or counted as wrong in a row the application never wrote.

use crate::database::{Result, texts};
use crate::live_check::Ending;
use crate::live_model::{
    Field, Model, Row, User, WriteId, age_group, days_from_civil, loaded_age, loaded_created_year,
    loaded_customer_name, loaded_full_name, score, split, timestamp, year,
};
use crate::live_schema::Schema;
use crate::values::joined;
use migrate_core::{AnyConnection, Dialect};
use std::collections::{HashMap, HashSet};

/// Ids per query.
const BLOCK: u64 = 10_000;
/// Wrong values (and errors) described, per run.
pub const SHOWN: usize = 8;

/// What the read-back found.
#[derive(Debug, Default)]
pub struct Found {
    /// The writes whose value a row does not hold.
    pub lost: HashSet<WriteId>,
    /// Values wrong in rows the application never wrote.
    pub untouched_wrong: u64,
    /// Derived values left NULL by a migration that did not finish.
    pub unfilled: u64,
    /// Rows read.
    pub rows_checked: u64,
    /// The first wrong values, described.
    pub examples: Vec<String>,
}

/// Reads back every row of the database behind `conn` (loaded with `rows` rows, its tables as
/// `schema` has them) and holds it to `model`.
pub fn read_back(
    conn: &mut AnyConnection,
    schema: &Schema,
    rows: u64,
    model: &Model,
    ending: &Ending,
) -> Result<Found> {
    let mut checker = Checker {
        model,
        ending,
        rows,
        found: Found::default(),
    };
    let customers = checker.customers(conn)?;
    checker.users(conn, schema)?;
    checker.orders(conn, schema, &customers)?;
    Ok(checker.found)
}

struct Checker<'a> {
    model: &'a Model,
    ending: &'a Ending,
    rows: u64,
    found: Found,
}

/// A row read back: each column's value, `None` for NULL.
struct Read<'r> {
    columns: &'r [&'r str],
    values: Vec<Option<&'r str>>,
}

impl Read<'_> {
    /// `None` when the table has no such column, else its value.
    fn get(&self, column: &str) -> Option<Option<&str>> {
        self.columns
            .iter()
            .position(|c| *c == column)
            .map(|i| self.values.get(i).copied().flatten())
    }
}

/// The values a derived column may hold, from its field: the one derived from the last value
/// written, and, when that write straddled the column becoming the application's to set and did
/// not set it, the one derived from the value before (`loaded` when there was none).
fn derived_from<T: Clone>(
    field: &Field<T>,
    column: &str,
    loaded: impl Fn() -> T,
    rule: impl Fn(&T) -> Option<String>,
) -> Vec<Option<String>> {
    let mut wants = vec![rule(&field.value)];
    if let (false, Some(was)) = (field.wrote.contains(&column), &field.was) {
        wants.push(rule(&was.clone().unwrap_or_else(&loaded)));
    }
    wants
}

impl Checker<'_> {
    /// Holds `stored` to `wants`; blames `by` (or the untouched rows) when it is none of them.
    /// A NULL where a value was due counts as unfilled when `unfinished`.
    fn expect(
        &mut self,
        what: &str,
        stored: Option<&str>,
        wants: &[Option<String>],
        by: Option<WriteId>,
        unfinished: bool,
    ) {
        if wants.iter().any(|w| w.as_deref() == stored) {
            return;
        }
        if stored.is_none() && unfinished {
            self.found.unfilled += 1;
            return;
        }
        let expected = wants.first().cloned().flatten();
        self.wrong(
            by,
            format!("{what} is {stored:?} where {expected:?} was due"),
        );
    }

    fn wrong(&mut self, by: Option<WriteId>, what: String) {
        let blame = match by {
            Some(w) => {
                self.found.lost.insert(w);
                let write = &self.model.writes[w];
                let again = if self.model.found_lost.contains(&w) {
                    "; found lost before, not counted again"
                } else {
                    ""
                };
                format!(
                    " (LOST: the {} sent {}{again})",
                    write.kind.label(),
                    self.ending.during(write.sent)
                )
            }
            None => {
                self.found.untouched_wrong += 1;
                " (a row the application never wrote)".into()
            }
        };
        if self.found.examples.len() < SHOWN {
            self.found.examples.push(format!("{what}{blame}"));
        }
    }

    /// Reads `table` block by block, `columns` of it, and hands each row to `each`.
    fn read(
        &mut self,
        conn: &mut AnyConnection,
        table: &str,
        columns: &[&str],
        mut each: impl FnMut(&mut Self, u64, &Read),
    ) -> Result<()> {
        let dialect = conn.dialect();
        let as_text = match dialect {
            Dialect::Mysql => "CHAR",
            _ => "TEXT",
        };
        let max = texts(
            conn,
            &format!("SELECT CAST(coalesce(max(id), 0) AS {as_text}) AS name FROM {table}"),
        )?;
        let max: u64 = max.first().map_or(Ok(0), |m| m.parse())?;
        let mut listed = vec!["id".to_owned()];
        listed.extend(columns.iter().map(|c| (*c).to_owned()));
        let row = joined(dialect, &listed);
        let mut from = 0;
        while from <= max {
            let sql = format!(
                "SELECT {row} AS name FROM {table} WHERE id >= {from} AND id < {} ORDER BY id",
                from + BLOCK
            );
            for line in texts(conn, &sql)? {
                let mut parts = line.split('|');
                let id: u64 = parts.next().unwrap_or("").parse()?;
                let values = parts.map(|v| (v != "<null>").then_some(v)).collect();
                self.found.rows_checked += 1;
                each(self, id, &Read { columns, values });
            }
            from += BLOCK;
        }
        Ok(())
    }

    /// Checks `customers`; returns every customer's name as stored.
    fn customers(&mut self, conn: &mut AnyConnection) -> Result<HashMap<u64, String>> {
        let mut names = HashMap::new();
        let model = self.model;
        self.read(conn, "customers", &["name"], |c, id, row| {
            let stored = row.get("name").flatten();
            let (wants, by) = match model.customers.get(&id) {
                Some(f) => (vec![Some(f.value.clone())], Some(f.by)),
                None => (vec![Some(loaded_customer_name(id))], None),
            };
            c.expect(&format!("customers {id}: name"), stored, &wants, by, false);
            names.insert(id, stored.unwrap_or("").to_owned());
        })?;
        // Customers are never deleted: every loaded one must be there.
        for id in (1..=(self.rows / 10).max(1)).filter(|id| !names.contains_key(id)) {
            let by = model.customers.get(&id).map(|f| f.by);
            self.wrong(by, format!("customers {id}: missing"));
        }
        Ok(names)
    }

    fn users(&mut self, conn: &mut AnyConnection, schema: &Schema) -> Result<()> {
        let columns: Vec<&str> = [
            "full_name",
            "first_name",
            "last_name",
            "age",
            "created_at",
            "posts_count",
            "comments_count",
            "followers_count",
            "created_year",
            "age_group",
            "score",
        ]
        .into_iter()
        .filter(|c| schema.has("users", c))
        .collect();
        let mut seen_loaded = 0u64;
        let mut seen: HashSet<u64> = HashSet::new();
        let model = self.model;
        self.read(conn, "users", &columns, |c, id, row| {
            if id <= c.rows {
                seen_loaded += 1;
            }
            if model.users.contains_key(&id) {
                seen.insert(id);
            }
            c.user(id, row);
        })?;
        self.missing(
            "users",
            seen_loaded,
            &seen,
            model
                .users
                .iter()
                .map(|(id, u)| (*id, u.row, last_write(u))),
        );
        Ok(())
    }

    fn user(&mut self, id: u64, row: &Read) {
        let m = self.model.users.get(&id);
        if let Some(Row::Deleted(w)) = m.map(|u| u.row) {
            self.wrong(Some(w), format!("users {id}: deleted, still there"));
            return;
        }
        if m.is_none() && id > self.rows {
            self.wrong(None, format!("users {id}: a row nobody inserted"));
            return;
        }
        let e = self.ending;
        let loaded_name = || loaded_full_name(id);
        // The name.
        let name = m.and_then(|u| u.name.as_ref());
        let stored_full = row.get("full_name");
        if let Some(stored) = stored_full {
            let (wants, by) = match name {
                Some(f) => (
                    derived_from(f, "full_name", loaded_name, |v| Some(v.clone())),
                    Some(f.by),
                ),
                None => (vec![Some(loaded_name())], None),
            };
            // Absent after migration 5; NULL only while a `down` of it has not finished.
            self.expect(
                &format!("users {id}: full_name"),
                stored,
                &wants,
                by,
                e.applied(5),
            );
        }
        for (column, part) in [("first_name", 0), ("last_name", 1)] {
            let Some(stored) = row.get(column) else {
                continue;
            };
            let rule = |v: &String| {
                let (first, last) = split(v);
                if part == 0 { Some(first) } else { last }
            };
            let (wants, by) = match name {
                Some(f) => (derived_from(f, "first_name", loaded_name, rule), Some(f.by)),
                None => {
                    let base = stored_full
                        .flatten()
                        .map_or_else(loaded_name, str::to_owned);
                    (vec![rule(&base)], None)
                }
            };
            self.expect(
                &format!("users {id}: {column}"),
                stored,
                &wants,
                by,
                !e.applied(5),
            );
        }
        // The age.
        let age = m.and_then(|u| u.age.as_ref());
        let stored_age = row.get("age").flatten();
        let (wants, by) = match age {
            Some(f) => (vec![Some(f.value.to_string())], Some(f.by)),
            None => (vec![Some(loaded_age(id).to_string())], None),
        };
        self.expect(&format!("users {id}: age"), stored_age, &wants, by, false);
        if let Some(stored) = row.get("age_group") {
            let rule = |a: &i64| Some(age_group(*a).to_owned());
            let (wants, by) = match age {
                Some(f) => (
                    derived_from(f, "age_group", || loaded_age(id), rule),
                    Some(f.by),
                ),
                None => {
                    let a = stored_age
                        .and_then(|a| a.parse().ok())
                        .unwrap_or(loaded_age(id));
                    (vec![rule(&a)], None)
                }
            };
            self.expect(
                &format!("users {id}: age_group"),
                stored,
                &wants,
                by,
                !e.applied(8),
            );
        }
        // The creation time.
        let created = m.and_then(|u| u.created_at.as_ref());
        let stored_at = row.get("created_at").flatten();
        let loaded_at = || timestamp(days_from_civil(2015, 1, 1) + (id % 3650) as i64, 0);
        let (wants, by) = match created {
            Some(f) => (vec![Some(f.value.clone())], Some(f.by)),
            None => (vec![Some(loaded_at())], None),
        };
        self.expect(
            &format!("users {id}: created_at"),
            stored_at,
            &wants,
            by,
            false,
        );
        if let Some(stored) = row.get("created_year") {
            let rule = |at: &String| year(at).map(|y| y.to_string());
            let (wants, by) = match created {
                Some(f) => (derived_from(f, "created_year", loaded_at, rule), Some(f.by)),
                None => {
                    let y = stored_at.and_then(year).unwrap_or(loaded_created_year(id));
                    (vec![Some(y.to_string())], None)
                }
            };
            self.expect(
                &format!("users {id}: created_year"),
                stored,
                &wants,
                by,
                !e.applied(6),
            );
        }
        // The counts, and the score from them.
        let inserted = match m.map(|u| (u.row, u.counts)) {
            Some((Row::Inserted(w), Some(counts))) => Some((w, counts)),
            _ => None,
        };
        let stored_counts = ["posts_count", "comments_count", "followers_count"]
            .map(|c| row.get(c).flatten().and_then(|v| v.parse::<i64>().ok()));
        if let Some((w, counts)) = inserted {
            let wants = [counts.0, counts.1, counts.2].map(|n| Some(n.to_string()));
            for (i, column) in ["posts_count", "comments_count", "followers_count"]
                .into_iter()
                .enumerate()
            {
                let stored = row.get(column).flatten();
                self.expect(
                    &format!("users {id}: {column}"),
                    stored,
                    &wants[i..=i],
                    Some(w),
                    false,
                );
            }
        }
        if let Some(stored) = row.get("score") {
            let counts = match inserted {
                Some((_, counts)) => Some(counts),
                None => match stored_counts {
                    [Some(p), Some(c), Some(f)] => Some((p, c, f)),
                    _ => None,
                },
            };
            // As numbers: each database prints a double its own way.
            let stored =
                stored.map(|s| s.parse::<f64>().map_or(s.to_owned(), |v| format!("{v:?}")));
            let wants = [counts.map(|c| format!("{:?}", score(c)))];
            self.expect(
                &format!("users {id}: score"),
                stored.as_deref(),
                &wants,
                inserted.map(|(w, _)| w),
                !e.applied(9),
            );
        }
    }

    fn orders(
        &mut self,
        conn: &mut AnyConnection,
        schema: &Schema,
        customers: &HashMap<u64, String>,
    ) -> Result<()> {
        let columns: Vec<&str> = [
            "customer_id",
            "total_cents",
            "created_at",
            "customer_name",
            "status",
        ]
        .into_iter()
        .filter(|c| schema.has("orders", c))
        .collect();
        let mut seen_loaded = 0u64;
        let mut seen: HashSet<u64> = HashSet::new();
        let model = self.model;
        self.read(conn, "orders", &columns, |c, id, row| {
            if id <= c.rows {
                seen_loaded += 1;
            }
            if model.orders.contains_key(&id) {
                seen.insert(id);
            }
            c.order(id, row, customers);
        })?;
        self.missing(
            "orders",
            seen_loaded,
            &seen,
            model.orders.iter().map(|(id, o)| {
                let by = match o.row {
                    Row::Inserted(w) | Row::Deleted(w) => Some(w),
                    Row::Loaded => None,
                };
                (*id, o.row, by)
            }),
        );
        Ok(())
    }

    fn order(&mut self, id: u64, row: &Read, customers: &HashMap<u64, String>) {
        let m = self.model.orders.get(&id);
        let insert = match m.map(|o| o.row) {
            Some(Row::Deleted(w)) => {
                self.wrong(Some(w), format!("orders {id}: deleted, still there"));
                return;
            }
            Some(Row::Inserted(w)) => Some(w),
            _ => None,
        };
        if insert.is_none() && id > self.rows {
            self.wrong(None, format!("orders {id}: a row nobody inserted"));
            return;
        }
        let stored_customer = row
            .get("customer_id")
            .flatten()
            .and_then(|c| c.parse::<u64>().ok());
        if let (Some(w), Some((customer, total, at, _))) =
            (insert, m.and_then(|o| o.inserted.as_ref()))
        {
            for (column, value) in [
                ("customer_id", customer.to_string()),
                ("total_cents", total.to_string()),
                ("created_at", at.clone()),
            ] {
                let stored = row.get(column).flatten();
                self.expect(
                    &format!("orders {id}: {column}"),
                    stored,
                    &[Some(value)],
                    Some(w),
                    false,
                );
            }
        }
        let e = self.ending;
        if let (Some(stored), Some(customer)) = (row.get("customer_name"), stored_customer) {
            let renamed = self.model.customers.get(&customer);
            let current = customers
                .get(&customer)
                .cloned()
                .unwrap_or_else(|| loaded_customer_name(customer));
            let (wants, rename) = match renamed {
                Some(f) => (
                    derived_from(
                        f,
                        "customer_name",
                        || loaded_customer_name(customer),
                        |v| Some(v.clone()),
                    ),
                    Some(f.by),
                ),
                None => (vec![Some(current)], None),
            };
            // The later of the customer's rename and the order's insert is the one to keep.
            let by = match (rename, insert) {
                (Some(r), Some(i)) => Some(r.max(i)),
                (r, i) => r.or(i),
            };
            self.expect(
                &format!("orders {id}: customer_name"),
                stored,
                &wants,
                by,
                !e.applied(7),
            );
        }
        if let Some(stored) = row.get("status") {
            let processed = Some("processed".to_owned());
            // An order inserted once migration 10 had begun is not the backfill's.
            let after_backfill = insert.is_some_and(|w| {
                let ended = self.model.writes[w].ended;
                e.migrations
                    .iter()
                    .any(|(m, from, _)| *m == 10 && *from <= ended)
            });
            let wants = if after_backfill || !e.up {
                vec![processed, None]
            } else {
                vec![processed]
            };
            self.expect(
                &format!("orders {id}: status"),
                stored,
                &wants,
                insert,
                !e.applied(10),
            );
        }
    }

    /// The rows of `table` that should be there and are not: the application's (blamed on
    /// their last write) and the loaded ones it never deleted.
    fn missing(
        &mut self,
        table: &str,
        seen_loaded: u64,
        seen: &HashSet<u64>,
        written: impl Iterator<Item = (u64, Row, Option<WriteId>)>,
    ) {
        let mut deleted_loaded = 0;
        let mut missing_loaded_written = 0;
        let mut missing = Vec::new();
        for (id, row, by) in written {
            match row {
                Row::Deleted(_) => deleted_loaded += u64::from(id <= self.rows),
                _ if !seen.contains(&id) => {
                    missing_loaded_written += u64::from(id <= self.rows);
                    missing.push((id, by));
                }
                _ => {}
            }
        }
        missing.sort_unstable();
        for (id, by) in missing {
            self.wrong(by, format!("{table} {id}: missing"));
        }
        let untouched = self
            .rows
            .saturating_sub(deleted_loaded + seen_loaded + missing_loaded_written);
        if untouched > 0 {
            self.found.untouched_wrong += untouched - 1;
            self.wrong(None, format!("{table}: {untouched} loaded rows missing"));
        }
    }
}

/// The last committed write of any field of a user.
fn last_write(user: &User) -> Option<WriteId> {
    let fields = [
        user.name.as_ref().map(|f| f.by),
        user.age.as_ref().map(|f| f.by),
        user.created_at.as_ref().map(|f| f.by),
        match user.row {
            Row::Inserted(w) | Row::Deleted(w) => Some(w),
            Row::Loaded => None,
        },
    ];
    fields.into_iter().flatten().max()
}
