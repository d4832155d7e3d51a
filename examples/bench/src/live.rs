//! The live application: beside the [`app`](crate::app)'s steady reads and no-op updates, a
//! thread that writes the way a live service does, one autocommitted write every few ms on the
//! [`timetable`](crate::timetable): it renames users, changes their age and `created_at`, inserts
//! users and orders, deletes some, and renames customers, on the rows of its stride
//! ([`live_model::STRIDE`]) and on the rows it inserted. It keeps a [`Model`] of what each row it
//! wrote should hold (committed writes only), which [`live_check`](crate::live_check) holds the
//! database to after each run.
//!
//! It writes the columns the table has as NOT NULL without a default ([`Schema`]), as the
//! application version deployed for the schema as it stands: `full_name` while the table has it,
//! `first_name`/`last_name` once migration 5 has made them NOT NULL (both in between), and a
//! derived column (`created_year`, `age_group`, `score`, `orders.customer_name`) once its migration
//! has made it NOT NULL; until then the migration's fill is what must keep the column right. It
//! looks at the catalog after each write (outside the write's measured time), and again when a
//! write fails because the schema changed under it (a dropped column, a new NOT NULL one), in
//! which case it sends the write again in the new shape: such a write is not a failure.

use crate::database::{Result, load};
use crate::live_model::{
    Counts, Field, LiveKind, Model, Order, RESIDUE, Row, STRIDE, User, Write, age_group,
    days_from_civil, score, split, timestamp, year,
};
use crate::live_schema::{Schema, changed_under, refused_null};
use crate::timetable::{RandomIds, Timetable};
use diesel::QueryableByName;
use diesel::sql_types::BigInt;
use migrate_core::{AnyConnection, Dialect};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the live application does.
#[derive(Debug, Clone)]
pub struct Config {
    /// The kinds of write it makes, taking turns (see [`CYCLE`]).
    pub kinds: Vec<LiveKind>,
    /// One write every this long (SQLite: four times as long, see [`App`](crate::app::App)).
    pub period: Duration,
}

/// The order the kinds take turns in: renames, age and date changes and inserts most often.
const CYCLE: [LiveKind; 12] = [
    LiveKind::RenameUser,
    LiveKind::ChangeAge,
    LiveKind::InsertUser,
    LiveKind::ChangeCreatedAt,
    LiveKind::InsertOrder,
    LiveKind::RenameUser,
    LiveKind::RenameCustomer,
    LiveKind::ChangeAge,
    LiveKind::DeleteUser,
    LiveKind::ChangeCreatedAt,
    LiveKind::InsertUser,
    LiveKind::DeleteOrder,
];

/// How often a write that failed because the schema changed is sent again in the new shape.
const RETRIES: u32 = 3;

/// Starts the live application's thread on `conn`, over a database loaded with `rows` rows
/// that it has written as `model` says, one write every `period` from `first_due` on.
pub fn start(
    conn: Arc<Mutex<AnyConnection>>,
    rows: u64,
    config: &Config,
    model: Model,
    (period, first_due): (Duration, Instant),
) -> Result<(Timetable, Arc<Mutex<Model>>)> {
    let schema = Schema::read(&mut *conn.lock().map_err(|_| "poisoned")?)?;
    let customers = (rows / 10).max(1);
    let cycle: Vec<LiveKind> = CYCLE
        .into_iter()
        .filter(|k| config.kinds.contains(k))
        .filter(|k| *k != LiveKind::RenameCustomer || customers >= RESIDUE)
        .collect();
    if cycle.is_empty() {
        return Err("--live-writes names no kind this data can take".into());
    }
    let model = Arc::new(Mutex::new(model));
    let mut writer = Writer {
        conn,
        model: Arc::clone(&model),
        schema,
        random: RandomIds::new(0x2545_F491_4F6C_DD1D, 0, 1 << 40),
        cycle,
        next: 0,
        rows,
        customers,
        serial: 0,
    };
    let timetable = Timetable::every_timed(period, first_due, move || writer.op());
    Ok((timetable, model))
}

