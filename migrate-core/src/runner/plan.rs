//! Which migrations `up` and `down` run, in which order, and where each resumes: pure functions
//! of the registry and the statuses, shared by real runs and dry runs.

use crate::descriptor::MigrationDescriptor;
use crate::error::{Error, Result};
use crate::registry::Registry;
use crate::status::{MigrationState, MigrationStatus};
use crate::vocabulary::MigrationId;

/// Where an interrupted or failed run of a migration stopped: the steps it finished and the last
/// key its batched step committed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Resume {
    pub(super) steps_done: u32,
    pub(super) key: Option<Vec<String>>,
    /// Whether an earlier attempt exists (its last statement may have taken effect unrecorded).
    pub(super) attempted: bool,
}

impl Resume {
    pub(super) fn from_entry(entry: Option<&crate::history::HistoryEntry>) -> Resume {
        entry.map_or_else(Resume::default, |e| Resume {
            steps_done: e.steps_done,
            key: e.resume_key.clone(),
            attempted: true,
        })
    }
}

/// Where `down` stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownTarget {
    /// Revert this many of the newest applied migrations.
    Steps(usize),
    /// Revert every applied migration newer than this id, leaving it applied (`0` reverts all).
    To(MigrationId),
}

pub(super) fn nothing_applied() -> Error {
    Error::InvalidTarget {
        message: "no migration is applied, so there is nothing to revert".into(),
        hint: "`migrate status` shows the state of every migration".into(),
    }
}

pub(super) fn unknown_target(id: MigrationId, registry: &Registry) -> Error {
    let known = match (registry.iter().next(), registry.last_id()) {
        (Some(first), Some(last)) => format!("known ids run from {} to {last}", first.id()),
        _ => "no migrations are known".to_owned(),
    };
    Error::InvalidTarget {
        message: format!("there is no migration with id {id}"),
        hint: format!("{known}; `migrate status` lists them"),
    }
}

/// The migrations `up` applies, with the steps an interrupted attempt finished.
pub(super) fn plan_up(
    registry: &Registry,
    statuses: &[MigrationStatus],
    to: Option<MigrationId>,
) -> Result<Vec<(&'static MigrationDescriptor, Resume)>> {
    if let Some(to) = to {
        if registry.get(to).is_none() {
            return Err(unknown_target(to, registry));
        }
        let newest_applied = statuses
            .iter()
            .filter(|s| s.entry.is_some())
            .map(|s| s.id)
            .max();
        if let Some(newest) = newest_applied
            && to < newest
        {
            return Err(Error::InvalidTarget {
                message: format!(
                    "`up --to {to}` would go backwards: migration {newest} is already applied"
                ),
                hint: format!(
                    "`up` only applies migrations; to go back to {to}, run `migrate down --to {to}`"
                ),
            });
        }
    }
    Ok(statuses
        .iter()
        .filter(|s| to.is_none_or(|to| s.id <= to))
        .filter_map(|s| {
            let descriptor = s.descriptor?;
            match s.state {
                MigrationState::Pending => Some((descriptor, Resume::default())),
                MigrationState::Interrupted => {
                    Some((descriptor, Resume::from_entry(s.entry.as_ref())))
                }
                _ => None,
            }
        })
        .collect())
}

/// The migrations `down` reverts, newest first, with the steps an interrupted attempt finished.
pub(super) fn plan_down(
    registry: &Registry,
    statuses: &[MigrationStatus],
    target: DownTarget,
) -> Result<Vec<(&'static MigrationDescriptor, Resume)>> {
    let applied: Vec<&MigrationStatus> = statuses
        .iter()
        .rev()
        .filter(|s| s.entry.is_some())
        .collect();
    let selected: Vec<&MigrationStatus> = match target {
        DownTarget::Steps(0) => Vec::new(),
        DownTarget::Steps(n) => {
            if applied.is_empty() {
                return Err(nothing_applied());
            }
            if n > applied.len() {
                return Err(Error::InvalidTarget {
                    message: format!(
                        "cannot revert {n} migrations: only {} applied",
                        applied.len()
                    ),
                    hint: "`migrate down --to 0` reverts all of them".into(),
                });
            }
            applied.into_iter().take(n).collect()
        }
        DownTarget::To(to) => {
            if to.0 != 0 && !statuses.iter().any(|s| s.id == to) {
                return Err(unknown_target(to, registry));
            }
            if to.0 != 0 && !statuses.iter().any(|s| s.id == to && s.entry.is_some()) {
                return Err(Error::InvalidTarget {
                    message: format!(
                        "migration {to} is not applied, so `down --to {to}` cannot leave it applied"
                    ),
                    hint: format!(
                        "use `migrate up --to {to}` to apply it, or `--to` an applied id (`migrate status` lists them)"
                    ),
                });
            }
            applied.into_iter().take_while(|s| s.id > to).collect()
        }
    };
    selected
        .into_iter()
        .map(|s| {
            let descriptor = s.descriptor.ok_or_else(|| Error::NeedsAttention {
                summary: format!("migration {} `{}` is applied but not in this binary, so it cannot be reverted", s.id, s.name),
                hint: format!("run the binary that contains it, or forget it with `migrate resolve {} --mark-reverted`", s.id),
            })?;
            if !descriptor.is_reversible() {
                return Err(Error::Irreversible {
                    id: descriptor.id(),
                    name: descriptor.name(),
                });
            }
            let resume = match s.state {
                MigrationState::Interrupted => Resume::from_entry(s.entry.as_ref()),
                _ => Resume::default(),
            };
            Ok((descriptor, resume))
        })
        .collect()
}
