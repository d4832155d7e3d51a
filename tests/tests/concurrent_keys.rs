//! Online migrations beside a writing application, on the table shapes the shop's tables and
//! `concurrent_writes.rs` do not have: a UUID primary key on every database (PostgreSQL `UUID`,
//! MySQL `CHAR(36)`, SQLite `TEXT`), and on PostgreSQL a table of another schema next to a
//! table of the same name in `public`. A writer renames, re-rates, inserts and deletes devices
//! (each write autocommitted) while a computed column and a split are filled; afterwards every
//! row must hold what the migration computes from what the application last committed, and the
//! derived `down` must give every name back byte for byte.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod helpers_support;

use diesel::QueryableByName;
use diesel::sql_types::{Integer, Nullable, Text};
use helpers_support::{execute, load, registry, split_reference};
use migrate_core::{
    AnyConnection, Dialect, DownTarget, MigrationDescriptor, MigrationId, MigrationSet, Observer,
    Progress, RunOptions, Runner,
};
use migrate_tests::fixtures::concurrent_writes::{devices, devices_in_schema};
use migrate_tests::{TestDb, test_each_dialect};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Seeded devices: enough that each fill takes dozens of paced batches.
const DEVICES: u64 = 6_000;
/// Writes committed during fills below which the test proves nothing.
const BUSY_DURING_FILLS: u64 = 30;

/// Names with the shapes a split meets: one space, none, several, unicode, a leading and a
/// doubled space (whose first part is empty).
const NAMES: [&str; 8] = [
    "Acme Toaster",
    "Solo",
    "Bosch Series 8 Oven",
    "Ünïcode Mödel ✓",
    " Leading",
    "Double  Space",
    "ZWJ 👩‍💻 Desk",
    "Ends With Space ",
];

/// A xorshift generator: the writes need variety, not good randomness.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A version-4-shaped UUID from a number, lower case as every database prints it.
fn uuid(n: u64) -> String {
    let hi = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xfff,
        n & 0xfff,
        n
    )
}

fn name(rng: &mut Rng, serial: u64) -> String {
    let base = NAMES[rng.below(NAMES.len() as u64) as usize];
    format!("{base} {serial}")
}

fn quote(dialect: Dialect, text: &str) -> String {
    migrate_sql::quote_str(dialect, text).expect("no NUL in test values")
}

/// What the application committed: each device's name and watts.
type Model = BTreeMap<String, (String, Option<i32>)>;

/// What a write does to the model once it committed.
type Change = Box<dyn FnOnce(&mut Model)>;

fn seed(db: &TestDb, table: &str) -> Model {
    let mut rng = Rng(0x5EED_0001);
    let mut model = Model::new();
    let ids: Vec<u64> = (1..=DEVICES).collect();
    for chunk in ids.chunks(500) {
        let values: Vec<String> = chunk
            .iter()
            .map(|&n| {
                let id = uuid(n);
                let full_name = name(&mut rng, n);
                let watts = (!n.is_multiple_of(7)).then(|| (n * 37 % 5000) as i32);
                let sql = format!(
                    "('{id}', {}, {})",
                    quote(db.dialect(), &full_name),
                    watts.map_or("NULL".to_owned(), |w| w.to_string())
                );
                model.insert(id, (full_name, watts));
                sql
            })
            .collect();
        db.execute(&format!(
            "INSERT INTO {table} (id, full_name, watts) VALUES {}",
            values.join(", ")
        ));
    }
    model
}

/// What the writer did.
#[derive(Default)]
struct Report {
    committed: u64,
    during_fills: u64,
    /// The write that found `full_name` gone, if one did (the old application stops there).
    gone: Option<String>,
    errors: Vec<String>,
}

/// The old application: writes `full_name` and `watts`, inserts and deletes, on its own
/// connection, keeping what each committed write left in its model.
struct Writer {
    conn: AnyConnection,
    dialect: Dialect,
    table: String,
    rng: Rng,
    model: Model,
    serial: u64,
    filling: Arc<AtomicBool>,
    report: Report,
}

impl Writer {
    fn start(db: &TestDb, table: &str, model: Model, filling: Arc<AtomicBool>) -> Running {
        let stop = Arc::new(AtomicBool::new(false));
        let writer = Writer {
            conn: db.connect(),
            dialect: db.dialect(),
            table: table.to_owned(),
            rng: Rng(std::process::id() as u64 | 1),
            model,
            serial: DEVICES,
            filling,
            report: Report::default(),
        };
        let stopping = stop.clone();
        Running {
            stop,
            thread: std::thread::spawn(move || writer.run(&stopping)),
        }
    }