/// One write the application means to make, in terms of its model; [`run`] turns it into SQL
/// for the schema as it is.
#[derive(Debug, Clone)]
enum Intent {
    RenameUser { id: u64, name: String },
    ChangeAge { id: u64, age: i64 },
    ChangeCreatedAt { id: u64, at: String },
    InsertUser { user: NewUser },
    InsertOrder { order: NewOrder },
    DeleteUser { id: u64 },
    DeleteOrder { id: u64 },
    RenameCustomer { id: u64, name: String },
}

#[derive(Debug, Clone)]
struct NewUser {
    name: String,
    age: i64,
    at: String,
    counts: Counts,
}

#[derive(Debug, Clone)]
struct NewOrder {
    customer: u64,
    /// The customer's name now, for `customer_name` once the application writes it.
    customer_name: String,
    total: i64,
    at: String,
}

struct Writer {
    conn: Arc<Mutex<AnyConnection>>,
    model: Arc<Mutex<Model>>,
    /// The catalog as the last look at it found it.
    schema: Schema,
    random: RandomIds,
    cycle: Vec<LiveKind>,
    next: usize,
    rows: u64,
    customers: u64,
    /// Makes each new name unique, so that a stale one cannot pass for the expected one.
    serial: u64,
}

impl Writer {
    /// One write: returns whether it committed and when it ended.
    fn op(&mut self) -> (bool, Instant) {
        let kind = self.cycle[self.next % self.cycle.len()];
        self.next += 1;
        let shared = Arc::clone(&self.model);
        let Ok(model) = shared.lock() else {
            return (false, Instant::now());
        };
        let intent = self.plan(kind, &model);
        drop(model);
        let Some(intent) = intent else {
            // No row left to write (all deleted): nothing sent.
            return (true, Instant::now());
        };
        let Ok(mut conn) = self.conn.lock() else {
            return (false, Instant::now());
        };
        let sent = Instant::now();
        let mut used = self.schema.clone();
        let mut retries = 0;
        let result = loop {
            match run(&mut conn, &intent, &used) {
                Ok(done) => break Ok(done),
                Err(e) if retries < RETRIES && changed_under(&e) => match Schema::read(&mut conn) {
                    Ok(now) if now != used => {
                        used = now;
                        retries += 1;
                    }
                    // Refused before the catalog says so: the column is required from now on.
                    Ok(_) => match refused_null(&e) {
                        Some(column) if !used.requiring(&column).eq(&used) => {
                            used = used.requiring(&column);
                            retries += 1;
                        }
                        _ => break Err(e),
                    },
                    Err(_) => break Err(e),
                },
                Err(e) => break Err(e),
            }
        };
        let ended = Instant::now();
        // The catalog right after the write: the next write's shape, and whether a derived
        // column became the application's to write while this one ran.
        let after = Schema::read(&mut conn).unwrap_or_else(|_| used.clone());
        drop(conn);
        let ok = result.is_ok();
        let write = Write {
            kind,
            sent,
            ended,
            error: result.as_ref().err().cloned(),
            retries,
        };
        if let Ok(mut model) = self.model.lock() {
            record(&mut model, write, intent, result.ok(), &used, &after);
        }
        self.schema = after;
        (ok, ended)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.random.next_id() % n.max(1)
    }

    /// A loaded row of the stride among `1..=n`.
    fn loaded(&mut self, n: u64) -> Option<u64> {
        (n >= RESIDUE).then(|| self.below((n - RESIDUE) / STRIDE + 1) * STRIDE + RESIDUE)
    }

    /// A row the application may write that it has not deleted: one of the stride, or one in
    /// four times one it inserted.
    fn pick(&mut self, inserted: &[u64], deleted: impl Fn(u64) -> bool) -> Option<u64> {
        for _ in 0..8 {
            let id = if !inserted.is_empty() && self.below(4) == 0 {
                Some(inserted[self.below(inserted.len() as u64) as usize])
            } else {
                self.loaded(self.rows)
            };
            if let Some(id) = id.filter(|id| !deleted(*id)) {
                return Some(id);
            }
        }
        None
    }

    fn name(&mut self) -> String {
        self.serial += 1;
        let s = self.serial;
        // The three shapes the split meets: one word, two, three.
        match s % 3 {
            0 => format!("Re{s}"),
            1 => format!("Re{s} Named{s}"),
            _ => format!("Re{s} Middle Named{s}"),
        }
    }

