//! The application beside the migrations: three kinds of operation, each in its own thread on
//! its own connection, each every 10 ms on the [`timetable`](crate::timetable), each
//! autocommitted:
//!
//! - a point read of `users` by a random id;
//! - a point update of `users.age` to its own value: a real write that takes the row's lock
//!   and waits for any lock the migration holds on the table, while leaving the values that
//!   migration 8's CASE reads unchanged, so that the forms' results can be compared value for
//!   value whatever moment each row was written at;
//! - a point update of `orders.total_cents`, which no migration reads or writes.
//!
//! One thread per kind, so that a blocked update of `orders` does not show as a slow read of
//! `users`. On SQLite the two updates share one connection, the application's one writer, and
//! take turns: one write every 10 ms, each kind every 20 ms. Two writing connections at 100
//! commits a second each starved one another through SQLite's busy handler (which polls; there
//! is no queue) by seconds with nothing else running, and 200 commits a second (each one
//! journal and file `fsync`s) are more than this machine's disk keeps up with while a migration
//! writes: the backlog then only grows. Row 1 is left to the lock holder of the lock-queue test.
//!
//! With a [`live::Config`], a fourth thread writes as a live service does and keeps a model of
//! what it wrote (see [`live`](crate::live)): on its own connection every `period`, on SQLite
//! on the one writer's every four periods (one more write every 40 ms by default, so that its
//! commits stay within what the disk keeps up with).

use crate::database::{Backend, Result, Server};
use crate::live;
use crate::live_model::Model;
use crate::timetable::{PERIOD, RandomIds, Sample, Timetable};
use diesel::QueryableByName;
use diesel::sql_types::Integer;
use migrate_core::AnyConnection;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A kind of application operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    /// `SELECT age FROM users WHERE id = ?`.
    ReadUsers,
    /// `UPDATE users SET age = age WHERE id = ?`.
    UpdateUsers,
    /// `UPDATE orders SET total_cents = total_cents + 1 WHERE id = ?`.
    UpdateOrders,
    /// The live application's writes ([`live`]), all kinds together.
    LiveWrite,
}

impl OpKind {
    /// The kinds of the steady application, in the order of the tables.
    pub const ALL: [OpKind; 3] = [OpKind::ReadUsers, OpKind::UpdateUsers, OpKind::UpdateOrders];

    /// Whether it touches `users` only (the lock-queue test runs without the live writes).
    pub fn on_users(self) -> bool {
        matches!(self, OpKind::ReadUsers | OpKind::UpdateUsers)
    }

    /// Whether it writes.
    pub fn writes(self) -> bool {
        self != OpKind::ReadUsers
    }

    fn sql(self, id: u64) -> String {
        match self {
            OpKind::ReadUsers => format!("SELECT age FROM users WHERE id = {id}"),
            OpKind::UpdateUsers => format!("UPDATE users SET age = age WHERE id = {id}"),
            // The live writes make their own statements (see `live`); never asked for here.
            OpKind::UpdateOrders | OpKind::LiveWrite => {
                format!("UPDATE orders SET total_cents = total_cents + 1 WHERE id = {id}")
            }
        }
    }
}

#[derive(QueryableByName)]
struct Age {
    #[diesel(sql_type = Integer)]
    #[allow(dead_code)] // read so that the row is fetched, not only found
    age: i32,
}

/// The running application.
pub struct App {
    threads: Vec<(OpKind, Timetable)>,
    /// The live application's model, when it runs.
    live: Option<Arc<Mutex<Model>>>,
}

/// What each kind of operation did.
pub type Samples = Vec<(OpKind, Vec<Sample>)>;

impl App {
    /// Starts the three operations on database `name` of `server`, over rows 2..=`rows`, and
    /// with `live` the live application's writes, going on from its model of the database.
    pub fn start(
        server: &Server,
        name: &str,
        rows: u64,
        live: Option<(&live::Config, Model)>,
    ) -> Result<App> {
        let first_due = Instant::now() + Duration::from_millis(100);
        let mut threads = Vec::new();
        let writer = match server.backend {
            Backend::Sqlite => Some(Arc::new(Mutex::new(server.app_connection(name)?))),
            _ => None,
        };
        for (n, kind) in OpKind::ALL.into_iter().enumerate() {
            let conn = match (&writer, kind) {
                (Some(writer), OpKind::UpdateUsers | OpKind::UpdateOrders) => Arc::clone(writer),
                _ => Arc::new(Mutex::new(server.app_connection(name)?)),
            };
            let mut ids = RandomIds::new(0x9E37_79B9_7F4A_7C15 + n as u64, 2, rows.max(2));
            // Spread over the period, so that the three do not always arrive together; SQLite's
            // two updates alternate.
            let (period, offset) = match (&writer, kind) {
                (Some(_), OpKind::UpdateUsers) => (PERIOD * 2, PERIOD / 3),
                (Some(_), OpKind::UpdateOrders) => (PERIOD * 2, PERIOD / 3 + PERIOD),
                _ => (PERIOD, PERIOD / 3 * n as u32),
            };
            let timetable = Timetable::every(period, first_due + offset, move || {
                let sql = kind.sql(ids.next_id());
                let Ok(mut conn) = conn.lock() else {
                    return false;
                };
                let conn: &mut AnyConnection = &mut conn;
                match kind {
                    OpKind::ReadUsers => crate::database::load::<Age>(conn, &sql).is_ok(),
                    _ => conn.execute(&sql).is_ok(),
                }
            });
            threads.push((kind, timetable));
        }
        let mut model = None;
        if let Some((config, known)) = live {
            let (conn, period, offset) = match &writer {
                Some(writer) => (
                    Arc::clone(writer),
                    config.period * 4,
                    PERIOD / 3 + PERIOD / 2,
                ),
                None => (
                    Arc::new(Mutex::new(server.app_connection(name)?)),
                    config.period,
                    PERIOD / 6,
                ),
            };
            let (timetable, shared) =
                live::start(conn, rows, config, known, (period, first_due + offset))?;
            threads.push((OpKind::LiveWrite, timetable));
            model = Some(shared);
        }
        // Let the threads connect and settle before the measured work starts.
        std::thread::sleep(Duration::from_millis(300));
        Ok(App {
            threads,
            live: model,
        })
    }

