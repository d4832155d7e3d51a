//! What a data-migration helper does, as steps in one dialect.
//!
//! The helper macros call the generators of [`crate::helpers`] at compile time; each returns the
//! steps of one dialect. Most steps are plain SQL. A few depend on the database's current schema
//! and are planned at run time: MySQL's `MODIFY COLUMN` must restate the column's whole
//! definition, and SQLite changes constraints by rebuilding the table.

/// One step of a helper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Runs one statement.
    Execute {
        /// The statement.
        sql: String,
        /// A line for the command's output, `{n}` replaced by the number of changed rows.
        report: Option<String>,
    },
    /// Stops the migration, before it changes anything more, if rows violate a requirement.
    Verify(Check),
    /// Adds a line to the output: `label` with `{n}` replaced by the count `sql` returns.
    Report {
        /// A query returning one integer column named `n`.
        sql: String,
        /// The line, with `{n}`.
        label: String,
    },
    /// Adds one line to the output per row `sql` returns (a text column `v`): a spot check.
    Sample {
        /// The query.
        sql: String,
        /// A heading for the rows.
        label: String,
    },
    /// A table change that depends on the current schema (see [`TableChange`]).
    AlterTable {
        /// The table.
        table: String,
        /// The change.
        change: TableChange,
    },
}

/// A requirement on existing rows, checked before a change that relies on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// A query returning one integer column `n`: how many rows violate the requirement.
    pub count_sql: String,
    /// A query returning one text column `v`: the keys of up to five violating rows.
    pub sample_sql: String,
    /// What is wrong, with `{n}` replaced by the count (e.g. "{n} rows of `users` have NULL in
    /// `score`").
    pub problem: String,
    /// What the user can do.
    pub hint: String,
    /// The line reported when no row violates it (`None`: a check made before a change, which
    /// the change's own line reports).
    pub confirmed: Option<String>,
}

/// A change to a table's definition that a dialect cannot express as a static statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableChange {
    /// Make `column` NOT NULL (its rows were verified first).
    SetNotNull {
        /// The column.
        column: String,
    },
    /// Allow NULL in `column`.
    DropNotNull {
        /// The column.
        column: String,
    },
    /// Add `CONSTRAINT name CHECK (expression)`; `expression` is SQL of the dialect.
    AddCheck {
        /// The constraint's name.
        name: String,
        /// The condition, as SQL.
        expression: String,
    },
    /// Add `CONSTRAINT name FOREIGN KEY (columns) REFERENCES references (referenced_columns)`.
    AddForeignKey {
        /// The constraint's name.
        name: String,
        /// The referencing columns.
        columns: Vec<String>,
        /// The referenced table.
        references: String,
        /// The referenced columns.
        referenced_columns: Vec<String>,
    },
    /// Remove the CHECK or FOREIGN KEY constraint called `name`.
    DropConstraint {
        /// The constraint's name.
        name: String,
    },
}
