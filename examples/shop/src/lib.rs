//! A small shop whose database schema and data evolve through migrations.
//!
//! Migrations 1–4 create the base schema that the reference article's data-migration examples
//! assume; `src/bin/migrate.rs` is the `migrate` command for them.

pub mod migrations;
