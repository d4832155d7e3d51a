//! After each run, every row of `users`, `orders` and `customers` is read back and held to the
//! live application's [`Model`] (the rows it wrote) or to the load (the others): a write is kept
//! when the row holds what it wrote and each column a migration derives from it holds the value
//! derived from it; it is LOST when the row ends with a stale or wrong value, or is missing, or
//! is still there after the application deleted it. A write the application overwrote later is
//! kept when the later one is (the row can only show the last). Each wrong value is blamed on the
//! last committed write of the field it derives from; a wrong value in a row the application
//! never wrote counts apart, as a wrong untouched row.
//!
//! A derived column left NULL by a migration that did not finish (the run failed) is not a loss
//! but *unfilled*, counted apart: the failed run is reported as such. What each column must hold:
//!
//! - `first_name`, `last_name`: the split of the full name (up to the first space, the rest, NULL
//!   without a space); `full_name` the full name;
//! - `created_year` = year(`created_at`); `age_group` from `age` (< 18 minor, < 65 adult, else
//!   senior); `score` = posts × 10 + comments × 5 + followers × 20;
//! - `orders.customer_name` = its customer's current name; `orders.status` = 'processed' for the
//!   loaded orders (NULL before migration 10), and for an inserted one unless it was inserted
//!   after migration 10 began (a backfill of the rows that were NULL when it ran);
//! - inserted rows present with what was inserted, deleted rows absent, every other loaded row
//!   present.

use crate::database::Result;
use crate::live_model::{LiveKind, Model, WriteId};
use crate::live_rows::{SHOWN, read_back};
use crate::live_schema::Schema;
use migrate_core::AnyConnection;
use std::collections::HashSet;
use std::time::Instant;

/// How the run ended, which decides what each table must hold.
#[derive(Debug, Clone)]
pub struct Ending {
    /// The migrations (5–10) applied when it ended.
    pub applied: Vec<u64>,
    /// Each migration of the run: id, start, end (for the descriptions of the wrong values).
    pub migrations: Vec<(u64, Instant, Option<Instant>)>,
    /// When the run started.
    pub started: Instant,
    /// Whether it was an `up` (migration 10 ran forward: the `status` rule applies).
    pub up: bool,
}

impl Ending {
    /// Whether migration `id` is applied at the end.
    pub fn applied(&self, id: u64) -> bool {
        self.applied.contains(&id)
    }

    /// What was running at `at`, for the descriptions.
    pub fn during(&self, at: Instant) -> String {
        let offset = at.checked_duration_since(self.started).map_or_else(
            || "before this run".into(),
            |d| format!("{:.1} s into the run", d.as_secs_f64()),
        );
        match self
            .migrations
            .iter()
            .find(|(_, from, to)| *from <= at && to.is_none_or(|to| at <= to))
        {
            Some((id, _, _)) => format!("{offset}, during migration {id}"),
            None => offset,
        }
    }
}

/// One kind's writes over the run.
#[derive(Debug, Clone, Copy, Default)]
pub struct KindCounts {
    /// Sent.
    pub made: u64,
    /// Committed.
    pub committed: u64,
    /// Failed with an error other than the schema changing under it.
    pub failed: u64,
    /// Sent again in the new shape after the schema changed under them.
    pub retried: u64,
    /// Committed, and not what the row holds.
    pub lost: u64,
}

/// What the check found after one run.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Per kind of write.
    pub kinds: Vec<(LiveKind, KindCounts)>,
    /// Values wrong in rows the application never wrote.
    pub untouched_wrong: u64,
    /// Derived values left NULL by a migration that did not finish.
    pub unfilled: u64,
    /// Rows read and checked.
    pub rows_checked: u64,
    /// Writes during which their derived column became the application's to set, whose column
    /// may hold the value derived from either the new or the former value.
    pub straddled: u64,
    /// The first wrong values, described.
    pub examples: Vec<String>,
    /// The first distinct errors of the failed writes.
    pub errors: Vec<String>,
}

impl Outcome {
    fn total(&self, f: impl Fn(&KindCounts) -> u64) -> u64 {
        self.kinds.iter().map(|(_, c)| f(c)).sum()
    }

