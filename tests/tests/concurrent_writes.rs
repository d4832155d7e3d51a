//! Online migrations beside a running application. A writer thread, on its own connection,
//! keeps renaming people, changing their ages and customers, renaming customers, inserting and
//! deleting people and order lines and changing quantities (each write autocommitted) while
//! `up` or `down` fills the new columns in batches. Afterwards every row must hold what the
//! migration computes from the values the application last committed (no write lost, no row
//! missed), the application must never have failed except on a column the migration dropped,
//! and no trigger or function of the migration may be left behind. Also: a run killed in the
//! middle of a fill and resumed while the writes go on, and a NOT NULL constraint on a column
//! the application leaves NULL, which must stop at its check, naming those rows.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod helpers_support;

use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use helpers_support::{execute, literal, load, registry, split_reference, state, up_to};
use migrate_core::{
    AnyConnection, Dialect, DownTarget, Error, ErrorKind, MigrationDescriptor, MigrationId,
    MigrationSet, MigrationState, Observer, Progress, RunOptions, Runner,
};
use migrate_tests::fixtures::concurrent_writes::{nickname, reshape};
use migrate_tests::{TestDb, test_each_dialect};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Seeded people: enough that each fill takes a few dozen batches.
const PEOPLE: usize = 4_000;
/// Seeded customers, ids from 1.
const CUSTOMERS: i32 = 100;
/// Seeded orders, ids from 1, each with lines 1 to 5.
const ORDERS: i32 = 800;
/// Lines per seeded order.
const LINES_PER_ORDER: i32 = 5;
/// The split's separator.
const SEPARATOR: &str = " ";

/// The rest after each batch of `up`, whose five fills take about 0.5 s each with it.
const UP_PAUSE_MS: u64 = 15;
/// The rest after each batch of `down`, whose one fill (the merge) takes about 1 s with it.
const DOWN_PAUSE_MS: u64 = 40;

/// Batches of about 1 ms (100 rows, the smallest batch) with a rest of `pause_ms` after each, so
/// that every fill takes a few dozen batches and the writer gets its writes in meanwhile.
fn paced(pause_ms: u64) -> RunOptions {
    RunOptions {
        batch_time: Some(Duration::from_millis(1)),
        batch_pause: Some(Duration::from_millis(pause_ms)),
        ..RunOptions::default()
    }
}

/// `paced(UP_PAUSE_MS)` as the command's flags, for the fixture binary.
const PACED_ARGS: [&str; 4] = ["--batch-time", "1", "--batch-pause", "15"];

// ---------------------------------------------------------------------------------------------
// Randomness

/// A xorshift generator: the writes need variety, not good randomness. The writer's seed is
/// printed, so that a failing sequence of writes can be told apart from another.
struct Rng(u64);

