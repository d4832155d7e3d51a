//! The state of each migration: what the registry knows compared with what the history records.

use crate::descriptor::MigrationDescriptor;
use crate::history::{EntryState, HistoryEntry};
use crate::registry::Registry;
use crate::vocabulary::{Direction, MigrationId};
use std::fmt;

/// The state of one migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationState {
    /// Applied, with the same checksum as the code.
    Applied,
    /// Known to the binary, not applied.
    Pending,
    /// Applied, but its code was edited since (checksums differ).
    Changed,
    /// Applied, but unknown to this binary.
    Missing,
    /// A run outside a transaction stopped part-way and left the database half-changed; an
    /// operator must decide with `migrate resolve`.
    Failed,
    /// A run outside a transaction was interrupted (the process died); the next run resumes it.
    Interrupted,
    /// A run outside a transaction is under way in another session (which holds the migration
    /// lock).
    Running,
}

impl MigrationState {
    /// The lower-case name shown by `status` (`applied`, `pending`, ...).
    pub fn name(self) -> &'static str {
        match self {
            MigrationState::Applied => "applied",
            MigrationState::Pending => "pending",
            MigrationState::Changed => "changed",
            MigrationState::Missing => "missing",
            MigrationState::Failed => "failed",
            MigrationState::Interrupted => "interrupted",
            MigrationState::Running => "running",
        }
    }

    /// Whether an operator has to act before migrations can run.
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            MigrationState::Changed | MigrationState::Missing | MigrationState::Failed
        )
    }
}

impl fmt::Display for MigrationState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One line of `migrate status`.
#[derive(Debug, Clone)]
pub struct MigrationStatus {
    /// The migration's id.
    pub id: MigrationId,
    /// Its name (from the code, or from the history if missing).
    pub name: String,
    /// Its state.
    pub state: MigrationState,
    /// The registered migration, unless missing.
    pub descriptor: Option<&'static MigrationDescriptor>,
    /// Its history row, if it has one.
    pub entry: Option<HistoryEntry>,
    /// For a pending migration older than an applied one (merged from another branch), the
    /// newest applied id: `up` applies it only with `--out-of-order`.
    pub below_applied: Option<MigrationId>,
}

impl MigrationStatus {
    /// When it was applied, if it was.
    pub fn applied_at(&self) -> Option<&str> {
        self.entry.as_ref().map(|e| e.applied_at.as_str())
    }

    /// A short explanation for states that need one (what changed, where a run stopped).
    pub fn detail(&self) -> Option<String> {
        let Some(entry) = self.entry.as_ref() else {
            return self.below_applied.map(|newest| {
                format!(
                    "older than migration {newest}, which is applied (merged from another branch?): `migrate up --out-of-order` applies it"
                )
            });
        };
        match self.state {
            MigrationState::Changed => Some(format!(
                "checksum {} recorded, code has {}",
                entry.checksum,
                self.descriptor.map_or("?", |d| d.checksum())
            )),
            MigrationState::Failed | MigrationState::Interrupted | MigrationState::Running => {
                let op = match entry.operation {
                    Direction::Up => "applying",
                    Direction::Down => "reverting",
                };
                let mut detail = format!("{op} stopped after step {}", entry.steps_done);
                if let Some(key) = &entry.resume_key {
                    let key = migrate_sql::helpers::key::Key::display(key);
                    detail.push_str(&format!(" (batched step at key {key})"));
                }
                if let Some(error) = &entry.error {
                    detail.push_str(": ");
                    detail.push_str(error.lines().next().unwrap_or_default());
                }
                Some(detail)
            }
            _ => None,
        }
    }
}

/// Compares the registry with the history, one status per id known to either, by id.
pub fn compute(registry: &Registry, entries: &[HistoryEntry]) -> Vec<MigrationStatus> {
    let mut statuses: Vec<MigrationStatus> = registry
        .iter()
        .map(|descriptor| {
            let entry = entries.iter().find(|e| e.id == descriptor.id()).cloned();
            let state = match &entry {
                None => MigrationState::Pending,
                Some(e) => match e.state {
                    EntryState::Failed => MigrationState::Failed,
                    EntryState::Running => MigrationState::Interrupted,
                    EntryState::Applied if e.checksum != descriptor.checksum() => {
                        MigrationState::Changed
                    }
                    EntryState::Applied => MigrationState::Applied,
                },
            };
            MigrationStatus {
                id: descriptor.id(),
                name: descriptor.name().to_owned(),
                state,
                descriptor: Some(descriptor),
                entry,
                below_applied: None,
            }
        })
        .collect();
    statuses.extend(
        entries
            .iter()
            .filter(|e| registry.get(e.id).is_none())
            .map(|e| MigrationStatus {
                id: e.id,
                name: e.name.clone(),
                state: MigrationState::Missing,
                descriptor: None,
                entry: Some(e.clone()),
                below_applied: None,
            }),
    );
    statuses.sort_by_key(|s| s.id);
    // Among migrations this binary has: an applied one it does not have is `missing`, which
    // `up` refuses on its own unless `--allow-missing` accepts it.
    let newest_applied = statuses
        .iter()
        .filter(|s| s.entry.is_some() && s.descriptor.is_some())
        .map(|s| s.id)
        .max();
    if let Some(newest) = newest_applied {
        for s in &mut statuses {
            if s.state == MigrationState::Pending && s.id < newest {
                s.below_applied = Some(newest);
            }
        }
    }
    statuses
}
