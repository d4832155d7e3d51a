//! Migrations merged from another branch: pending, but older than one already applied.
//!
//! Applying them silently would run them in an order no other database saw; refusing for good
//! would block a normal merge. `up` refuses and says what to do, and applies them when asked
//! (`--out-of-order`, Flyway's `outOfOrder`).

use super::Runner;
use super::plan::Resume;
use crate::descriptor::MigrationDescriptor;
use crate::error::{Error, Result};
use crate::status::MigrationStatus;

/// Fails when `plan` would apply a migration older than an applied one, naming them.
pub(super) fn refuse_out_of_order(
    statuses: &[MigrationStatus],
    plan: &[(&'static MigrationDescriptor, Resume)],
) -> Result<()> {
    let below: Vec<&MigrationStatus> = statuses
        .iter()
        .filter(|s| s.below_applied.is_some())
        .filter(|s| plan.iter().any(|(m, _)| m.id() == s.id))
        .collect();
    let Some(newest) = below.iter().find_map(|s| s.below_applied) else {
        return Ok(());
    };
    let mut summary = format!(
        "{} pending migration(s) are older than migration {newest}, which is applied (merged from another branch?):",
        below.len()
    );
    for s in &below {
        summary.push_str(&format!("\n  {} `{}`", s.id, s.name));
    }
    Err(Error::NeedsAttention {
        summary,
        hint: "check that they do not depend on what the newer migrations changed, then apply them with `migrate up --out-of-order`; or give them ids above the newest applied one (`migrate new` writes timestamp ids)".into(),
    })
}

impl Runner<'_> {
    /// Whether `up` applies pending migrations older than an applied one (see
    /// [`RunOptions::out_of_order`](super::RunOptions::out_of_order)).
    pub fn out_of_order(mut self, allow: bool) -> Self {
        self.options.out_of_order = allow;
        self
    }
}