    /// Stops every thread, recording what was due until now and not yet sent as not done (see
    /// [`Timetable::abandon`]); returns their samples, and the live application's model.
    pub fn finish(self) -> Result<(Samples, Option<Model>)> {
        for (_, timetable) in &self.threads {
            timetable.abandon()?;
        }
        let samples = self
            .threads
            .into_iter()
            .map(|(kind, timetable)| Ok((kind, timetable.join()?)))
            .collect::<Result<Samples>>()?;
        let model = match self.live {
            Some(shared) => Some(std::mem::take(
                &mut *shared
                    .lock()
                    .map_err(|_| "the live model's lock is poisoned")?,
            )),
            None => None,
        };
        Ok((samples, model))
    }
}

/// One kind's operations due in a window.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpStats {
    /// Operations due in the window.
    pub due: u64,
    /// Of those, finished (successfully) by the window's end.
    pub done: u64,
    /// Of those, sent and failed.
    pub errors: u64,
    /// Longest wait, ms.
    pub max_ms: f64,
    /// Longest time one operation took from when it was sent, ms.
    pub max_own_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// Median, ms.
    pub p50_ms: f64,
}

impl OpStats {
    /// The operations of `samples` due between `from` and `to`.
    pub fn over(samples: &[Sample], from: Instant, to: Instant) -> OpStats {
        let window: Vec<&Sample> = samples
            .iter()
            .filter(|s| s.due >= from && s.due <= to)
            .collect();
        let mut latencies: Vec<f64> = window
            .iter()
            .map(|s| s.latency.as_secs_f64() * 1000.0)
            .collect();
        latencies.sort_by(f64::total_cmp);
        let at = |q: f64| {
            latencies
                .get(((latencies.len().max(1) - 1) as f64 * q).round() as usize)
                .copied()
                .unwrap_or(0.0)
        };
        OpStats {
            due: window.len() as u64,
            done: window.iter().filter(|s| s.ok && s.finished() <= to).count() as u64,
            errors: window.iter().filter(|s| s.sent && !s.ok).count() as u64,
            max_ms: latencies.last().copied().unwrap_or(0.0),
            max_own_ms: window
                .iter()
                .map(|s| s.own().as_secs_f64() * 1000.0)
                .fold(0.0, f64::max),
            p99_ms: at(0.99),
            p50_ms: at(0.50),
        }
    }
}

/// Every write of the application (its updates and the live writes) in a window.
#[derive(Debug, Clone, Copy, Default)]
pub struct Writes {
    /// Writes due in the window.
    pub due: u64,
    /// Done per second of the window.
    pub per_second: f64,
    /// 99th percentile of their waits, ms.
    pub p99_ms: f64,
    /// Longest wait, ms.
    pub max_ms: f64,
}

/// The writes of `samples` due between `from` and `to`, all kinds together.
pub fn writes(samples: &Samples, from: Instant, to: Instant) -> Writes {
    let all: Vec<Sample> = samples
        .iter()
        .filter(|(kind, _)| kind.writes())
        .flat_map(|(_, s)| s.iter().copied())
        .collect();
    let s = OpStats::over(&all, from, to);
    let seconds = (to - from).as_secs_f64();
    Writes {
        due: s.due,
        per_second: if seconds > 0.0 {
            s.done as f64 / seconds
        } else {
            0.0
        },
        p99_ms: s.p99_ms,
        max_ms: s.max_ms,
    }
}

/// Each kind's statistics over a window.
pub fn stats(samples: &Samples, from: Instant, to: Instant) -> Vec<(OpKind, OpStats)> {
    samples
        .iter()
        .map(|(kind, s)| (*kind, OpStats::over(s, from, to)))
        .collect()
}