impl Rng {
    /// A generator that gives the same numbers every run.
    fn fixed(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// A generator seeded from the clock, its seed printed.
    fn from_clock(what: &str) -> Rng {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        eprintln!("{what}: seed {seed}");
        Rng::fixed(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Given names: unicode, quotes, a backslash, one with a space of its own.
const GIVEN: [&str; 12] = [
    "Mary",
    "Zoë",
    "O'Brien",
    "山田",
    "José",
    "say \"hi\"",
    "back\\slash",
    "Łukasz",
    "Cher",
    "D'Arcy",
    "Nguyễn",
    "Ann",
];

/// Family names, some of several words.
const FAMILY: [&str; 9] = [
    "Smith",
    "Ünal",
    "太郎",
    "Jr",
    "van der Berg",
    "O'Neil",
    "Müller",
    "\"Quoted\"",
    "Ann Smith",
];

/// Prefixes of the people's codes: text keys that sort apart on every database and collation
/// (none differ only by case or accent, which MySQL's collation would take as equal).
const PREFIXES: [&str; 8] = ["p-", "Ü-", "a", "日本", "z z", "O'", "q\"", "b\\"];

/// A full name of one of the shapes a split must keep apart (a single name, leading, trailing
/// and doubled separators, several separators, empty); `n` makes it differ from earlier ones.
fn full_name(rng: &mut Rng, n: u64) -> String {
    let given = rng.pick(&GIVEN);
    let family = rng.pick(&FAMILY);
    match rng.below(12) {
        0 => format!("{given}{n}"),
        1 => format!(" {given}{n}"),
        2 => format!("{given}{n} "),
        3 => format!("{given}  {family}{n}"),
        4 => format!("{given} {family} {n}"),
        5 if n.is_multiple_of(2) => String::new(),
        _ => format!("{given} {family}{n}"),
    }
}

/// A customer's name, NULL one time in ten.
fn customer_name(rng: &mut Rng, n: u64) -> Option<String> {
    (!rng.chance(10)).then(|| format!("{} {} & Co {n}", rng.pick(&GIVEN), rng.pick(&FAMILY)))
}

/// An age, NULL one time in seven.
fn age(rng: &mut Rng) -> Option<i32> {
    (!rng.chance(14)).then(|| rng.below(100) as i32)
}

/// A person's customer: one that exists mostly, sometimes none, sometimes one that does not
/// exist (the join finds no name).
fn customer_of(rng: &mut Rng) -> Option<i32> {
    match rng.below(10) {
        0 => None,
        1 => Some(CUSTOMERS + 1_000 + rng.below(50) as i32),
        _ => Some(1 + rng.below(CUSTOMERS as u64) as i32),
    }
}

/// A quantity, NULL one time in seven.
fn qty(rng: &mut Rng) -> Option<i32> {
    (!rng.chance(14)).then(|| rng.below(50) as i32)
}

// ---------------------------------------------------------------------------------------------
// The expected state

/// What the application last committed, row by row: what every row must hold once the
/// migration has run (deleted rows are gone from it).
#[derive(Debug, Clone, Default)]
struct Model {
    people: BTreeMap<String, Person>,
    customers: BTreeMap<i32, Option<String>>,
    lines: BTreeMap<(i32, i32), Option<i32>>,
    /// The last number given to a new name or code, so that each differs from all before
    /// (across the writers of one test too).
    serial: u64,
}

/// A person as the application last wrote them, the name as its split parts (a full name is
/// kept as its split, which merges back to it byte for byte).
#[derive(Debug, Clone)]
struct Person {
    first: String,
    last: Option<String>,
    age: Option<i32>,
    customer: Option<i32>,
}

impl Person {
    fn new(full_name: &str, age: Option<i32>, customer: Option<i32>) -> Person {
        let (first, last) = parts(full_name);
        Person {
            first,
            last,
            age,
            customer,
        }
    }

    /// The full name `merge_columns!` gives back: the parts up to the first NULL, joined.
    fn full_name(&self) -> String {
        match &self.last {
            Some(last) => format!("{}{SEPARATOR}{last}", self.first),
            None => self.first.clone(),
        }
    }
}

/// `full_name` split as `split_column!` promises (tests/helpers_support's reference).
fn parts(full_name: &str) -> (String, Option<String>) {
    let mut parts = split_reference(Some(full_name), SEPARATOR, 2).into_iter();
    let first = parts
        .next()
        .flatten()
        .expect("a text's first part is never NULL");
    (first, parts.next().flatten())
}

/// The migration's age group: its `if`/`else` (a NULL age falls to the `else`), then the
/// update of the NULL ages to "unknown".
fn age_group(age: Option<i32>) -> &'static str {
    match age {
        None => "unknown",
        Some(a) if a < 18 => "minor",
        Some(a) if a < 65 => "adult",
        Some(_) => "senior",
    }
}

/// The migration's doubled quantity.
fn doubled(qty: Option<i32>) -> i32 {
    qty.unwrap_or(0) * 2
}

impl Model {
    /// The current name of `customer`, NULL for none or one that does not exist.
    fn customer_name(&self, customer: Option<i32>) -> Option<String> {
        customer.and_then(|c| self.customers.get(&c).cloned().flatten())
    }

    /// The people of `customer`.
    fn people_of(&self, customer: i32) -> Vec<String> {
        self.people
            .iter()
            .filter(|(_, p)| p.customer == Some(customer))
            .map(|(code, _)| code.clone())
            .collect()
    }
}

/// Seeds the tables (created by migration 1 of either set) and returns what they hold: every
/// shape of name, NULL ages and quantities, people without a customer or with one that does
/// not exist, customers without a name. The same rows every run.
fn seed(db: &TestDb) -> Model {
    let mut rng = Rng::fixed(20_240_601);
    let mut model = Model::default();
    for id in 1..=CUSTOMERS {
        model
            .customers
            .insert(id, customer_name(&mut rng, id as u64));
    }
    for i in 0..PEOPLE {
        let code = format!("{}{i:04}", PREFIXES[i % PREFIXES.len()]);
        let name = full_name(&mut rng, i as u64);
        let person = Person::new(&name, age(&mut rng), customer_of(&mut rng));
        model.people.insert(code, person);
    }
    for order in 1..=ORDERS {
        for line in 1..=LINES_PER_ORDER {
            model.lines.insert((order, line), qty(&mut rng));
        }
    }
    model.serial = PEOPLE as u64;

    let customers: Vec<String> = model
        .customers
        .iter()
        .map(|(id, name)| format!("({id}, {})", literal(db, name.as_deref())))
        .collect();
    insert_rows(db, "customers (id, name)", &customers);
    let people: Vec<String> = model
        .people
        .iter()
        .map(|(code, p)| {
            format!(
                "({}, {}, {}, {})",
                literal(db, Some(code)),
                literal(db, Some(&p.full_name())),
                number(p.age),
                number(p.customer)
            )
        })
        .collect();
    insert_rows(db, "people (code, full_name, age, customer_id)", &people);
    let lines: Vec<String> = model
        .lines
        .iter()
        .map(|((order, line), qty)| format!("({order}, {line}, {})", number(*qty)))
        .collect();
    insert_rows(db, "order_lines (order_id, line, qty)", &lines);
    model
}

/// Inserts `rows` (each a parenthesized list of values) into `target`, a few hundred a statement.
fn insert_rows(db: &TestDb, target: &str, rows: &[String]) {
    for chunk in rows.chunks(200) {
        db.execute(&format!("INSERT INTO {target} VALUES {}", chunk.join(", ")));
    }
}

/// `value` as SQL.
fn number(value: Option<i32>) -> String {
    value.map_or_else(|| "NULL".to_owned(), |v| v.to_string())
}

// ---------------------------------------------------------------------------------------------
// The application

/// The kinds of writes the application makes, with how often (out of their sum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// `UPDATE people SET full_name` (or `first_name`, `last_name`).
    Rename,
    /// `UPDATE people SET age`.
    Age,
    /// `UPDATE people SET customer_id`.
    Customer,
    /// `UPDATE customers SET name`.
    CustomerRename,
    /// `INSERT INTO people`.
    InsertPerson,
    /// `DELETE FROM people`.
    DeletePerson,
    /// `INSERT INTO order_lines`.
    InsertLine,
    /// `DELETE FROM order_lines`.
    DeleteLine,
    /// `UPDATE order_lines SET qty`.
    Qty,
}

const KINDS: [(Kind, u64); 9] = [
    (Kind::Rename, 18),
    (Kind::Age, 12),
    (Kind::Customer, 10),
    (Kind::CustomerRename, 8),
    (Kind::InsertPerson, 12),
    (Kind::DeletePerson, 8),
    (Kind::InsertLine, 10),
    (Kind::DeleteLine, 8),
    (Kind::Qty, 14),
];

/// Which writes the application makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mix {
    /// Every kind.
    All,
    /// All but inserts: lost updates show without inserts making a NOT NULL step fail first.
    NoInserts,
}

impl Mix {
    fn kinds(self) -> impl Iterator<Item = (Kind, u64)> {
        KINDS.into_iter().filter(move |(kind, _)| {
            self == Mix::All || !matches!(kind, Kind::InsertPerson | Kind::InsertLine)
        })
    }
}

/// What the application writes, as far as the schema it finds lets it.
#[derive(Debug, Clone, Copy)]
struct Shape {
    /// Names as `first_name`/`last_name` (the new application), else as `full_name`.
    parts: bool,
    /// Whether it writes `people.age_group` itself.
    age_group: bool,
    /// Whether it writes `people.customer_name` itself (per person, on a rename of the customer
    /// too).
    customer_name: bool,
    /// Whether it writes `order_lines.doubled` itself.
    doubled: bool,
    /// The old application during `up`: it leaves every new column to the migration, which
    /// must compute them for its writes until the migration ends (the split, its last change,
    /// drops `full_name`).
    old: bool,
}

/// The application before `up`: it knows only the old columns.
const OLD_APP: Shape = Shape {
    parts: false,
    age_group: false,
    customer_name: false,
    doubled: false,
    old: true,
};

/// The application after `up`: it writes every column itself.
const NEW_APP: Shape = Shape {
    parts: true,
    age_group: true,
    customer_name: true,
    doubled: true,
    old: false,
};

impl Shape {
    /// What the application does once a write failed because the migration dropped `column`.
    /// Once `full_name` is gone, `up` is over: the new application takes over.
    fn without(&mut self, column: &str) {
        match column {
            "full_name" => *self = NEW_APP,
            "first_name" | "last_name" => self.parts = false,
            "age_group" => self.age_group = false,
            "customer_name" => self.customer_name = false,
            "doubled" => self.doubled = false,
            _ => unreachable!("only the migration's columns go"),
        }
    }
}

/// The columns the migrations drop (in one direction or the other).
const DROPPED: [&str; 6] = [
    "full_name",
    "first_name",
    "last_name",
    "age_group",
    "customer_name",
    "doubled",
];

/// The column among [`DROPPED`] whose NOT NULL a database error says a write violated.
fn null_refused(message: &str) -> Option<&'static str> {
    DROPPED.into_iter().find(|c| {
        (message.contains(&format!("column \"{c}\"")) && message.contains("not-null constraint"))
            || message.contains(&format!("Column '{c}' cannot be null"))
            || message.contains(&format!("Field '{c}' doesn't have a default value"))
            || message.contains(&format!("NOT NULL constraint failed: order_lines.{c}"))
            || message.contains(&format!("NOT NULL constraint failed: people.{c}"))
    })
}