    fn run(mut self, stop: &AtomicBool) -> Writer {
        while !stop.load(Ordering::SeqCst) && self.report.gone.is_none() {
            let filling = self.filling.load(Ordering::SeqCst);
            if self.write_one() && filling && self.filling.load(Ordering::SeqCst) {
                self.report.during_fills += 1;
            }
            // SQLite's busy handler polls for the write lock: leave it free most of the time.
            let pause = if self.dialect == Dialect::Sqlite {
                4
            } else {
                1
            };
            std::thread::sleep(Duration::from_millis(pause));
        }
        self
    }

    fn some_device(&mut self) -> Option<String> {
        let n = self.model.len() as u64;
        (n > 0).then(|| {
            let i = self.rng.below(n) as usize;
            self.model.keys().nth(i).cloned().unwrap()
        })
    }

    /// One write; whether it committed.
    fn write_one(&mut self) -> bool {
        let table = self.table.clone();
        let kind = self.rng.below(20);
        self.serial += 1;
        let serial = self.serial;
        let (sql, apply): (String, Change) = match kind {
            0..=7 => {
                let Some(id) = self.some_device() else {
                    return false;
                };
                let full_name = name(&mut self.rng, serial);
                (
                    format!(
                        "UPDATE {table} SET full_name = {} WHERE id = '{id}'",
                        quote(self.dialect, &full_name)
                    ),
                    Box::new(move |m: &mut Model| m.get_mut(&id).unwrap().0 = full_name),
                )
            }
            8..=11 => {
                let Some(id) = self.some_device() else {
                    return false;
                };
                let watts = self.rng.below(9000) as i32;
                (
                    format!("UPDATE {table} SET watts = {watts} WHERE id = '{id}'"),
                    Box::new(move |m: &mut Model| m.get_mut(&id).unwrap().1 = Some(watts)),
                )
            }
            12..=16 => {
                let id = uuid(serial);
                let full_name = name(&mut self.rng, serial);
                let watts = (!serial.is_multiple_of(3)).then(|| (serial * 13 % 7000) as i32);
                (
                    format!(
                        "INSERT INTO {table} (id, full_name, watts) VALUES ('{id}', {}, {})",
                        quote(self.dialect, &full_name),
                        watts.map_or("NULL".to_owned(), |w| w.to_string())
                    ),
                    Box::new(move |m: &mut Model| {
                        m.insert(id, (full_name, watts));
                    }),
                )
            }
            _ => {
                let Some(id) = self.some_device() else {
                    return false;
                };
                (
                    format!("DELETE FROM {table} WHERE id = '{id}'"),
                    Box::new(move |m: &mut Model| {
                        m.remove(&id);
                    }),
                )
            }
        };
        match execute(&mut self.conn, &sql) {
            Ok(_) => {
                apply(&mut self.model);
                self.report.committed += 1;
                if !sql.contains("full_name") {
                    self.settle(&sql);
                }
                true
            }
            Err(e) => {
                let message = e.to_string();
                if sql.contains("full_name") && names_missing_full_name(&message) {
                    self.report.gone = Some(sql);
                } else {
                    self.report.errors.push(format!("{sql}: {message}"));
                }
                false
            }
        }
    }
}

impl Writer {
    /// After a write that does not name `full_name` (a change of watts, or a delete): if
    /// `full_name` is gone, the migration has ended, perhaps before the write, and with it the
    /// triggers that computed `kilowatts`. The application is the new one from then on, and
    /// writes the derived value of what it touched itself, as it would have had it known.
    fn settle(&mut self, sql: &str) {
        let probe = format!(
            "SELECT COUNT(full_name) AS n FROM {} WHERE 1 = 0",
            self.table
        );
        let Err(e) = execute(&mut self.conn, &probe) else {
            return;
        };
        let message = e.to_string();
        if !names_missing_full_name(&message) {
            self.report.errors.push(format!("{probe}: {message}"));
            return;
        }
        self.report.gone = Some(format!("after {sql}"));
        for (id, (_, watts)) in &self.model {
            if sql.contains(id.as_str()) {
                let fix = format!(
                    "UPDATE {} SET kilowatts = {} WHERE id = '{id}'",
                    self.table,
                    watts.unwrap_or(0) / 1000
                );
                if let Err(e) = execute(&mut self.conn, &fix) {
                    self.report.errors.push(format!("{fix}: {e}"));
                }
            }
        }
    }
}

