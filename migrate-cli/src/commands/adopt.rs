//! `adopt-diesel`: take over the history of a database Diesel migrated.

use super::Session;
use crate::args::SafetyArgs;
use crate::output::{Output, Style};
use migrate_core::{Adoption, MigrationId, Registry, Result};
use std::process::ExitCode;

pub fn adopt_diesel(session: &Session, out: &mut Output) -> Result<ExitCode> {
    let mut conn = session.connect_existing()?;
    let safety = SafetyArgs {
        allow_changed: false,
        allow_missing: false,
    };
    let adoption = session
        .runner(&mut conn, &safety, out)
        .adopt_diesel_history()?;
    report(&session.registry, &adoption, out);
    if !adoption.already_recorded.is_empty() {
        out.line(&format!(
            "{} were already recorded",
            super::apply::migrations(adoption.already_recorded.len())
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// What adoption did and what is left, for `adopt-diesel` and the first `up`.
pub fn report(registry: &Registry, adoption: &Adoption, out: &mut Output) {
    let name = |id: MigrationId| registry.get(id).map_or("?", |m| m.name());
    out.line(&format!(
        "adopted {} that Diesel had applied (from __diesel_schema_migrations, which is left as it was)",
        super::apply::migrations(adoption.adopted.len())
    ));
    for &id in &adoption.adopted {
        out.line(&format!(
            "  {} {id} {}",
            out.paint(Style::Green, "adopted"),
            name(id)
        ));
    }
    for &id in &adoption.pending {
        let below = adoption.below_newest_applied.contains(&id);
        out.line(&format!(
            "  {} {id} {}{}",
            out.paint(Style::Yellow, "pending"),
            name(id),
            if below {
                " (older than a migration Diesel applied: `up --out-of-order` applies it)"
            } else {
                ""
            }
        ));
    }
}