/// The column among [`DROPPED`] that a database error says does not exist, if `sql` names it:
/// a statement that does not name the column (a trigger's failure) is not the application's
/// write to a dropped column.
fn missing_column(sql: &str, message: &str) -> Option<&'static str> {
    DROPPED.into_iter().find(|c| {
        sql.contains(c)
            && ((message.contains(&format!("column \"{c}\""))
                && message.contains("does not exist"))
                || message.contains(&format!("Unknown column '{c}'"))
                || message.contains(&format!("no such column: {c}"))
                || message.contains(&format!("has no column named {c}")))
    })
}

/// What a write touched, whose derived values the new application writes when the old one
/// cannot know whether the migration still computes them.
enum Touched {
    Person(String),
    Customer(i32),
    Line((i32, i32)),
}

/// What the writer did.
#[derive(Debug, Default)]
struct Report {
    /// Writes committed, by kind.
    committed: BTreeMap<Kind, u64>,
    /// Writes committed while a batched fill was under way (the run's observer says so).
    during_fills: u64,
    /// The dropped columns it met, in order, with the kind of write that met each.
    gone: Vec<String>,
    /// Writes of derived values the application made itself: the new application's copies of
    /// a customer's name into its people, and its values after an ambiguous write of the old.
    derived: u64,
    /// Every other failure of a write: the migration must cause none.
    errors: Vec<String>,
    /// The codes of the people it inserted.
    inserted: BTreeSet<String>,
}

impl Report {
    fn total(&self) -> u64 {
        self.committed.values().sum()
    }

    /// One line of counts, for messages.
    fn summary(&self) -> String {
        format!(
            "{} writes committed ({} during fills): {:?}; columns found gone: {:?}; {} derived values written by the application itself; {} failed writes",
            self.total(),
            self.during_fills,
            self.committed,
            self.gone,
            self.derived,
            self.errors.len()
        )
    }
}

/// The application: one connection, each write autocommitted, keeping in [`Model`] what each
/// write that committed left. It adapts to the schema the way a deployed application does: a
/// write to a column the migration dropped fails, is not counted, and the application writes
/// the new shape from then on. Any other failure is recorded in [`Report::errors`].
struct Writer {
    conn: AnyConnection,
    dialect: Dialect,
    rng: Rng,
    model: Model,
    shape: Shape,
    mix: Mix,
    /// Set while a batched fill is under way.
    filling: Arc<AtomicBool>,
    /// People inserted so far, readable while it runs.
    inserted: Arc<AtomicU64>,
    /// [`Report::during_fills`], readable while it runs.
    during_fills: Arc<AtomicU64>,
    report: Report,
}

/// A writer running on its own thread until [`Running::stop`].
struct Running {
    stop: Arc<AtomicBool>,
    inserted: Arc<AtomicU64>,
    during_fills: Arc<AtomicU64>,
    thread: JoinHandle<Writer>,
}

impl Running {
    /// Stops the writer after its current write and hands it back.
    fn stop(self) -> Writer {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap()
    }