/// Whether a database error says `full_name` does not exist (the migration dropped it).
fn names_missing_full_name(message: &str) -> bool {
    (message.contains("column \"full_name\"") && message.contains("does not exist"))
        || message.contains("Unknown column 'full_name'")
        || message.contains("no such column: full_name")
        || message.contains("has no column named full_name")
}

struct Running {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Writer>,
}

impl Running {
    fn stop(self) -> Writer {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap()
    }
}

/// Tells the writer while a batched fill is under way.
struct Watch(Arc<AtomicBool>);

impl Observer for Watch {
    fn progress(&mut self, _migration: &MigrationDescriptor, progress: &Progress) {
        self.0.store(!progress.finished, Ordering::SeqCst);
    }
}

fn paced() -> RunOptions {
    RunOptions {
        batch_time: Some(Duration::from_millis(1)),
        batch_pause: Some(Duration::from_millis(15)),
        ..RunOptions::default()
    }
}

fn up(db: &TestDb, set: &'static MigrationSet, to: u64, watch: &mut Watch) {
    let registry = registry(set);
    let mut conn = db.connect();
    Runner::new(&mut conn, &registry)
        .options(paced())
        .observer(watch)
        .up(Some(MigrationId(to)))
        .map(drop)
        .unwrap_or_else(|e| panic!("up failed: {e}\nhint: {}", e.hint().unwrap_or_default()));
}

fn down(db: &TestDb, set: &'static MigrationSet, to: u64) {
    let registry = registry(set);
    let mut conn = db.connect();
    Runner::new(&mut conn, &registry)
        .options(paced())
        .down(DownTarget::To(MigrationId(to)))
        .map(drop)
        .unwrap_or_else(|e| panic!("down failed: {e}\nhint: {}", e.hint().unwrap_or_default()));
}

#[derive(QueryableByName)]
struct Split {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    brand: String,
    #[diesel(sql_type = Nullable<Text>)]
    model: Option<String>,
    #[diesel(sql_type = Integer)]
    kilowatts: i32,
}

#[derive(QueryableByName)]
struct Merged {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    full_name: String,
}

/// The id as text, whatever its column type.
fn id_text(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "CAST(id AS TEXT)",
        Dialect::Mysql | Dialect::Sqlite => "id",
    }
}

/// Every row after `up` against the application's model: the parts of the last committed name,
/// `kilowatts` from the last committed watts, no row missing, none left over.
fn check_split(db: &TestDb, table: &str, model: &Model) -> Vec<String> {
    let rows: Vec<Split> = load(
        db,
        &format!(
            "SELECT {} AS id, brand, model, kilowatts FROM {table}",
            id_text(db.dialect())
        ),
    );
    let mut problems = Vec::new();
    let mut seen = 0;
    for row in &rows {
        let Some((full_name, watts)) = model.get(&row.id) else {
            problems.push(format!(
                "{}: a row the application deleted, or never wrote",
                row.id
            ));
            continue;
        };
        seen += 1;
        let want = split_reference(Some(full_name), " ", 2);
        let got = vec![Some(row.brand.clone()), row.model.clone()];
        if got != want {
            problems.push(format!(
                "{}: {full_name:?} split into {got:?}, not {want:?}",
                row.id
            ));
        }
        let kilowatts = watts.unwrap_or(0) / 1000;
        if row.kilowatts != kilowatts {
            problems.push(format!(
                "{}: kilowatts {} for watts {watts:?}, not {kilowatts}",
                row.id, row.kilowatts
            ));
        }
    }
    if seen != model.len() {
        problems.push(format!(
            "{} of the application's {} devices are missing",
            model.len() - seen,
            model.len()
        ));
    }
    problems
}

