//! Exit statuses: one per kind of failure, so scripts can tell them apart.
//!
//! The table is README's ("Exit statuses"), where each row says which failures it holds.
//!
//! | status | meaning |
//! |--------|---------|
//! | 0 | success |
//! | 1 | other error |
//! | 2 | bad command-line usage, a setting out of its bounds |
//! | 3 | configuration: malformed or missing database URL, backend not compiled in |
//! | 4 | the database cannot be reached or used (server, connection, file, disk) |
//! | 5 | a migration failed, or a statement was refused for lack of a privilege |
//! | 6 | needs attention: changed, missing or failed migrations |
//! | 7 | invalid target: unknown id, nothing to revert, irreversible migration in the way |
//! | 8 | lock timeout: the migration lock, or a table's lock through every attempt |
//! | 9 | data check failed: rows violate what a migration requires |
//! | 10 | the history table is not one this version can use |
//! | 11 | the migrations themselves are inconsistent (duplicate ids) |
//! | 130 | interrupted (SIGINT/SIGTERM); the run stopped cleanly |

use migrate_core::ErrorKind;

/// Bad command-line usage (clap's convention).
pub(crate) const USAGE: u8 = 2;

/// The exit status for an error of `kind`.
pub fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Config => 3,
        ErrorKind::Connection => 4,
        ErrorKind::Migration => 5,
        ErrorKind::NeedsAttention => 6,
        ErrorKind::Target => 7,
        ErrorKind::Lock => 8,
        ErrorKind::Data => 9,
        ErrorKind::History => 10,
        ErrorKind::Registry => 11,
        ErrorKind::Interrupted => 130,
        _ => 1,
    }
}

/// The exit statuses of a fleet's databases from the most to the least severe: a database left
/// needing an operator first, then failed migrations and histories, data checks, other errors,
/// unreachable or locked databases, configuration and targets, then an interruption, then
/// success.
const SEVERITY: [u8; 12] = [6, 5, 10, 9, 1, 4, 8, 3, 7, 11, 130, 0];

/// The worst of `statuses` (0 when there are none), by [`SEVERITY`].
pub(crate) fn worst(statuses: impl IntoIterator<Item = u8>) -> u8 {
    let rank = |status: u8| {
        SEVERITY
            .iter()
            .position(|s| *s == status)
            .unwrap_or(SEVERITY.len())
    };
    statuses.into_iter().min_by_key(|s| rank(*s)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_status_wins() {
        assert_eq!(worst([]), 0);
        assert_eq!(worst([0, 0]), 0);
        assert_eq!(worst([0, 9, 4]), 9);
        assert_eq!(worst([130, 4, 0]), 4, "a failure outranks the interruption");
        assert_eq!(worst([0, 130]), 130);
        assert_eq!(
            worst([9, 6, 5]),
            6,
            "a database needing an operator outranks all"
        );
    }
}