    /// Waits until it has inserted `n` people (not a timing assertion: it waits for as long as
    /// that takes).
    fn wait_for_inserts(&self, n: u64) {
        while self.inserted.load(Ordering::SeqCst) < n {
            assert!(!self.thread.is_finished(), "the writer stopped");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits until `n` of its writes committed while a fill was under way (as long as that
    /// takes, like [`Running::wait_for_inserts`]).
    fn wait_for_writes_during_fills(&self, n: u64) {
        while self.during_fills.load(Ordering::SeqCst) < n {
            assert!(!self.thread.is_finished(), "the writer stopped");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Writer {
    /// Starts writing to `db`, whose rows are `model`, in `shape`.
    fn start(db: &TestDb, model: Model, shape: Shape, mix: Mix, watch: &Watch) -> Running {
        let stop = Arc::new(AtomicBool::new(false));
        let inserted = Arc::new(AtomicU64::new(0));
        let during_fills = Arc::new(AtomicU64::new(0));
        let writer = Writer {
            conn: db.connect(),
            dialect: db.dialect(),
            rng: Rng::from_clock(&format!("writer on {}", db.dialect())),
            model,
            shape,
            mix,
            filling: watch.filling.clone(),
            inserted: inserted.clone(),
            during_fills: during_fills.clone(),
            report: Report::default(),
        };
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || writer.run(&stopping));
        Running {
            stop,
            inserted,
            during_fills,
            thread,
        }
    }

    fn run(mut self, stop: &AtomicBool) -> Writer {
        while !stop.load(Ordering::SeqCst) {
            let filling = self.filling.load(Ordering::SeqCst);
            let before = self.report.total();
            self.write_one();
            if filling && self.filling.load(Ordering::SeqCst) && self.report.total() > before {
                self.report.during_fills += 1;
                self.during_fills.fetch_add(1, Ordering::SeqCst);
            }
            // An application pauses between requests. On SQLite, whose busy handler polls for
            // the write lock instead of queueing, back-to-back writes would starve the
            // migration's batches: there the writer leaves the lock free most of the time.
            let pause = if self.dialect == Dialect::Sqlite {
                4
            } else {
                1
            };
            std::thread::sleep(Duration::from_millis(pause));
        }
        self
    }

    fn serial(&mut self) -> u64 {
        self.model.serial += 1;
        self.model.serial
    }

    fn text(&self, value: Option<&str>) -> String {
        literal_of(self.dialect, value)
    }

    fn random_person(&mut self) -> Option<String> {
        let n = self.model.people.len() as u64;
        (n > 0).then(|| {
            let i = self.rng.below(n) as usize;
            self.model.people.keys().nth(i).cloned().unwrap()
        })
    }

    fn random_line(&mut self) -> Option<(i32, i32)> {
        let n = self.model.lines.len() as u64;
        (n > 0).then(|| {
            let i = self.rng.below(n) as usize;
            *self.model.lines.keys().nth(i).unwrap()
        })
    }

    fn write_one(&mut self) {
        let total: u64 = self.mix.kinds().map(|(_, w)| w).sum();
        let mut roll = self.rng.below(total);
        let kind = self
            .mix
            .kinds()
            .find(|(_, weight)| {
                let hit = roll < *weight;
                roll = roll.saturating_sub(*weight);
                hit
            })
            .map(|(kind, _)| kind)
            .unwrap();
        match kind {
            Kind::Rename => self.rename(),
            Kind::Age => self.change_age(),
            Kind::Customer => self.change_customer(),
            Kind::CustomerRename => self.rename_customer(),
            Kind::InsertPerson => self.insert_person(),
            Kind::DeletePerson => self.delete_person(),
            Kind::InsertLine => self.insert_line(),
            Kind::DeleteLine => self.delete_line(),
            Kind::Qty => self.change_qty(),
        }
    }

    /// Runs one autocommitted write that must change `rows` rows. True when it committed so;
    /// a write to a dropped column changes the shape, any other failure is recorded.
    fn execute(&mut self, what: &str, sql: &str, rows: usize) -> bool {
        match execute(&mut self.conn, sql) {
            Ok(n) if n == rows => true,
            Ok(n) => {
                self.report
                    .errors
                    .push(format!("{what}: changed {n} rows instead of {rows}: {sql}"));
                false
            }
            Err(e) => {
                let message = e.to_string();
                if let Some(column) = missing_column(sql, &message) {
                    self.report.gone.push(format!("{column} ({what})"));
                    self.shape.without(column);
                } else if let Some(column) = null_refused(&message)
                    && self.shape.old
                    && self.full_name_gone() == Some(true)
                {
                    // The migration ended between this write and the last one that found
                    // `full_name`: its triggers are gone, its NOT NULLs hold, and the old
                    // application's write fails as it would after the atomic form. The
                    // application is the new one from now on.
                    self.report.gone.push(format!(
                        "full_name (NOT NULL of {column} after the end: {what})"
                    ));
                    self.shape.without("full_name");
                } else {
                    self.report
                        .errors
                        .push(format!("{what}: {message}\n    SQL: {sql}"));
                }
                false
            }
        }
    }

    /// Whether `full_name` is gone, which tells that the migration has ended (the split, its
    /// last change, drops it); `None`, recorded as an error, if the probe itself failed.
    fn full_name_gone(&mut self) -> Option<bool> {
        let probe = "SELECT COUNT(full_name) AS n FROM people WHERE 1 = 0";
        match count(&mut self.conn, probe) {
            Ok(_) => Some(false),
            Err(e) => {
                let message = e.to_string();
                if missing_column(probe, &message).is_some() {
                    Some(true)
                } else {
                    self.report
                        .errors
                        .push(format!("probe: {message}\n    SQL: {probe}"));
                    None
                }
            }
        }
    }

    /// [`execute`](Writer::execute) for a write of `kind`, counted when it committed.
    fn write(&mut self, kind: Kind, sql: &str, rows: usize) -> bool {
        let done = self.execute(&format!("{kind:?}"), sql, rows);
        if done {
            *self.report.committed.entry(kind).or_default() += 1;
        }
        done
    }

    /// After a write of the old application that does not name `full_name`: whether it came
    /// before the end of the migration, which computes the new columns for it until then, is
    /// told by `full_name` still being there. If it is gone, the write may have come after the
    /// migration's end: the application, now the new one, writes the derived values of what it
    /// touched itself, as it would have had it known.
    fn settle(&mut self, touched: Touched) {
        if !self.shape.old {
            return;
        }
        if self.full_name_gone() != Some(true) {
            return;
        }
        self.report
            .gone
            .push("full_name (after an earlier write)".to_owned());
        self.shape.without("full_name");
        match touched {
            Touched::Person(code) => self.write_derived_person(&code),
            Touched::Customer(id) => self.copy_customer_name(id),
            Touched::Line(key) => self.write_doubled(key),
        }
    }

    /// The new application's own values of `code`'s derived columns.
    fn write_derived_person(&mut self, code: &str) {
        let Some(person) = self.model.people.get(code) else {
            return;
        };
        let group = age_group(person.age);
        let name = self.model.customer_name(person.customer);
        let sql = format!(
            "UPDATE people SET age_group = {}, customer_name = {} WHERE code = {}",
            self.text(Some(group)),
            self.text(name.as_deref()),
            self.text(Some(code))
        );
        if self.execute("settle person", &sql, 1) {
            self.report.derived += 1;
        }
    }

    /// The new application's copy of customer `id`'s name into each of its people, one person
    /// a statement (a statement over all of them would lock rows in another order than the
    /// migration's batches, and could deadlock with them).
    fn copy_customer_name(&mut self, id: i32) {
        let name = self.model.customer_name(Some(id));
        for code in self.model.people_of(id) {
            if !self.shape.customer_name {
                return;
            }
            let sql = format!(
                "UPDATE people SET customer_name = {} WHERE code = {}",
                self.text(name.as_deref()),
                self.text(Some(&code))
            );
            if self.execute("copy customer name", &sql, 1) {
                self.report.derived += 1;
            }
        }
    }

    fn write_doubled(&mut self, key: (i32, i32)) {
        let Some(qty) = self.model.lines.get(&key).copied() else {
            return;
        };
        let sql = format!(
            "UPDATE order_lines SET doubled = {} WHERE order_id = {} AND line = {}",
            doubled(qty),
            key.0,
            key.1
        );
        if self.execute("settle line", &sql, 1) {
            self.report.derived += 1;
        }
    }

    /// The name columns and their values for `full_name`, in the current shape.
    fn name_values(&self, full_name: &str) -> Vec<(&'static str, String)> {
        if self.shape.parts {
            let (first, last) = parts(full_name);
            vec![
                ("first_name", self.text(Some(&first))),
                ("last_name", self.text(last.as_deref())),
            ]
        } else {
            vec![("full_name", self.text(Some(full_name)))]
        }
    }

    fn rename(&mut self) {
        let Some(code) = self.random_person() else {
            return;
        };
        let serial = self.serial();
        let name = full_name(&mut self.rng, serial);
        let sets: Vec<String> = self
            .name_values(&name)
            .into_iter()
            .map(|(c, v)| format!("{c} = {v}"))
            .collect();
        let sql = format!(
            "UPDATE people SET {} WHERE code = {}",
            sets.join(", "),
            self.text(Some(&code))
        );
        // Needs no settling: a write naming `full_name` that committed came before the split
        // dropped it, so before the end of the migration; one of the parts needs no migration.
        if self.write(Kind::Rename, &sql, 1) {
            let person = self.model.people.get_mut(&code).unwrap();
            (person.first, person.last) = parts(&name);
        }
    }

    fn change_age(&mut self) {
        let Some(code) = self.random_person() else {
            return;
        };
        let age = age(&mut self.rng);
        let mut sets = format!("age = {}", number(age));
        if self.shape.age_group {
            let _ = write!(sets, ", age_group = {}", self.text(Some(age_group(age))));
        }
        let sql = format!(
            "UPDATE people SET {sets} WHERE code = {}",
            self.text(Some(&code))
        );
        if self.write(Kind::Age, &sql, 1) {
            self.model.people.get_mut(&code).unwrap().age = age;
            self.settle(Touched::Person(code));
        }
    }

    fn change_customer(&mut self) {
        let Some(code) = self.random_person() else {
            return;
        };
        let customer = customer_of(&mut self.rng);
        let mut sets = format!("customer_id = {}", number(customer));
        if self.shape.customer_name {
            let name = self.model.customer_name(customer);
            let _ = write!(sets, ", customer_name = {}", self.text(name.as_deref()));
        }
        let sql = format!(
            "UPDATE people SET {sets} WHERE code = {}",
            self.text(Some(&code))
        );
        if self.write(Kind::Customer, &sql, 1) {
            self.model.people.get_mut(&code).unwrap().customer = customer;
            self.settle(Touched::Person(code));
        }
    }

    fn rename_customer(&mut self) {
        let id = 1 + self.rng.below(CUSTOMERS as u64) as i32;
        let serial = self.serial();
        let name = customer_name(&mut self.rng, serial);
        let sql = format!(
            "UPDATE customers SET name = {} WHERE id = {id}",
            self.text(name.as_deref())
        );
        if self.write(Kind::CustomerRename, &sql, 1) {
            self.model.customers.insert(id, name);
            if self.shape.customer_name {
                self.copy_customer_name(id);
            } else {
                self.settle(Touched::Customer(id));
            }
        }
    }

    fn insert_person(&mut self) {
        let serial = self.serial();
        let code = format!("{}n{serial:05}", self.rng.pick(&PREFIXES));
        let name = full_name(&mut self.rng, serial);
        let person = Person::new(&name, age(&mut self.rng), customer_of(&mut self.rng));
        let mut values = vec![("code", self.text(Some(&code)))];
        values.extend(self.name_values(&name));
        values.push(("age", number(person.age)));
        values.push(("customer_id", number(person.customer)));
        if self.shape.age_group {
            values.push(("age_group", self.text(Some(age_group(person.age)))));
        }
        if self.shape.customer_name {
            let name = self.model.customer_name(person.customer);
            values.push(("customer_name", self.text(name.as_deref())));
        }
        let (columns, values): (Vec<&str>, Vec<String>) = values.into_iter().unzip();
        let sql = format!(
            "INSERT INTO people ({}) VALUES ({})",
            columns.join(", "),
            values.join(", ")
        );
        if self.write(Kind::InsertPerson, &sql, 1) {
            self.model.people.insert(code.clone(), person);
            self.report.inserted.insert(code);
            self.inserted.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn delete_person(&mut self) {
        let Some(code) = self.random_person() else {
            return;
        };
        let sql = format!("DELETE FROM people WHERE code = {}", self.text(Some(&code)));
        if self.write(Kind::DeletePerson, &sql, 1) {
            self.model.people.remove(&code);
        }
    }

    fn insert_line(&mut self) {
        // Keys all over the table, before and after the batches' position.
        let key = loop {
            let key = (
                1 + self.rng.below(ORDERS as u64 + 200) as i32,
                LINES_PER_ORDER + 1 + self.rng.below(50) as i32,
            );
            if !self.model.lines.contains_key(&key) {
                break key;
            }
        };
        let qty = qty(&mut self.rng);
        let sql = if self.shape.doubled {
            format!(
                "INSERT INTO order_lines (order_id, line, qty, doubled) VALUES ({}, {}, {}, {})",
                key.0,
                key.1,
                number(qty),
                doubled(qty)
            )
        } else {
            format!(
                "INSERT INTO order_lines (order_id, line, qty) VALUES ({}, {}, {})",
                key.0,
                key.1,
                number(qty)
            )
        };
        if self.write(Kind::InsertLine, &sql, 1) {
            self.model.lines.insert(key, qty);
            self.settle(Touched::Line(key));
        }
    }

    fn delete_line(&mut self) {
        let Some(key) = self.random_line() else {
            return;
        };
        let sql = format!(
            "DELETE FROM order_lines WHERE order_id = {} AND line = {}",
            key.0, key.1
        );
        if self.write(Kind::DeleteLine, &sql, 1) {
            self.model.lines.remove(&key);
        }
    }

    fn change_qty(&mut self) {
        let Some(key) = self.random_line() else {
            return;
        };
        let qty = qty(&mut self.rng);
        let mut sets = format!("qty = {}", number(qty));
        if self.shape.doubled {
            let _ = write!(sets, ", doubled = {}", doubled(qty));
        }
        let sql = format!(
            "UPDATE order_lines SET {sets} WHERE order_id = {} AND line = {}",
            key.0, key.1
        );
        if self.write(Kind::Qty, &sql, 1) {
            self.model.lines.insert(key, qty);
            self.settle(Touched::Line(key));
        }
    }
}

/// `value` as a SQL literal of `dialect` (NULL for `None`).
fn literal_of(dialect: Dialect, value: Option<&str>) -> String {
    match value {
        Some(text) => migrate_sql::quote_str(dialect, text).expect("no NUL in test values"),
        None => "NULL".to_owned(),
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Runs a query whose single column `n` is an integer.
fn count(conn: &mut AnyConnection, sql: &str) -> diesel::QueryResult<i64> {
    let row: Count = match conn {
        AnyConnection::Postgres(c) => diesel::sql_query(sql).get_result(c),
        AnyConnection::Mysql(c) => diesel::sql_query(sql).get_result(c),
        AnyConnection::Sqlite(c) => diesel::sql_query(sql).get_result(c),
        _ => unreachable!("the tests build every backend"),
    }?;
    Ok(row.n)
}

// ---------------------------------------------------------------------------------------------
// Running the migration

/// Watches a run: whether a batched fill is under way (the writer counts the writes it makes
/// meanwhile), how many batches ran, and what the run noted, for messages.
#[derive(Debug, Default)]
struct Watch {
    filling: Arc<AtomicBool>,
    batches: u64,
    notes: Vec<String>,
}

impl Observer for Watch {
    fn note(&mut self, _migration: &MigrationDescriptor, text: &str) {
        self.notes.push(text.to_owned());
    }

    fn progress(&mut self, _migration: &MigrationDescriptor, progress: &Progress) {
        self.filling.store(!progress.finished, Ordering::SeqCst);
        if !progress.finished {
            self.batches += 1;
        }
    }
}

/// Applies `set` up to `to`, paced, watched.
fn up_watched(
    db: &TestDb,
    set: &'static MigrationSet,
    to: u64,
    watch: &mut Watch,
) -> migrate_core::Result<()> {
    let registry = registry(set);
    let mut conn = db.connect();
    Runner::new(&mut conn, &registry)
        .options(paced(UP_PAUSE_MS))
        .observer(watch)
        .up(Some(MigrationId(to)))
        .map(drop)
}

/// Reverts `set` down to `to`, paced, watched.
fn down_watched(
    db: &TestDb,
    set: &'static MigrationSet,
    to: u64,
    watch: &mut Watch,
) -> migrate_core::Result<()> {
    let registry = registry(set);
    let mut conn = db.connect();
    Runner::new(&mut conn, &registry)
        .options(paced(DOWN_PAUSE_MS))
        .observer(watch)
        .down(DownTarget::To(MigrationId(to)))
        .map(drop)
}

/// The fixture binary over `set`, on `db`.
fn fixture(db: &TestDb, set: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_migrate-fixtures"));
    cmd.env("MIGRATE_FIXTURE", set)
        .env_remove("DATABASE_URL")
        .arg("--database-url")
        .arg(db.url());
    cmd
}

// ---------------------------------------------------------------------------------------------
// Verdicts

/// The problems found, each a paragraph: gathered so that one failure shows them all.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn add(&mut self, problem: String) {
        self.0.push(problem);
    }

    /// Fails the test with every problem, and what the writer and the run did.
    fn assert_none(self, db: &TestDb, writer: &Writer, watch: &Watch) {
        assert!(
            self.0.is_empty(),
            "{} on {}:\n\n{}\n\nwriter: {}\nrun: {} batches; notes:\n  {}",
            if self.0.len() == 1 {
                "1 problem".to_owned()
            } else {
                format!("{} problems", self.0.len())
            },
            db.dialect(),
            self.0.join("\n\n"),
            writer.report.summary(),
            watch.batches,
            watch.notes.join("\n  ")
        );
    }
}

/// Mismatches of one column over every row: how many, and a few of them.
#[derive(Default)]
struct Mismatches(BTreeMap<&'static str, (u64, Vec<String>)>);

impl Mismatches {
    fn check<T: PartialEq + std::fmt::Debug>(
        &mut self,
        column: &'static str,
        key: &dyn std::fmt::Debug,
        expected: T,
        found: T,
    ) {
        if expected != found {
            let (n, examples) = self.0.entry(column).or_default();
            *n += 1;
            if examples.len() < 3 {
                examples.push(format!("{key:?}: expected {expected:?}, found {found:?}"));
            }
        }
    }

    /// One line per wrong column, out of `rows` rows of `table`.
    fn report(&self, table: &str, rows: usize, problems: &mut Problems) {
        for (column, (n, examples)) in &self.0 {
            problems.add(format!(
                "`{table}.{column}` is wrong in {n} of {rows} rows, e.g.\n  {}",
                examples.join("\n  ")
            ));
        }
    }
}

/// The keys of `expected` missing from `found` and those that should not be there.
fn compare_keys<K: Ord + Clone + std::fmt::Debug>(
    table: &str,
    expected: &BTreeSet<K>,
    found: &BTreeSet<K>,
    problems: &mut Problems,
) {
    let missing: Vec<&K> = expected.difference(found).collect();
    let extra: Vec<&K> = found.difference(expected).collect();
    if !missing.is_empty() || !extra.is_empty() {
        problems.add(format!(
            "`{table}`: {} rows missing (e.g. {:?}), {} rows that the application deleted or never wrote (e.g. {:?})",
            missing.len(),
            &missing[..missing.len().min(3)],
            extra.len(),
            &extra[..extra.len().min(3)]
        ));
    }
}

#[derive(QueryableByName)]
struct PersonAfterUp {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Nullable<Text>)]
    first_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    last_name: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    age: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    customer_id: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    age_group: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    customer_name: Option<String>,
}

#[derive(QueryableByName)]
struct PersonAfterDown {
    #[diesel(sql_type = Text)]
    code: String,
    #[diesel(sql_type = Nullable<Text>)]
    full_name: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    age: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    customer_id: Option<i32>,
}

#[derive(QueryableByName)]
struct LineAfterUp {
    #[diesel(sql_type = Integer)]
    order_id: i32,
    #[diesel(sql_type = Integer)]
    line: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    qty: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    doubled: Option<i32>,
}

#[derive(QueryableByName)]
struct LineAfterDown {
    #[diesel(sql_type = Integer)]
    order_id: i32,
    #[diesel(sql_type = Integer)]
    line: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    qty: Option<i32>,
}

/// Checks every row after `up`: each person's name split from the last one the application
/// wrote, its age group from its last age, its customer's current name (NULL without one);
/// each line's doubled quantity from its last quantity; no row lost, none that was deleted.
fn check_reshaped(db: &TestDb, model: &Model, problems: &mut Problems) {
    let people: Vec<PersonAfterUp> = load(
        db,
        "SELECT code, first_name, last_name, age, customer_id, age_group, customer_name FROM people",
    );
    compare_keys(
        "people",
        &model.people.keys().cloned().collect(),
        &people.iter().map(|p| p.code.clone()).collect(),
        problems,
    );
    let mut wrong = Mismatches::default();
    for row in &people {
        let Some(person) = model.people.get(&row.code) else {
            continue;
        };
        let key = &row.code;
        wrong.check(
            "first_name, last_name",
            key,
            (Some(person.first.clone()), person.last.clone()),
            (row.first_name.clone(), row.last_name.clone()),
        );
        wrong.check("age", key, person.age, row.age);
        wrong.check("customer_id", key, person.customer, row.customer_id);
        wrong.check(
            "age_group",
            key,
            Some(age_group(person.age).to_owned()),
            row.age_group.clone(),
        );
        wrong.check(
            "customer_name",
            key,
            model.customer_name(person.customer),
            row.customer_name.clone(),
        );
    }
    wrong.report("people", people.len(), problems);

    let lines: Vec<LineAfterUp> = load(db, "SELECT order_id, line, qty, doubled FROM order_lines");
    compare_keys(
        "order_lines",
        &model.lines.keys().copied().collect(),
        &lines.iter().map(|l| (l.order_id, l.line)).collect(),
        problems,
    );
    let mut wrong = Mismatches::default();
    for row in &lines {
        let key = (row.order_id, row.line);
        let Some(qty) = model.lines.get(&key) else {
            continue;
        };
        wrong.check("qty", &key, *qty, row.qty);
        wrong.check("doubled", &key, Some(doubled(*qty)), row.doubled);
    }
    wrong.report("order_lines", lines.len(), problems);
}

/// Checks every row after `down`: the columns as before `up`, each person's full name the
/// merge of the parts the application last wrote (or the full name it wrote last), its age
/// and customer; each line's quantity.
fn check_merged(db: &TestDb, model: &Model, problems: &mut Problems) {
    for (table, expected) in [
        (
            "people",
            ["age", "code", "customer_id", "full_name"].as_slice(),
        ),
        ("order_lines", ["line", "order_id", "qty"].as_slice()),
    ] {
        let mut columns = db.columns(table);
        columns.sort();
        if columns != expected {
            problems.add(format!(
                "`{table}` has the columns {columns:?} after down, not {expected:?}"
            ));
            return;
        }
    }
    let people: Vec<PersonAfterDown> =
        load(db, "SELECT code, full_name, age, customer_id FROM people");
    compare_keys(
        "people",
        &model.people.keys().cloned().collect(),
        &people.iter().map(|p| p.code.clone()).collect(),
        problems,
    );
    let mut wrong = Mismatches::default();
    for row in &people {
        let Some(person) = model.people.get(&row.code) else {
            continue;
        };
        let key = &row.code;
        wrong.check(
            "full_name",
            key,
            Some(person.full_name()),
            row.full_name.clone(),
        );
        wrong.check("age", key, person.age, row.age);
        wrong.check("customer_id", key, person.customer, row.customer_id);
    }
    wrong.report("people", people.len(), problems);

    let lines: Vec<LineAfterDown> = load(db, "SELECT order_id, line, qty FROM order_lines");
    compare_keys(
        "order_lines",
        &model.lines.keys().copied().collect(),
        &lines.iter().map(|l| (l.order_id, l.line)).collect(),
        problems,
    );
    let mut wrong = Mismatches::default();
    for row in &lines {
        let key = (row.order_id, row.line);
        if let Some(qty) = model.lines.get(&key) {
            wrong.check("qty", &key, *qty, row.qty);
        }
    }
    wrong.report("order_lines", lines.len(), problems);
}

/// The triggers in the database, and on PostgreSQL the functions outside the system schemas
/// (or named `_migrate...` anywhere): the fixtures create none, so any is the migration's.
fn leftovers(db: &TestDb) -> Vec<String> {
    let sql = match db.dialect() {
        Dialect::Postgres => {
            "SELECT CAST('trigger ' || tgname || ' on ' || CAST(tgrelid AS regclass) AS TEXT) AS v \
             FROM pg_trigger WHERE NOT tgisinternal \
             UNION ALL SELECT CAST('function ' || n.nspname || '.' || p.proname AS TEXT) \
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') OR left(p.proname, 8) = '_migrate'"
        }
        Dialect::Mysql => {
            "SELECT CAST(CONCAT('trigger ', trigger_name, ' on ', event_object_table) AS CHAR) AS v \
             FROM information_schema.triggers WHERE trigger_schema = DATABASE() \
             UNION ALL SELECT CAST(CONCAT(routine_type, ' ', routine_name) AS CHAR) \
             FROM information_schema.routines WHERE routine_schema = DATABASE()"
        }
        Dialect::Sqlite => {
            "SELECT 'trigger ' || name || ' on ' || tbl_name AS v FROM sqlite_master WHERE type = 'trigger'"
        }
    };
    db.texts(sql).into_iter().flatten().collect()
}

fn check_nothing_left_behind(db: &TestDb, problems: &mut Problems) {
    let left = leftovers(db);
    if !left.is_empty() {
        problems.add(format!("left behind: {left:?}"));
    }
}

/// The application must never fail because of the migration, but for writes to a column it
/// dropped — and, on MariaDB, its bug MDEV-26048: a statement the application prepared while a
/// trigger naming another table (`denormalize!`'s joined table) was created or dropped can
/// fail once with "Table '...customers' doesn't exist" (the README says so). Such writes fail
/// visibly and are not counted as kept, so no value is wrong; they are printed, and more than
/// two in a run fail the test.
fn check_application_never_failed(writer: &Writer, dialect: Dialect, problems: &mut Problems) {
    let (races, errors): (Vec<&String>, Vec<&String>) = writer
        .report
        .errors
        .iter()
        .partition(|e| dialect == Dialect::Mysql && e.contains(".customers' doesn't exist"));
    if !races.is_empty() {
        eprintln!(
            "{dialect}: {} writes met MariaDB's MDEV-26048 as a trigger was created or dropped: {races:?}",
            races.len()
        );
    }
    if races.len() > 2 {
        problems.add(format!(
            "{} writes failed with MDEV-26048, more than the two a run may meet: {races:?}",
            races.len()
        ));
    }
    if !errors.is_empty() {
        let first: Vec<&str> = errors.iter().take(5).map(|e| e.as_str()).collect();
        problems.add(format!(
            "the application's writes failed {} times (first ones):\n  {}",
            errors.len(),
            first.join("\n  ")
        ));
    }
}

/// Writes committed during fills below which a test proves nothing.
const BUSY_DURING_FILLS: u64 = 50;

/// The writer must have overlapped the fills, and made each kind of write, for the test to
/// prove anything.
fn check_busy(writer: &Writer, problems: &mut Problems) {
    let report = &writer.report;
    if report.during_fills < BUSY_DURING_FILLS {
        problems.add(format!(
            "only {} writes committed while a fill ran: the test proves nothing (make the tables larger or the batches slower)",
            report.during_fills
        ));
    }
    for (kind, _) in writer.mix.kinds() {
        let n = report.committed.get(&kind).copied().unwrap_or(0);
        if n == 0 {
            problems.add(format!("no write of kind {kind:?} committed"));
        }
    }
}

/// The outcome of a run, as a problem if it failed.
fn check_ran(what: &str, result: &migrate_core::Result<()>, problems: &mut Problems) -> bool {
    match result {
        Ok(()) => true,
        Err(e) => {
            problems.add(format!(
                "{what} failed: {e}\n  hint: {}",
                e.hint().unwrap_or_default()
            ));
            false
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The tests

/// `up` with the old application writing throughout, in `mix`.
fn up_beside_the_application(db: &TestDb, mix: Mix) {
    up_to(db, &reshape::SET, 1).unwrap();
    let model = seed(db);
    let mut watch = Watch::default();
    let running = Writer::start(db, model, OLD_APP, mix, &watch);
    let result = up_watched(db, &reshape::SET, 2, &mut watch);
    let writer = running.stop();

    let mut problems = Problems::default();
    if check_ran("up", &result, &mut problems) {
        check_reshaped(db, &writer.model, &mut problems);
    }
    check_application_never_failed(&writer, db.dialect(), &mut problems);
    check_busy(&writer, &mut problems);
    check_nothing_left_behind(db, &mut problems);
    problems.assert_none(db, &writer, &watch);
}

test_each_dialect! {
    /// The old application renames, re-ages, re-assigns, inserts and deletes throughout `up`:
    /// every row ends with the values the migration computes from its last writes.
    fn every_write_of_the_application_during_an_online_up_reaches_the_new_columns(db: &TestDb) {
        up_beside_the_application(db, Mix::All);
    }
}

test_each_dialect! {
    /// The same without inserts, so that a lost update shows as a wrong value even where rows
    /// inserted during the fill would make a NOT NULL step fail first.
    fn updates_and_deletes_during_an_online_up_are_not_lost(db: &TestDb) {
        up_beside_the_application(db, Mix::NoInserts);
    }
}

test_each_dialect! {
    /// The new application writes `first_name`/`last_name` (and the columns it derives itself)
    /// throughout the derived `down`: every full name merged back is the merge of its last
    /// parts, rows inserted during the merge included.
    fn every_write_of_the_application_during_an_online_down_reaches_the_merged_name(db: &TestDb) {
        up_to(db, &reshape::SET, 1).unwrap();
        let model = seed(db);
        up_to(db, &reshape::SET, 2).unwrap();
        let mut watch = Watch::default();
        let running = Writer::start(db, model, NEW_APP, Mix::All, &watch);
        let result = down_watched(db, &reshape::SET, 1, &mut watch);
        let writer = running.stop();

        let mut problems = Problems::default();
        if check_ran("down", &result, &mut problems) {
            check_merged(db, &writer.model, &mut problems);
        }
        check_application_never_failed(&writer, db.dialect(), &mut problems);
        check_busy(&writer, &mut problems);
        check_nothing_left_behind(db, &mut problems);
        problems.assert_none(db, &writer, &watch);
    }
}

/// A fill to kill the run in: once `sql` counts `rows` filled.
struct KillPoint {
    column: &'static str,
    sql: &'static str,
    rows: i64,
}

/// One of the migration's fills, at a random point between 15% and 70% of its rows.
fn kill_point(model: &Model, rng: &mut Rng) -> KillPoint {
    let with_name = model
        .people
        .values()
        .filter(|p| model.customer_name(p.customer).is_some())
        .count();
    let (column, sql, total) = *rng.pick(&[
        (
            "age_group",
            "SELECT COUNT(age_group) AS n FROM people",
            model.people.len(),
        ),
        (
            "customer_name",
            "SELECT COUNT(customer_name) AS n FROM people",
            with_name,
        ),
        (
            "doubled",
            "SELECT COUNT(doubled) AS n FROM order_lines",
            model.lines.len(),
        ),
        (
            "first_name",
            "SELECT COUNT(first_name) AS n FROM people",
            model.people.len(),
        ),
    ]);
    let percent = 15 + rng.below(56) as i64;
    KillPoint {
        column,
        sql,
        rows: total as i64 * percent / 100,
    }
}

test_each_dialect! {
    /// `up` killed (SIGKILL) at a random point of a random fill while the old application
    /// keeps writing, then run again: the writes made before, between and after the two runs
    /// all reach the new columns.
    fn an_online_up_killed_while_the_application_writes_resumes_to_the_right_values(db: &TestDb) {
        up_to(db, &reshape::SET, 1).unwrap();
        let model = seed(db);
        let point = kill_point(&model, &mut Rng::from_clock("kill point"));
        let mut watch = Watch::default();
        let running = Writer::start(db, model, OLD_APP, Mix::All, &watch);

        let mut child = fixture(db, "concurrent_writes::reshape")
            .arg("up")
            .args(PACED_ARGS)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Polls the column being filled (a query before the column exists fails, and is tried
        // again); the killed run reports no progress, so the poll tells the writer when its fill
        // is under way.
        let mut conn = db.connect();
        let reached = loop {
            if child.try_wait().unwrap().is_some() {
                break false;
            }
            if let Ok(n) = count(&mut conn, point.sql) {
                watch.filling.store(n > 0, Ordering::SeqCst);
                if n >= point.rows {
                    break true;
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        let _ = child.kill();
        let output = child.wait_with_output().unwrap();
        if !reached {
            watch.filling.store(false, Ordering::SeqCst);
            let writer = running.stop();
            panic!(
                "the run ended before its fill of `{}` reached {} rows, {}:\n{}{}\nwriter: {}",
                point.column,
                point.rows,
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
                writer.report.summary()
            );
        }
        let killed = state(db, &reshape::SET, 2);
        // The interrupted fill is still under way between the runs, its triggers in place: the
        // application writes on until enough of its writes met a fill (wherever the kill fell,
        // the resumed run may have little left to fill), then the run resumes.
        watch.filling.store(true, Ordering::SeqCst);
        running.wait_for_writes_during_fills(BUSY_DURING_FILLS + 10);
        watch.filling.store(false, Ordering::SeqCst);

        let result = up_watched(db, &reshape::SET, 2, &mut watch);
        let writer = running.stop();

        let mut problems = Problems::default();
        // A kill after the migration finished would prove nothing. (`running` is fine: the
        // server may not have noticed yet that the killed session is gone.)
        if killed == MigrationState::Applied {
            problems.add(format!(
                "the kill at {} rows of `{}` left the migration {}: it was not interrupted",
                point.rows,
                point.column,
                killed.name()
            ));
        }
        if check_ran("the resumed up", &result, &mut problems) {
            if !watch.notes.iter().any(|n| n.contains("resuming after key")) {
                problems.add(format!(
                    "the resumed run did not resume the fill of `{}` after a key",
                    point.column
                ));
            }
            check_reshaped(db, &writer.model, &mut problems);
        }
        check_application_never_failed(&writer, db.dialect(), &mut problems);
        check_busy(&writer, &mut problems);
        check_nothing_left_behind(db, &mut problems);
        problems.assert_none(db, &writer, &watch);
    }
}

/// The keys a data check's message names: `... (ids a, b, c, ...)`.
fn named_keys(message: &str) -> Vec<String> {
    let (_, list) = message
        .rsplit_once(" (ids ")
        .or_else(|| message.rsplit_once(" (id "))
        .unwrap_or_else(|| panic!("no keys named in: {message}"));
    let list = list.trim_end_matches(')').trim_end_matches(", ...");
    list.split(", ")
        .filter(|key| !key.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether `people.nickname` accepts NULL.
fn nickname_nullable(db: &TestDb) -> bool {
    let sql = match db.dialect() {
        Dialect::Postgres => {
            "SELECT CAST(is_nullable AS TEXT) AS v FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = 'people' AND column_name = 'nickname'"
        }
        Dialect::Mysql => {
            "SELECT CAST(is_nullable AS CHAR) AS v FROM information_schema.columns \
             WHERE table_schema = DATABASE() AND table_name = 'people' AND column_name = 'nickname'"
        }
        Dialect::Sqlite => {
            "SELECT CASE WHEN \"notnull\" THEN 'NO' ELSE 'YES' END AS v FROM pragma_table_info('people') WHERE name = 'nickname'"
        }
    };
    db.texts(sql) == [Some("YES".to_owned())]
}

test_each_dialect! {
    /// NOT NULL on a column that nothing fills for the rows the application inserts: the
    /// online `constrain!` stops at its data check, naming those rows, before any constraint
    /// is added, and the application's writes never fail.
    fn a_not_null_column_the_application_leaves_null_stops_at_its_check_naming_the_rows(db: &TestDb) {
        up_to(db, &nickname::SET, 1).unwrap();
        let model = seed(db);
        up_to(db, &nickname::SET, 2).unwrap();
        let mut watch = Watch::default();
        let running = Writer::start(db, model, OLD_APP, Mix::All, &watch);
        // The application does not know the nickname: the people it inserts from now on have
        // none, and no migration computes one for them.
        running.wait_for_inserts(10);
        let result = up_watched(db, &nickname::SET, 3, &mut watch);
        let writer = running.stop();

        let err = result.expect_err("NOT NULL over the application's NULLs must fail");
        assert_eq!(err.kind(), ErrorKind::Data, "a data check's failure: {err}");
        assert!(
            matches!(&err, Error::MigrationFailed { source, .. } if matches!(**source, Error::DataCheck { .. })),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains("cannot make `people.nickname` NOT NULL: it is NULL in "),
            "{message}"
        );
        let hint = err.hint().unwrap_or_default();
        assert!(hint.contains("fill those rows first"), "{hint}");
        // What actually fixes rows the application keeps inserting: not a one-off repair.
        assert!(
            hint.contains("deploy the version of the application that writes it first"),
            "{hint}"
        );
        let named = named_keys(&message);
        assert!(!named.is_empty(), "the check names no row: {message}");
        for key in &named {
            assert!(
                writer.report.inserted.contains(key),
                "`{key}` named in {message:?} is not a person the application inserted"
            );
        }
        assert!(nickname_nullable(db), "the constraint was not added");
        assert_eq!(state(db, &nickname::SET, 3), MigrationState::Pending, "a failed check changes nothing");
        let mut problems = Problems::default();
        check_application_never_failed(&writer, db.dialect(), &mut problems);
        problems.assert_none(db, &writer, &watch);

        // The command says the same, with the data check's exit status.
        let output = fixture(db, "concurrent_writes::nickname").arg("up").output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(output.status.code(), Some(9), "{text}");
        assert!(text.contains("cannot make `people.nickname` NOT NULL"), "{text}");
        assert!(text.contains("fill those rows first"), "{text}");
    }
}
