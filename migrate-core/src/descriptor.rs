//! What the `#[migration]` attribute records about a migration function: the
//! [`MigrationDescriptor`], collected with `inventory` and read through a registry.
//!
//! It sits above the [`Migration`] handle, since it holds the functions that take one.

use crate::error::Result;
use crate::migration::Migration;
use crate::vocabulary::{MigrationId, SourceLocation};
use std::fmt;

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
    /// The Diesel version of a migration embedded from a Diesel migrations directory.
    diesel_version: Option<&'static str>,
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
            diesel_version: None,
        }
    }

    /// Called by the `embed_diesel_migrations!` expansion only: a migration read from a Diesel
    /// migrations directory, whose history Diesel records under `diesel_version`.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn __new_diesel(
        id: u64,
        name: &'static str,
        description: &'static str,
        up: MigrationFn,
        down: Down,
        transactional: bool,
        checksum: &'static str,
        module_path: &'static str,
        (file, line): (&'static str, u32),
        diesel_version: &'static str,
    ) -> Self {
        let mut migration = MigrationDescriptor::__new(
            id,
            name,
            description,
            up,
            down,
            transactional,
            checksum,
            module_path,
            file,
            line,
        );
        migration.diesel_version = Some(diesel_version);
        migration
    }

    /// The version `__diesel_schema_migrations` records for it, if it was read from a Diesel
    /// migrations directory (`2024-01-31-120000_create_users` has `20240131120000`).
    pub fn diesel_version(&self) -> Option<&'static str> {
        self.diesel_version
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

    /// The checksum of its source tokens (of its `up.sql` file's bytes for a Diesel SQL
    /// migration), compared with the history table to detect edits.
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
            .field("diesel_version", &self.diesel_version)
            .finish()
    }
}

inventory::collect!(MigrationDescriptor);
