//! Collecting the migrations of a crate, in order.
//!
//! `#[migration]` registers each function with `inventory`, which gathers registrations from every
//! crate linked into the binary, in no particular order. A [`MigrationSet`] selects the ones defined
//! under one module and a [`Registry`] holds them sorted by id.
//!
//! A binary only sees the registrations of crates the linker kept. Because the `migrate` command
//! cannot be built without a `&'static MigrationSet`, which lives in the migrations' own crate, the
//! binary always references that crate and its registrations are linked in.

use crate::descriptor::MigrationDescriptor;
use crate::error::{Error, Result};
use crate::vocabulary::MigrationId;

/// The migrations defined under one module (and its submodules).
///
/// Declare it with [`migration_set!`](crate::migration_set) in the module that holds the
/// migrations, and hand it to the `migrate` command.
#[derive(Debug)]
pub struct MigrationSet {
    module: &'static str,
    file: &'static str,
    manifest_dir: &'static str,
}

/// Declares the [`MigrationSet`] of the module it is written in.
///
/// ```
/// mod migrations {
///     migrate_core::migration_set! {
///         /// The shop's schema and data migrations.
///         pub static MIGRATIONS;
///     }
/// }
/// assert!(migrations::MIGRATIONS.module().ends_with("::migrations"));
/// ```
#[macro_export]
macro_rules! migration_set {
    ($(#[$attr:meta])* $vis:vis static $name:ident;) => {
        $(#[$attr])*
        $vis static $name: $crate::MigrationSet =
            $crate::MigrationSet::__new(::core::module_path!(), ::core::file!(), ::core::env!("CARGO_MANIFEST_DIR"));
    };
}

impl MigrationSet {
    /// Called by [`migration_set!`](crate::migration_set) only.
    #[doc(hidden)]
    pub const fn __new(
        module: &'static str,
        file: &'static str,
        manifest_dir: &'static str,
    ) -> Self {
        MigrationSet {
            module,
            file,
            manifest_dir,
        }
    }

    /// The module path whose migrations belong to this set.
    pub fn module(&self) -> &'static str {
        self.module
    }

    /// The source file that declares the set (as `file!()` gives it), where `migrate new` adds
    /// migrations.
    pub fn source_file(&self) -> &'static str {
        self.file
    }

    /// The manifest directory of the crate that declares the set.
    pub fn manifest_dir(&self) -> &'static str {
        self.manifest_dir
    }

    /// Whether a migration defined in `module_path` belongs to this set.
    pub fn contains_module(&self, module_path: &str) -> bool {
        match module_path.strip_prefix(self.module) {
            Some(rest) => rest.is_empty() || rest.starts_with("::"),
            None => false,
        }
    }

    /// Collects the set's migrations, sorted by id.
    ///
    /// Fails if two of them share an id, naming both source locations.
    pub fn registry(&self) -> Result<Registry> {
        Registry::from_descriptors(
            inventory::iter::<MigrationDescriptor>
                .into_iter()
                .filter(|m| self.contains_module(m.module_path())),
        )
    }
}

/// The migrations of a set, sorted by id, with unique ids.
#[derive(Debug, Clone)]
pub struct Registry {
    migrations: Vec<&'static MigrationDescriptor>,
}

impl Registry {
    /// Builds a registry from descriptors in any order.
    pub fn from_descriptors(
        descriptors: impl IntoIterator<Item = &'static MigrationDescriptor>,
    ) -> Result<Registry> {
        let mut migrations: Vec<_> = descriptors.into_iter().collect();
        // Ties are broken by location so that the duplicate error is the same on every run.
        migrations.sort_by_key(|m| (m.id(), m.location().file, m.location().line));
        if let Some(pair) = migrations
            .windows(2)
            .find(|pair| pair[0].id() == pair[1].id())
        {
            let highest = migrations
                .iter()
                .map(|m| m.id())
                .max()
                .unwrap_or(pair[0].id());
            return Err(Error::DuplicateId {
                id: pair[0].id(),
                first: (pair[0].name(), pair[0].location()),
                second: (pair[1].name(), pair[1].location()),
                next_free: MigrationId(highest.0.saturating_add(1)),
            });
        }
        Ok(Registry { migrations })
    }

    /// All migrations, by increasing id.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &'static MigrationDescriptor> + '_ {
        self.migrations.iter().copied()
    }

    /// The migration with this id.
    pub fn get(&self, id: MigrationId) -> Option<&'static MigrationDescriptor> {
        self.migrations
            .binary_search_by_key(&id, |m| m.id())
            .ok()
            .map(|i| self.migrations[i])
    }

    /// How many migrations there are.
    pub fn len(&self) -> usize {
        self.migrations.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.migrations.is_empty()
    }

    /// The highest id, if any.
    pub fn last_id(&self) -> Option<MigrationId> {
        self.migrations.last().map(|m| m.id())
    }
}
