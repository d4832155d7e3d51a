//! The helper macros, one entry each: the single list that the crate's entry points, the
//! [`HelperKind`](super::HelperKind) and [`Helper`](super::Helper) enums and their dispatch are
//! generated from. Adding a helper is one entry here (its documentation, its name, and the type
//! that parses its arguments and implements [`HelperCall`](super::call::HelperCall)) plus that
//! type's module.

/// Passes the table of helpers to `$callback!`, one `/// docs name => Kind(parsed::Type);` per
/// helper.
macro_rules! with_helpers {
    ($callback:ident) => {
        $callback! {
            /// Adds a column, fills it from an expression, verifies and constrains it: the article's
            /// *add → populate → constrain* pattern in one step.
            ///
            /// `add_column!(m, table.column TYPE [NOT NULL] [= expression] [, key = id])`
            ///
            /// The column is added nullable, filled with one `UPDATE`, checked for NULLs (a failure names
            /// the rows, with their `key`, before anything is constrained), then made NOT NULL (on SQLite
            /// by rebuilding the table). In a migration declared `transaction = false` it runs online:
            /// the fill goes in keyset batches by the table's primary key (or `key`), and PostgreSQL
            /// proves NOT NULL with a `NOT VALID` check it then validates, so no scan runs under an
            /// exclusive lock (see the README's *Online or atomic*). The expression uses the portable syntax: column names, literals,
            /// arithmetic, comparisons, `if`/`else` (CASE), and functions such as `year`, `concat`,
            /// `coalesce`, `lower`, `trim`, `length`, `substring`, `split_part`, `now`. Its inverse drops
            /// the column.
            ///
            /// ```no_run
            /// use migrate_core::prelude::*;
            ///
            /// /// Add the year each user signed up.
            /// #[migration(id = 6, reversible)]
            /// fn add_created_year(m: &mut Migration) -> Result<()> {
            ///     add_column!(m, users.created_year INTEGER NOT NULL = year(created_at))?;
            ///     add_column!(m, users.age_group VARCHAR(20) NOT NULL =
            ///         if age < 18 { "minor" } else if age < 65 { "adult" } else { "senior" })?;
            ///     Ok(())
            /// }
            /// ```
            add_column => AddColumn(columns::AddColumn);
            /// Drops a column. Not invertible: a `reversible` migration cannot use it.
            ///
            /// ```no_run
            /// # use migrate_core::prelude::*;
            /// #[migration(id = 12, irreversible)]
            /// fn drop_legacy_flag(m: &mut Migration) -> Result<()> {
            ///     drop_column!(m, users.legacy_flag)?;
            ///     Ok(())
            /// }
            /// ```
            drop_column => DropColumn(columns::DropColumn);
            /// Renames a column; its inverse renames it back.
            ///
            /// ```no_run
            /// # use migrate_core::prelude::*;
            /// #[migration(id = 13, reversible)]
            /// fn rename_total(m: &mut Migration) -> Result<()> {
            ///     rename_column!(m, orders.total_cents => amount_cents)?;
            ///     Ok(())
            /// }
            /// ```
            rename_column => RenameColumn(columns::RenameColumn);
            /// Sets a column with one set-based `UPDATE`, or, in a migration declared
            /// `transaction = false`, in keyset batches by the table's primary key (or `key = ...`),
            /// each its own short transaction, resumable. Invertible only for a column the same
            /// migration adds.
            ///
            /// ```no_run
            /// # use migrate_core::prelude::*;
            /// #[migration(id = 14, irreversible)]
            /// fn normalize_names(m: &mut Migration) -> Result<()> {
            ///     update!(m, customers.name = trim(name), filter = name != trim(name))?;
            ///     Ok(())
            /// }
            /// ```
            update => Update(columns::Update);
            /// Splits a text column into 2 to 4 columns at a separator, losslessly.
            ///
            /// `split_column!(m, table.source TYPE [NOT NULL] => part TYPE [NOT NULL], ..., separator = "sep" [, key = id])`
            ///
            /// Each part but the last takes the text up to the next separator, the last takes all the
            /// rest; parts after the last separator found are NULL. So "Mary Ann Smith" gives "Mary" and
            /// "Ann Smith", "Cher" gives "Cher" and NULL, and [`merge_columns!`] (the inverse) restores
            /// every value byte for byte. Rows the parts cannot hold (a NOT NULL part that would be NULL,
            /// a part longer than its VARCHAR) are counted and named before anything changes. The source
            /// column is dropped.
            ///
            /// ```no_run
            /// # use migrate_core::prelude::*;
            /// #[migration(id = 5, reversible)]
            /// fn split_full_name(m: &mut Migration) -> Result<()> {
            ///     split_column!(m, users.full_name VARCHAR(100) NOT NULL
            ///         => first_name VARCHAR(50) NOT NULL, last_name VARCHAR(100),
            ///         separator = " ")?;
            ///     Ok(())
            /// }
            /// ```
            split_column => SplitColumn(split::Split);
            /// Merges 2 to 4 text columns into one, joining them with a separator up to the first NULL
            /// part; the parts are dropped. The inverse of [`split_column!`]; declare the parts' types to
            /// make it invertible itself.
            ///
            /// Rows it would lose text from (a NULL part followed by a non-NULL one) and, for a NOT NULL
            /// target, rows whose first part is NULL are named before anything changes. Its own inverse
            /// (a split) cuts at the first separators, so it restores the parts exactly only where no part
            /// but the last contains the separator.
            ///
            /// ```no_run
            /// # use migrate_core::prelude::*;
            /// #[migration(id = 15, reversible)]
            /// fn merge_names(m: &mut Migration) -> Result<()> {
            ///     merge_columns!(m, users.(first_name VARCHAR(50) NOT NULL, last_name VARCHAR(100))
            ///         => full_name VARCHAR(100) NOT NULL, separator = " ")?;
            ///     Ok(())
            /// }
            /// ```
            merge_columns => MergeColumns(split::Merge);
            /// Adds a column holding a value copied from a related table (denormalizing a join).
            ///
            /// `denormalize!(m, table.column TYPE [NOT NULL] = source.value on source.key = table.foreign_key)`
            ///
            /// Each dialect's own UPDATE-with-join fills it in one pass. With NOT NULL, rows that found no
            /// value (orphans) are counted and named before the constraint is added. Its inverse drops
            /// the column.
            ///
            /// ```no_run
            /// # use migrate_core::prelude::*;
            /// #[migration(id = 7, reversible)]
            /// fn denormalize_customer_name(m: &mut Migration) -> Result<()> {
            ///     denormalize!(m, orders.customer_name VARCHAR(100) NOT NULL
            ///         = customers.name on customers.id = orders.customer_id)?;
            ///     Ok(())
            /// }
            /// ```
            denormalize => Denormalize(denormalize::Denormalize);
            /// Verifies the rows, then adds a constraint: NOT NULL, CHECK, UNIQUE or FOREIGN KEY.
            ///
            /// Violating rows are counted and named (by `key`) in a clear error instead of a raw database
            /// error. SQLite, which cannot alter constraints, rebuilds the table the way Alembic's batch
            /// mode does (new table, copy, drop, rename), keeping data, indexes, triggers and foreign
            /// keys. Its inverse is [`unconstrain!`].
            ///
            /// In a migration declared `transaction = false`, PostgreSQL adds CHECK and FOREIGN KEY
            /// `NOT VALID` then validates them (reads and writes go on during the scan), NOT NULL
            /// through such a check, and UNIQUE by building its index `CONCURRENTLY` first; MySQL and
            /// MariaDB are asked for `ALGORITHM=INSTANT` or `INPLACE, LOCK=NONE`.
            ///
            /// ```no_run
            /// # use migrate_core::prelude::*;
            /// #[migration(id = 16, reversible)]
            /// fn constrain_orders(m: &mut Migration) -> Result<()> {
            ///     constrain!(m, orders.status NOT NULL)?;
            ///     constrain!(m, orders CHECK orders_total_nonnegative (total_cents >= 0))?;
            ///     constrain!(m, customers UNIQUE customers_name_key (name))?;
            ///     constrain!(m, orders FOREIGN KEY orders_customer_fk (customer_id) REFERENCES customers (id))?;
            ///     Ok(())
            /// }
            /// ```
            constrain => Constrain(constrain::Constrain);
            /// Removes a constraint; the arguments are those of [`constrain!`].
            ///
            /// ```no_run
            /// # use migrate_core::prelude::*;
            /// #[migration(id = 17, reversible)]
            /// fn relax_status(m: &mut Migration) -> Result<()> {
            ///     unconstrain!(m, orders.status NOT NULL)?;
            ///     Ok(())
            /// }
            /// ```
            unconstrain => Unconstrain(constrain::Unconstrain);
            /// Sets a column on a large table in short batches by primary key.
            ///
            /// `backfill!(m, table.column = expression [, filter = condition] [, key = id] [, batch_rows = N] [, target_ms = N] [, pause_ms = N])`
            ///
            /// Batches walk the table by key (keyset pagination, never rescanning finished rows), each in
            /// its own transaction that also records the last key done, so a killed run resumes exactly
            /// after its last committed batch. The batch size adapts to take about `target_ms` per batch
            /// unless `batch_rows` fixes it, and `pause_ms` rests after each batch; without them, the
            /// run's `--batch-time` and `--batch-pause` (by default 10 ms and none on PostgreSQL, 40 ms
            /// and none on MySQL, 40 ms and 20 ms on SQLite). Progress (rows, rate, time left) shows on
            /// a terminal. Needs `transaction = false`.
            ///
            /// ```no_run
            /// # use migrate_core::prelude::*;
            /// #[migration(id = 10, reversible, transaction = false)]
            /// fn backfill_order_status(m: &mut Migration) -> Result<()> {
            ///     add_column!(m, orders.status VARCHAR(20))?;
            ///     backfill!(m, orders.status = "processed", filter = is_null(status), pause_ms = 5)?;
            ///     Ok(())
            /// }
            /// ```
            backfill => Backfill(batched::Backfill);
            /// Computes columns in Rust: rows are read in batches as typed values, the closure runs per
            /// row, and each batch is written back with one statement.
            ///
            /// `transform_rows!(m, table, |column: Type, ...| -> out: Type { body } [, key = id] [, batch_rows = N] ...)`
            ///
            /// Types are `i16`, `i32`, `i64`, `f32`, `f64`, `bool`, `String` or `Option` of one; several
            /// outputs are written `-> (a: Type, b: Type)`. Batched and resumable like [`backfill!`];
            /// needs `transaction = false`.
            ///
            /// ```no_run
            /// # use migrate_core::prelude::*;
            /// #[migration(id = 9, reversible, transaction = false)]
            /// fn compute_user_score(m: &mut Migration) -> Result<()> {
            ///     add_column!(m, users.score DOUBLE)?;
            ///     transform_rows!(m, users, |posts_count: i32, comments_count: i32| -> score: f64 {
            ///         f64::from(posts_count) * 10.0 + f64::from(comments_count) * 5.0
            ///     })?;
            ///     constrain!(m, users.score NOT NULL)?;
            ///     Ok(())
            /// }
            /// ```
            transform_rows => TransformRows(batched::Transform);
            /// Counts rows (matching a filter), reports the count in the output and returns it.
            ///
            /// ```no_run
            /// # use migrate_core::prelude::*;
            /// # fn f(m: &mut Migration) -> Result<()> {
            /// let remaining = count_rows!(m, orders, filter = is_null(status))?;
            /// if remaining > 0 {
            ///     return Err(Error::msg(format!("{remaining} orders still have no status")));
            /// }
            /// # Ok(()) }
            /// ```
            count_rows => CountRows(checks::CountRows);
            /// Shows a few rows in the output: a spot check after a data change.
            ///
            /// ```no_run
            /// # use migrate_core::prelude::*;
            /// # fn f(m: &mut Migration) -> Result<()> {
            /// spot_check!(m, users(id, first_name, last_name), limit = 5)?;
            /// # Ok(()) }
            /// ```
            spot_check => SpotCheck(checks::SpotCheck);
            /// Fails the migration, naming offending rows, unless every row satisfies a condition (a
            /// NULL result counts as a failure).
            ///
            /// ```no_run
            /// # use migrate_core::prelude::*;
            /// # fn f(m: &mut Migration) -> Result<()> {
            /// verify!(m, orders, is_not_null(status), "every order has a status")?;
            /// # Ok(()) }
            /// ```
            verify => Verify(checks::Verify);
        }
    };
}
pub(crate) use with_helpers;
