//! What a data-migration helper does, as steps in one dialect.
//!
//! The helper macros call the generators of [`crate::helpers`] at compile time; each returns the
//! steps of one dialect. Most steps are plain SQL. A few depend on the database's current schema
//! and are planned at run time: MySQL's `MODIFY COLUMN` must restate the column's whole
//! definition, and SQLite changes constraints by rebuilding the table.

/// One step of a helper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Drops a column (its own variant so that the runtime can drop, in the same lock, the
    /// triggers of an online fill that read the column).
    DropColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The statement.
        sql: String,
        /// A line for the command's output.
        report: String,
    },
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
    /// Sets columns on the rows of a table (see [`Fill`]).
    Fill(Fill),
    /// A table change that depends on the current schema or on how the migration runs (see
    /// [`TableChange`]).
    AlterTable {
        /// The table.
        table: String,
        /// The change.
        change: TableChange,
    },
}

/// Sets columns on every row of a table (or on the rows a condition selects), possibly from a
/// joined table: the populate step of `add_column!`, `split_column!`, `merge_columns!`,
/// `denormalize!` and `update!`.
///
/// A migration that runs in one transaction fills with one `UPDATE` ([`Fill::statement`]); one
/// that runs outside (`transaction = false`) fills online, in keyset batches of short
/// transactions by the table's key ([`Fill::batch`]), resumable after its last committed batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fill {
    /// The table whose rows are set.
    pub table: String,
    /// The key to walk it by online (`key = ...`); its primary key, read from the catalog, when
    /// `None`.
    pub key: Option<Vec<String>>,
    /// The columns set and their values, in the dialect's SQL over the row being set (and the
    /// joined table's row, with [`Fill::join`]).
    pub assignments: Vec<Assignment>,
    /// The table values are read from and how its rows match (`denormalize!`).
    pub join: Option<Join>,
    /// Which rows to set, in the dialect's SQL; all when `None`.
    pub condition: Option<String>,
    /// The line for the output, `{n}` replaced by the number of rows set.
    pub report: String,
}

/// One column a [`Fill`] sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The column, unquoted.
    pub column: String,
    /// Its value, in the dialect's SQL.
    pub value: String,
}

impl Assignment {
    /// `column = value`.
    pub fn new(column: &str, value: impl Into<String>) -> Self {
        Assignment {
            column: column.to_owned(),
            value: value.into(),
        }
    }
}

/// The table a [`Fill`] reads from (`denormalize!`): `source_table.source_column` where
/// `source_table.source_key` equals the filled table's `foreign_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Join {
    /// The joined table (unquoted, `schema.table` where qualified).
    pub source_table: String,
    /// The column whose value is copied.
    pub source_column: String,
    /// The joined table's column matched.
    pub source_key: String,
    /// The filled table's column that refers to it.
    pub foreign_key: String,
    /// The condition matching its rows to the filled table's, in the dialect's SQL.
    pub on: String,
    /// The value read by a correlated subquery (`(SELECT ... FROM joined WHERE on)`), for the
    /// batches of PostgreSQL and SQLite and for every database's triggers, which compute one
    /// row: their planners hash the whole joined table for an `UPDATE ... FROM` of a few
    /// thousand rows, a fixed cost per batch that no batch size amortizes, where this reads the
    /// joined rows by index. Rows without a match are set to NULL, which is what they hold in a
    /// column the helper added.
    pub correlated: String,
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
    /// The column this check clears to be made NOT NULL by the step after it, if that is what
    /// it is for: an online `transform_rows!` earlier in the migration then refuses the
    /// application's NULLs in it from its last pass on (see `migrate_core`'s change log).
    pub before_not_null: Option<ColumnName>,
}

/// A column of a table, both unquoted (the table possibly `schema.table`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnName {
    /// The table.
    pub table: String,
    /// The column.
    pub column: String,
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
    /// Add `CONSTRAINT name UNIQUE (columns)`.
    AddUnique {
        /// The constraint's name.
        name: String,
        /// The columns.
        columns: Vec<String>,
    },
    /// Remove the CHECK or FOREIGN KEY constraint called `name`.
    DropConstraint {
        /// The constraint's name.
        name: String,
    },
}