    fn at(&mut self) -> String {
        let day = days_from_civil(2010, 1, 1) + self.below(5000) as i64;
        timestamp(day, self.below(86_400) as u32)
    }

    fn plan(&mut self, kind: LiveKind, model: &Model) -> Option<Intent> {
        let user = |w: &mut Writer| w.pick(&model.inserted_users, |id| model.user_deleted(id));
        Some(match kind {
            LiveKind::RenameUser => Intent::RenameUser {
                id: user(self)?,
                name: self.name(),
            },
            LiveKind::ChangeAge => Intent::ChangeAge {
                id: user(self)?,
                age: self.below(100) as i64,
            },
            LiveKind::ChangeCreatedAt => Intent::ChangeCreatedAt {
                id: user(self)?,
                at: self.at(),
            },
            LiveKind::InsertUser => Intent::InsertUser {
                user: NewUser {
                    name: self.name(),
                    age: self.below(100) as i64,
                    at: self.at(),
                    counts: (
                        self.below(100) as i64,
                        self.below(1000) as i64,
                        self.below(5000) as i64,
                    ),
                },
            },
            LiveKind::InsertOrder => {
                let customer = 1 + self.below(self.customers);
                Intent::InsertOrder {
                    order: NewOrder {
                        customer,
                        customer_name: model.customer_name(customer),
                        total: self.below(100_000) as i64,
                        at: self.at(),
                    },
                }
            }
            LiveKind::DeleteUser => Intent::DeleteUser { id: user(self)? },
            LiveKind::DeleteOrder => Intent::DeleteOrder {
                id: self.pick(&model.inserted_orders, |id| model.order_deleted(id))?,
            },
            LiveKind::RenameCustomer => {
                let id = self.loaded(self.customers)?;
                self.serial += 1;
                Intent::RenameCustomer {
                    id,
                    name: format!("Customer {id} r{}", self.serial),
                }
            }
        })
    }
}