    /// Writes sent.
    pub fn made(&self) -> u64 {
        self.total(|c| c.made)
    }

    /// Writes committed.
    pub fn committed(&self) -> u64 {
        self.total(|c| c.committed)
    }

    /// Writes lost.
    pub fn lost(&self) -> u64 {
        self.total(|c| c.lost)
    }

    /// Writes failed.
    pub fn failed(&self) -> u64 {
        self.total(|c| c.failed)
    }

    /// Writes sent again after a schema change.
    pub fn retried(&self) -> u64 {
        self.total(|c| c.retried)
    }

    /// Whether anything is wrong: a write lost or failed, or an untouched row wrong.
    pub fn alarming(&self) -> bool {
        self.lost() + self.failed() + self.untouched_wrong > 0
    }

    /// One line: the alarm first when there is one.
    pub fn headline(&self) -> String {
        if self.alarming() {
            format!(
                "{} of the application's writes LOST, {} FAILED{} (of {} made, {} committed; {} rows checked)",
                self.lost(),
                self.failed(),
                if self.untouched_wrong > 0 {
                    format!(
                        ", {} values wrong in rows it never wrote",
                        self.untouched_wrong
                    )
                } else {
                    String::new()
                },
                self.made(),
                self.committed(),
                self.rows_checked
            )
        } else {
            format!(
                "every one of the application's {} committed writes kept (0 lost, 0 failed of {} made; {} rows checked)",
                self.committed(),
                self.made(),
                self.rows_checked
            )
        }
    }
}

/// Checks the database behind `conn` (loaded with `rows` rows) against `model`, whose writes
/// from `first_write` on are the run's: those are counted as made; a loss is counted whichever
/// run's write it is (the `down` can lose what the `up` kept), unless an earlier check already
/// counted it. Records the losses found in `model`.
pub fn check(
    conn: &mut AnyConnection,
    rows: u64,
    model: &mut Model,
    first_write: WriteId,
    ending: &Ending,
) -> Result<Outcome> {
    let outcome = check_against(conn, rows, model, first_write, ending)?;
    model.found_lost.extend(outcome.1);
    Ok(outcome.0)
}

fn check_against(
    conn: &mut AnyConnection,
    rows: u64,
    model: &Model,
    first_write: WriteId,
    ending: &Ending,
) -> Result<(Outcome, HashSet<WriteId>)> {
    let schema = Schema::read(conn)?;
    let found = read_back(conn, &schema, rows, model, ending)?;
    let mut kinds: Vec<(LiveKind, KindCounts)> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for (w, write) in model.writes.iter().enumerate() {
        let at = match kinds.iter().position(|(k, _)| *k == write.kind) {
            Some(at) => at,
            None => {
                kinds.push((write.kind, KindCounts::default()));
                kinds.len() - 1
            }
        };
        let counts = &mut kinds[at].1;
        counts.lost += u64::from(found.lost.contains(&w) && !model.found_lost.contains(&w));
        if w < first_write {
            continue;
        }
        counts.made += 1;
        counts.retried += u64::from(write.retries > 0);
        match &write.error {
            None => counts.committed += 1,
            Some(error) => {
                counts.failed += 1;
                let line = error.lines().next().unwrap_or("").to_owned();
                if errors.len() < SHOWN && !errors.contains(&line) {
                    errors.push(line);
                }
            }
        }
    }
    kinds.sort_by_key(|(k, _)| LiveKind::ALL.iter().position(|a| a == k));
    let straddled = model
        .users
        .values()
        .flat_map(|u| {
            [
                u.name.as_ref().is_some_and(|f| f.was.is_some()),
                u.age.as_ref().is_some_and(|f| f.was.is_some()),
                u.created_at.as_ref().is_some_and(|f| f.was.is_some()),
            ]
        })
        .chain(model.customers.values().map(|f| f.was.is_some()))
        .filter(|s| *s)
        .count() as u64;
    let outcome = Outcome {
        kinds,
        untouched_wrong: found.untouched_wrong,
        unfilled: found.unfilled,
        rows_checked: found.rows_checked,
        straddled,
        examples: found.examples,
        errors,
    };
    Ok((outcome, found.lost))
}
