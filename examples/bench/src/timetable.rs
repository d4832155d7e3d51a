//! Operations on a fixed timetable, in a thread: one every [`PERIOD`], each one's latency
//! counted from its scheduled time. An operation blocked for a second delays the ones due after
//! it, and they count that delay, as an application's queued requests would (a loop that just
//! waits would record one slow operation where an application would see a hundred).

use crate::database::Result;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// 100 operations a second: a steady application load that this machine's servers serve with
/// room to spare when nothing blocks them (each autocommitted write waits for its log flush; at
/// 500 a second PostgreSQL's flushes fall behind while a migration writes, and the queue grows).
pub const PERIOD: Duration = Duration::from_millis(10);

/// One operation: when it was due and how long after that it finished.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// When the timetable had it due.
    pub due: Instant,
    /// When it was sent: later than `due` when the ones before it were late.
    pub issued: Instant,
    /// From `due` to its end.
    pub latency: Duration,
    /// False when it failed (lock wait timeout, deadlock, busy), counted with its time to fail,
    /// or was never sent (see [`Timetable::abandon`]).
    pub ok: bool,
    /// Whether it was sent at all.
    pub sent: bool,
}

impl Sample {
    /// When it finished.
    pub fn finished(&self) -> Instant {
        self.due + self.latency
    }

    /// How long the operation itself took, from when it was sent: what the database made it
    /// wait, without the delay the late ones before it passed on.
    pub fn own(&self) -> Duration {
        self.finished().saturating_duration_since(self.issued)
    }
}

/// A thread running one operation on a timetable.
pub struct Timetable {
    /// When set, the thread issues the operations due until then, and stops.
    stop: Arc<Mutex<Option<Instant>>>,
    /// When set, the thread stops without sending what is still due (see [`Timetable::abandon`]).
    abandon: Arc<AtomicBool>,
    thread: JoinHandle<std::result::Result<Vec<Sample>, String>>,
}

impl Timetable {
    /// Starts issuing `op` every [`PERIOD`] from `first_due` on; `op` returns whether it
    /// succeeded.
    pub fn start(first_due: Instant, op: impl FnMut() -> bool + Send + 'static) -> Timetable {
        Timetable::every(PERIOD, first_due, op)
    }

    /// Like [`start`](Self::start), one every `period`.
    pub fn every(
        period: Duration,
        first_due: Instant,
        mut op: impl FnMut() -> bool + Send + 'static,
    ) -> Timetable {
        Timetable::every_timed(period, first_due, move || (op(), Instant::now()))
    }

    /// Like [`every`](Self::every), but `op` also returns when the part of it that is measured
    /// ended: what it does after that (the live application's look at the catalog after each
    /// write, see [`live`](crate::live)) is not counted in its latency, though it still delays
    /// the operations due after it if it overruns the period.
    pub fn every_timed(
        period: Duration,
        first_due: Instant,
        mut op: impl FnMut() -> (bool, Instant) + Send + 'static,
    ) -> Timetable {
        let stop = Arc::new(Mutex::new(None));
        let stop_at = Arc::clone(&stop);
        let abandon = Arc::new(AtomicBool::new(false));
        let abandoned = Arc::clone(&abandon);
        let thread = std::thread::spawn(move || {
            let mut samples = Vec::new();
            let mut due = first_due;
            let done = |due: Instant| match *stop_at.lock().map_err(|_| "poisoned")? {
                Some(end) => Ok::<bool, String>(due > end),
                None => Ok(false),
            };
            while !done(due)? {
                if abandoned.load(Ordering::Relaxed) {
                    // What was due and not sent counts as waiting until the stop, at least.
                    let end = (*stop_at.lock().map_err(|_| "poisoned")?).unwrap_or(due);
                    while due <= end {
                        samples.push(Sample {
                            due,
                            issued: end,
                            latency: end - due,
                            ok: false,
                            sent: false,
                        });
                        due += period;
                    }
                    break;
                }
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
                let issued = Instant::now();
                let (ok, finished) = op();
                samples.push(Sample {
                    due,
                    issued,
                    latency: finished.saturating_duration_since(due),
                    ok,
                    sent: true,
                });
                due += period;
            }
            Ok(samples)
        });
        Timetable {
            stop,
            abandon,
            thread,
        }
    }

    /// Like [`stop_now`](Self::stop_now), but what is due and not yet sent is not sent: it is
    /// recorded as not done, waiting until now. A backlog that the database serves more slowly
    /// than it grew (SQLite's commits, one `fsync` each, while a migration writes) would
    /// otherwise take longer to drain than the run took.
    pub fn abandon(&self) -> Result<()> {
        self.stop_now()?;
        self.abandon.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Tells the thread to stop once it has issued the operations due until now.
    pub fn stop_now(&self) -> Result<()> {
        *self
            .stop
            .lock()
            .map_err(|_| "a timetable's lock is poisoned")? = Some(Instant::now());
        Ok(())
    }

    /// Waits for the thread (after [`stop_now`](Self::stop_now)) and returns its samples.
    pub fn join(self) -> Result<Vec<Sample>> {
        let samples = self
            .thread
            .join()
            .map_err(|_| "a timetable thread panicked")??;
        Ok(samples)
    }
}

/// Random row ids in `from..=to` (xorshift64: any spread of ids will do, and the same seed gives
/// the same ids in every run).
pub struct RandomIds {
    state: u64,
    from: u64,
    to: u64,
}

impl RandomIds {
    /// Ids in `from..=to` from `seed` (not 0).
    pub fn new(seed: u64, from: u64, to: u64) -> RandomIds {
        RandomIds {
            state: seed.max(1),
            from,
            to: to.max(from),
        }
    }

    /// The next id.
    pub fn next_id(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.from + self.state % (self.to - self.from + 1)
    }
}