/// What a committed write did: the id it inserted, and the derived columns it set itself.
type Done = (Option<u64>, Vec<&'static str>);

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The name columns to set: `full_name` while the table must have it (or has it and not the
/// parts), `first_name` and `last_name` once the table must have them (or has them and not
/// `full_name`); both while it must have both.
fn name_sets(schema: &Schema, name: &str) -> Vec<(&'static str, String)> {
    let full = schema.required("users", "full_name");
    let parts = schema.required("users", "first_name");
    let mut sets = Vec::new();
    if full || (!parts && schema.has("users", "full_name")) {
        sets.push(("full_name", quote(name)));
    }
    if parts || (!full && !schema.has("users", "full_name") && schema.has("users", "first_name")) {
        let (first, last) = split(name);
        sets.push(("first_name", quote(&first)));
        sets.push((
            "last_name",
            last.map_or_else(|| "NULL".into(), |l| quote(&l)),
        ));
    }
    sets
}

/// `sets`, plus `column = value` when the table must have `column`.
fn with_derived(
    schema: &Schema,
    table: &str,
    mut sets: Vec<(&'static str, String)>,
    column: &'static str,
    value: String,
) -> Vec<(&'static str, String)> {
    if schema.required(table, column) {
        sets.push((column, value));
    }
    sets
}

/// The columns set that are not the write's own field (the derived ones it set itself).
fn derived(sets: &[(&'static str, String)], base: &[&str]) -> Vec<&'static str> {
    sets.iter()
        .map(|(c, _)| *c)
        .filter(|c| !base.contains(c))
        .collect()
}

fn update(table: &str, sets: &[(&'static str, String)], id: u64) -> String {
    let sets: Vec<String> = sets.iter().map(|(c, v)| format!("{c} = {v}")).collect();
    format!("UPDATE {table} SET {} WHERE id = {id}", sets.join(", "))
}

fn execute(conn: &mut AnyConnection, sql: &str) -> std::result::Result<(), String> {
    conn.execute(sql).map(|_| ()).map_err(|e| e.to_string())
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Inserts `values` into `table`; returns the new row's id.
fn insert(
    conn: &mut AnyConnection,
    table: &str,
    values: &[(&'static str, String)],
) -> std::result::Result<u64, String> {
    let columns: Vec<&str> = values.iter().map(|(c, _)| *c).collect();
    let literals: Vec<&str> = values.iter().map(|(_, v)| v.as_str()).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        literals.join(", ")
    );
    let ids: Vec<Id> = match conn.dialect() {
        Dialect::Mysql => {
            execute(conn, &sql)?;
            load(conn, "SELECT CAST(LAST_INSERT_ID() AS SIGNED) AS id")
        }
        _ => load(conn, &format!("{sql} RETURNING CAST(id AS BIGINT) AS id")),
    }
    .map_err(|e| e.to_string())?;
    ids.first()
        .map(|r| r.id as u64)
        .ok_or_else(|| format!("{sql}: no id returned"))
}

/// The value of each column of `users` the table must have, for a new user.
fn user_values(
    schema: &Schema,
    user: &NewUser,
) -> std::result::Result<Vec<(&'static str, String)>, String> {
    let (first, last) = split(&user.name);
    let mut values = Vec::new();
    for column in schema.required_of("users") {
        values.push(match column {
            "full_name" => ("full_name", quote(&user.name)),
            "first_name" => ("first_name", quote(&first)),
            "last_name" => continue,
            "age" => ("age", user.age.to_string()),
            "created_at" => ("created_at", quote(&user.at)),
            "posts_count" => ("posts_count", user.counts.0.to_string()),
            "comments_count" => ("comments_count", user.counts.1.to_string()),
            "followers_count" => ("followers_count", user.counts.2.to_string()),
            "created_year" => ("created_year", year(&user.at).unwrap_or(0).to_string()),
            "age_group" => ("age_group", quote(age_group(user.age))),
            "score" => ("score", format!("{:?}", score(user.counts))),
            other => return Err(format!("users.{other} is NOT NULL without a default, and the application has no value for it")),
        });
    }
    // The last name goes with the first: it is nullable, but the pair is one value.
    if values.iter().any(|(c, _)| *c == "first_name") {
        values.push((
            "last_name",
            last.map_or_else(|| "NULL".into(), |l| quote(&l)),
        ));
    }
    Ok(values)
}

/// The value of each column of `orders` the table must have, for a new order.
fn order_values(
    schema: &Schema,
    order: &NewOrder,
) -> std::result::Result<Vec<(&'static str, String)>, String> {
    schema
        .required_of("orders")
        .map(|column| {
            Ok(match column {
                "customer_id" => ("customer_id", order.customer.to_string()),
                "total_cents" => ("total_cents", order.total.to_string()),
                "created_at" => ("created_at", quote(&order.at)),
                "customer_name" => ("customer_name", quote(&order.customer_name)),
                other => return Err(format!("orders.{other} is NOT NULL without a default, and the application has no value for it")),
            })
        })
        .collect()
}

/// Sends `intent` in the shape `schema` asks for.
fn run(
    conn: &mut AnyConnection,
    intent: &Intent,
    schema: &Schema,
) -> std::result::Result<Done, String> {
    match intent {
        Intent::RenameUser { id, name } => {
            let sets = name_sets(schema, name);
            if sets.is_empty() {
                return Err("users has neither full_name nor first_name".into());
            }
            execute(conn, &update("users", &sets, *id))?;
            Ok((None, derived(&sets, &[])))
        }
        Intent::ChangeAge { id, age } => {
            let sets = vec![("age", age.to_string())];
            let sets = with_derived(schema, "users", sets, "age_group", quote(age_group(*age)));
            execute(conn, &update("users", &sets, *id))?;
            Ok((None, derived(&sets, &["age"])))
        }
        Intent::ChangeCreatedAt { id, at } => {
            let sets = vec![("created_at", quote(at))];
            let y = year(at).unwrap_or(0).to_string();
            let sets = with_derived(schema, "users", sets, "created_year", y);
            execute(conn, &update("users", &sets, *id))?;
            Ok((None, derived(&sets, &["created_at"])))
        }
        Intent::InsertUser { user } => {
            let values = user_values(schema, user)?;
            let base = [
                "age",
                "created_at",
                "posts_count",
                "comments_count",
                "followers_count",
            ];
            let id = insert(conn, "users", &values)?;
            Ok((Some(id), derived(&values, &base)))
        }
        Intent::InsertOrder { order } => {
            let values = order_values(schema, order)?;
            let id = insert(conn, "orders", &values)?;
            let base = ["customer_id", "total_cents", "created_at"];
            Ok((Some(id), derived(&values, &base)))
        }
        Intent::DeleteUser { id } => {
            execute(conn, &format!("DELETE FROM users WHERE id = {id}"))?;
            Ok((None, Vec::new()))
        }
        Intent::DeleteOrder { id } => {
            execute(conn, &format!("DELETE FROM orders WHERE id = {id}"))?;
            Ok((None, Vec::new()))
        }
        Intent::RenameCustomer { id, name } => {
            let rename = update("customers", &[("name", quote(name))], *id);
            if !schema.required("orders", "customer_name") {
                execute(conn, &rename)?;
                return Ok((None, Vec::new()));
            }
            // The copy on each order is the application's to keep once it is NOT NULL: in the
            // same transaction, as a service keeping a denormalized column would.
            conn.begin().map_err(|e| e.to_string())?;
            let copy = format!(
                "UPDATE orders SET customer_name = {} WHERE customer_id = {id}",
                quote(name)
            );
            match execute(conn, &rename).and_then(|()| execute(conn, &copy)) {
                Ok(()) => conn.commit().map_err(|e| e.to_string())?,
                Err(e) => {
                    let _ = conn.rollback();
                    return Err(e);
                }
            }
            Ok((None, vec!["customer_name"]))
        }
    }
}

/// Puts the write, and what it changed if it committed, into the model. `used` is the schema
/// it was written for, `after` the one found right after it.
fn record(
    model: &mut Model,
    write: Write,
    intent: Intent,
    done: Option<Done>,
    used: &Schema,
    after: &Schema,
) {
    let w = model.writes.len();
    model.writes.push(write);
    let Some((inserted, wrote)) = done else {
        return;
    };
    // A derived column that became NOT NULL while the write ran, which the write did not set.
    let straddled = |table: &str, columns: &[&str]| {
        columns
            .iter()
            .any(|c| after.required(table, c) && !used.required(table, c))
    };
    fn field<T>(value: T, by: usize, wrote: &[&'static str], was: Option<Option<T>>) -> Field<T> {
        Field {
            value,
            by,
            wrote: wrote.to_vec(),
            was,
        }
    }
    match intent {
        Intent::RenameUser { id, name } => {
            let user = model.user(id);
            let was = straddled("users", &["full_name", "first_name"])
                .then(|| user.name.as_ref().map(|f| f.value.clone()));
            user.name = Some(field(name, w, &wrote, was));
        }
        Intent::ChangeAge { id, age } => {
            let user = model.user(id);
            let was =
                straddled("users", &["age_group"]).then(|| user.age.as_ref().map(|f| f.value));
            user.age = Some(field(age, w, &wrote, was));
        }
        Intent::ChangeCreatedAt { id, at } => {
            let user = model.user(id);
            let was = straddled("users", &["created_year"])
                .then(|| user.created_at.as_ref().map(|f| f.value.clone()));
            user.created_at = Some(field(at, w, &wrote, was));
        }
        Intent::InsertUser { user } => {
            let Some(id) = inserted else { return };
            model.users.insert(
                id,
                User {
                    row: Row::Inserted(w),
                    name: Some(field(user.name, w, &wrote, None)),
                    age: Some(field(user.age, w, &wrote, None)),
                    created_at: Some(field(user.at, w, &wrote, None)),
                    counts: Some(user.counts),
                },
            );
            model.inserted_users.push(id);
        }
        Intent::InsertOrder { order } => {
            let Some(id) = inserted else { return };
            let named = wrote.contains(&"customer_name");
            model.orders.insert(
                id,
                Order {
                    row: Row::Inserted(w),
                    inserted: Some((order.customer, order.total, order.at, named)),
                },
            );
            model.inserted_orders.push(id);
        }
        Intent::DeleteUser { id } => model.user(id).row = Row::Deleted(w),
        Intent::DeleteOrder { id } => {
            model
                .orders
                .entry(id)
                .or_insert(Order {
                    row: Row::Loaded,
                    inserted: None,
                })
                .row = Row::Deleted(w);
        }
        Intent::RenameCustomer { id, name } => {
            let was = straddled("orders", &["customer_name"])
                .then(|| model.customers.get(&id).map(|f| f.value.clone()));
            model.customers.insert(id, field(name, w, &wrote, was));
        }
    }
}
