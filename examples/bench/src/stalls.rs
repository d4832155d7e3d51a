//! Where the application stalled during a run: each stretch in which its operations waited
//! longer than [`STALL`], with its wall-clock time, to set beside the server's log (PostgreSQL
//! logs each checkpoint's start and end), and the migration step that was running. A diagnosis
//! printed to stderr, not one of the targets.

use crate::app::{OpKind, OpStats, Samples};
use crate::machine_probe::MachineSamples;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The wait from which an operation counts as stalled: the target for the longest one.
pub const STALL: Duration = Duration::from_millis(250);

/// At most this many stretches are printed per run, the longest first.
const SHOWN: usize = 8;

/// Turns the run's instants into wall-clock times.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    instant: Instant,
    system: SystemTime,
}

impl Clock {
    /// The clock now.
    pub fn now() -> Clock {
        Clock {
            instant: Instant::now(),
            system: SystemTime::now(),
        }
    }

    /// `at` as `HH:MM:SS.mmm UTC`.
    pub fn wall(&self, at: Instant) -> String {
        let system = if at >= self.instant {
            self.system + (at - self.instant)
        } else {
            self.system - (self.instant - at)
        };
        let ms = system
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() % 86_400_000);
        format!(
            "{:02}:{:02}:{:02}.{:03} UTC",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    }
}

/// One stretch of stalled operations.
#[derive(Debug, Clone)]
pub struct Stall {
    /// When the first stalled operation was due.
    pub from: Instant,
    /// When the last one finished.
    pub to: Instant,
    /// The longest wait in it, ms.
    pub worst_ms: f64,
    /// How many operations of each kind stalled.
    pub kinds: Vec<(OpKind, usize)>,
}

/// The stretches of `samples` due between `from` and `to` in which operations waited longer
/// than [`STALL`]: operations whose waits overlap are one stretch.
pub fn stalls(samples: &Samples, from: Instant, to: Instant) -> Vec<Stall> {
    let mut stalled: Vec<(OpKind, Instant, Instant, f64)> = samples
        .iter()
        .flat_map(|(kind, s)| s.iter().map(move |s| (*kind, s)))
        .filter(|(_, s)| s.due >= from && s.due <= to && s.latency > STALL)
        .map(|(kind, s)| (kind, s.due, s.finished(), s.latency.as_secs_f64() * 1000.0))
        .collect();
    stalled.sort_by_key(|(_, due, _, _)| *due);
    let mut stretches: Vec<Stall> = Vec::new();
    for (kind, due, finished, ms) in stalled {
        match stretches.last_mut() {
            Some(last) if due <= last.to => {
                last.to = last.to.max(finished);
                last.worst_ms = last.worst_ms.max(ms);
                match last.kinds.iter_mut().find(|(k, _)| *k == kind) {
                    Some((_, n)) => *n += 1,
                    None => last.kinds.push((kind, 1)),
                }
            }
            _ => stretches.push(Stall {
                from: due,
                to: finished,
                worst_ms: ms,
                kinds: vec![(kind, 1)],
            }),
        }
    }
    stretches
}

/// Prints the longest [`SHOWN`] stretches, each with the step that was running when it began
/// (`steps`: when each step began, and its name) and what the machine's own probes saw in it;
/// then the probes over the whole run, from `from` to `to`.
pub fn print(
    label: &str,
    clock: &Clock,
    stretches: &[Stall],
    steps: &[(Instant, String)],
    machine: &MachineSamples,
    (from, to): (Instant, Instant),
) {
    print_machine(label, machine, from, to);
    if stretches.is_empty() {
        return;
    }
    let mut longest: Vec<&Stall> = stretches.iter().collect();
    longest.sort_by(|a, b| b.worst_ms.total_cmp(&a.worst_ms));
    eprintln!(
        "{label}: {} stretch(es) with waits over {} ms; the longest:",
        stretches.len(),
        STALL.as_millis()
    );
    for stall in longest.into_iter().take(SHOWN) {
        let step = steps
            .iter()
            .rev()
            .find(|(at, _)| *at <= stall.from)
            .map_or("the time before the first step", |(_, name)| name.as_str());
        let kinds = stall
            .kinds
            .iter()
            .map(|(kind, n)| format!("{kind:?} ×{n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let (sleep, disk) = machine.worst(stall.from, stall.to);
        eprintln!(
            "  {} for {:.0} ms, worst wait {:.0} ms ({kinds}), during {step}; meanwhile the machine: a sleep woke {} ms late, a synced 8 kB write took {} ms",
            clock.wall(stall.from),
            (stall.to - stall.from).as_secs_f64() * 1000.0,
            stall.worst_ms,
            sleep.as_millis(),
            disk.as_millis()
        );
    }
}

/// One line on the machine's probes over the run: the longest sleep lateness, the longest and
/// 99th-percentile synced write, and how often a synced write took longer than [`STALL`].
fn print_machine(label: &str, machine: &MachineSamples, from: Instant, to: Instant) {
    let sleep = OpStats::over(&machine.sleep, from, to);
    let disk = OpStats::over(&machine.disk, from, to);
    let slow = machine
        .disk
        .iter()
        .filter(|s| s.due >= from && s.due <= to && s.latency > STALL)
        .count();
    eprintln!(
        "{label}: the machine alone (no database): a 10 ms sleep woke up to {:.0} ms late; a synced 8 kB write took up to {:.0} ms (p99 {:.1} ms), {slow} of {} over {} ms",
        sleep.max_ms,
        disk.max_ms,
        disk.p99_ms,
        disk.due,
        STALL.as_millis()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timetable::Sample;

    fn sample(at: Instant, due_ms: u64, latency_ms: u64) -> Sample {
        let due = at + Duration::from_millis(due_ms);
        Sample {
            due,
            issued: due,
            latency: Duration::from_millis(latency_ms),
            ok: true,
            sent: true,
        }
    }

    #[test]
    fn overlapping_waits_are_one_stretch_and_short_ones_none() {
        let at = Instant::now();
        let samples: Samples = vec![
            (
                OpKind::UpdateUsers,
                vec![
                    sample(at, 0, 10),
                    sample(at, 100, 900),
                    sample(at, 110, 890),
                ],
            ),
            (
                OpKind::ReadUsers,
                vec![
                    sample(at, 500, 400),
                    sample(at, 5000, 300),
                    sample(at, 6000, 5),
                ],
            ),
        ];
        let found = stalls(&samples, at, at + Duration::from_secs(10));
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].from, at + Duration::from_millis(100));
        assert_eq!(found[0].to, at + Duration::from_millis(1000));
        assert_eq!(found[0].worst_ms, 900.0);
        assert_eq!(
            found[0].kinds,
            vec![(OpKind::UpdateUsers, 2), (OpKind::ReadUsers, 1)]
        );
        assert_eq!(found[1].kinds, vec![(OpKind::ReadUsers, 1)]);
    }
}