/// Every name after the derived `down`, against the model: byte for byte.
fn check_merged(db: &TestDb, table: &str, model: &Model) -> Vec<String> {
    let rows: Vec<Merged> = load(
        db,
        &format!(
            "SELECT {} AS id, full_name FROM {table}",
            id_text(db.dialect())
        ),
    );
    let got: BTreeMap<String, String> = rows.into_iter().map(|r| (r.id, r.full_name)).collect();
    let want: BTreeMap<String, String> = model
        .iter()
        .map(|(id, (name, _))| (id.clone(), name.clone()))
        .collect();
    if got == want {
        return Vec::new();
    }
    let wrong: Vec<String> = want
        .iter()
        .filter(|(id, name)| got.get(*id) != Some(*name))
        .take(5)
        .map(|(id, name)| format!("{id}: {:?}, not {name:?}", got.get(id)))
        .collect();
    vec![format!(
        "{} names differ after down ({} rows, {} expected); first: {wrong:?}",
        want.iter()
            .filter(|(id, name)| got.get(*id) != Some(*name))
            .count(),
        got.len(),
        want.len()
    )]
}

/// Triggers and functions of the migration left on the database.
fn leftovers(db: &TestDb) -> i64 {
    db.count(match db.dialect() {
        Dialect::Postgres => {
            "SELECT (SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE '\\_migrate%') \
             + (SELECT COUNT(*) FROM pg_proc WHERE proname LIKE '\\_migrate%') AS n"
        }
        Dialect::Mysql => {
            "SELECT COUNT(*) AS n FROM information_schema.triggers WHERE trigger_schema = DATABASE()"
        }
        Dialect::Sqlite => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'trigger'",
    })
}

/// Seeds `table`, runs migration `to` of `set` online while the writer writes, and checks
/// every row; then reverts it and checks every name.
fn split_beside_the_writer(db: &TestDb, set: &'static MigrationSet, table: &str, to: u64) {
    let model = seed(db, table);
    let filling = Arc::new(AtomicBool::new(false));
    let running = Writer::start(db, table, model, filling.clone());
    up(db, set, to, &mut Watch(filling.clone()));
    let writer = running.stop();
    let report = &writer.report;
    let summary = format!(
        "writer: {} writes committed, {} during fills, stopped at {:?}",
        report.committed, report.during_fills, report.gone
    );
    let mut problems = check_split(db, table, &writer.model);
    if !report.errors.is_empty() {
        problems.push(format!(
            "{} of the application's writes failed; first: {:?}",
            report.errors.len(),
            &report.errors[..report.errors.len().min(3)]
        ));
    }
    if report.during_fills < BUSY_DURING_FILLS {
        problems.push(format!(
            "only {} writes committed during fills: the test proves nothing",
            report.during_fills
        ));
    }
    let left = leftovers(db);
    if left != 0 {
        problems.push(format!("{left} triggers or functions left behind"));
    }
    assert!(
        problems.is_empty(),
        "{} on {}:\n  {}\n{summary}",
        problems.len(),
        db.dialect(),
        problems.join("\n  ")
    );

    down(db, set, to - 1);
    let problems = check_merged(db, table, &writer.model);
    assert!(problems.is_empty(), "{}: {problems:?}", db.dialect());
}

test_each_dialect! {
    /// A UUID-keyed table: every rename, re-rating, insert and delete the application made
    /// during the online split reaches the new columns, and `down` gives the names back.
    fn every_write_to_a_uuid_keyed_table_during_an_online_split_is_kept(db: &TestDb) {
        helpers_support::up_to(db, &devices::SET, 1).unwrap();
        split_beside_the_writer(db, &devices::SET, "devices", 2);
    }
}

/// The same on `app.devices`, beside a `public.devices` the application also has: the triggers
/// go on the right table, and the other one's rows and columns are untouched.
#[test]
fn every_write_to_a_table_of_another_postgres_schema_during_an_online_split_is_kept() {
    let db = TestDb::new(Dialect::Postgres);
    db.execute("CREATE SCHEMA app");
    for table in ["app.devices", "public.devices"] {
        db.execute(&format!(
            "CREATE TABLE {table} (id UUID PRIMARY KEY, full_name VARCHAR(100) NOT NULL, watts INTEGER)"
        ));
    }
    db.execute("INSERT INTO public.devices (id, full_name) VALUES ('00000000-0000-4000-8000-000000000000', 'Untouched One')");
    split_beside_the_writer(&db, &devices_in_schema::SET, "app.devices", 1);
    assert_eq!(
        db.count("SELECT COUNT(*) AS n FROM public.devices WHERE full_name = 'Untouched One' AND watts IS NULL"),
        1
    );
    assert_eq!(
        db.count(
            "SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'devices'"
        ),
        3,
        "public.devices keeps its three columns"
    );
}
