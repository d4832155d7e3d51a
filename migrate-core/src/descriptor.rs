//! What the `#[migration]` attribute records about a migration function.

use crate::{Migration, Result};
use std::fmt;

/// The identifier of a migration: a positive integer, unique within a migration set, that fixes
/// the order in which migrations run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MigrationId(pub u64);

impl MigrationId {
    /// The id as stored in the history table's `BIGINT` column. The macro rejects ids above
    /// `i64::MAX`, so the conversion never wraps.
    pub(crate) fn as_i64(self) -> i64 {
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }
}

impl fmt::Display for MigrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The signature every migration function has.
pub type MigrationFn = for<'m, 'c> fn(&'m mut Migration<'c>) -> Result<()>;

/// How a migration is reverted.
#[derive(Clone, Copy)]
pub enum Down {
    /// By calling this function (given as `down = path`, or derived from the helpers with
    /// `reversible`).
    Function(MigrationFn),
    /// It cannot be reverted (`irreversible`); `down` stops before it.
    Irreversible,
}

/// Where a migration is defined in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceLocation {
    /// The file, as `file!()` gives it.
    pub file: &'static str,
    /// The line of the function's name.
    pub line: u32,
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A registered migration: everything the runner needs to know about one `#[migration]` function.
///
/// Built by the macro at compile time (through [`MigrationDescriptor::__new`]) and collected with
/// `inventory`; read it through a [`Registry`](crate::Registry).
pub struct MigrationDescriptor {
    id: MigrationId,
    name: &'static str,
    description: &'static str,
    up: MigrationFn,
    down: Down,
    transactional: bool,
    checksum: &'static str,
    module_path: &'static str,
    location: SourceLocation,
}

impl MigrationDescriptor {
    /// Called by the `#[migration]` expansion only.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn __new(
        id: u64,
        name: &'static str,
        description: &'static str,
        up: MigrationFn,
        down: Down,
        transactional: bool,
        checksum: &'static str,
        module_path: &'static str,
        file: &'static str,
        line: u32,
    ) -> Self {
        MigrationDescriptor {
            id: MigrationId(id),
            name,
            description,
            up,
            down,
            transactional,
            checksum,
            module_path,
            location: SourceLocation { file, line },
        }
    }

    /// The migration's id.
    pub fn id(&self) -> MigrationId {
        self.id
    }

    /// Its name: the function's name unless the attribute gave `name = "..."`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The first paragraph of its doc comment.
    pub fn description(&self) -> &'static str {
        self.description
    }

    /// The function that applies it.
    pub fn up(&self) -> MigrationFn {
        self.up
    }

    /// How it is reverted.
    pub fn down(&self) -> Down {
        self.down
    }

    /// Whether it can be reverted.
    pub fn is_reversible(&self) -> bool {
        matches!(self.down, Down::Function(_))
    }

    /// Whether it runs in one transaction (`transaction = false` turns this off for migrations
    /// that manage their own, such as batched backfills).
    pub fn is_transactional(&self) -> bool {
        self.transactional
    }

    /// The checksum of its source tokens, compared with the history table to detect edits.
    pub fn checksum(&self) -> &'static str {
        self.checksum
    }

    /// The module that defines it (`module_path!()`), which decides its [`MigrationSet`](crate::MigrationSet).
    pub fn module_path(&self) -> &'static str {
        self.module_path
    }

    /// Where it is defined.
    pub fn location(&self) -> SourceLocation {
        self.location
    }
}

impl fmt::Debug for MigrationDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MigrationDescriptor")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("reversible", &self.is_reversible())
            .field("transactional", &self.transactional)
            .field("checksum", &self.checksum)
            .field("location", &self.location)
            .finish()
    }
}

inventory::collect!(MigrationDescriptor);
