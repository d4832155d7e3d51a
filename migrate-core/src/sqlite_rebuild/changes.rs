//! The edits of the `CREATE TABLE` text that make each [`TableChange`]: NOT NULL set or dropped,
//! a CHECK or FOREIGN KEY constraint added, a named constraint dropped. Apart from the plan in
//! the parent module because this is where a change's meaning and its refusals live, while the
//! plan is the same for every change.

use super::definition::{Edit, TableDefinition};
use super::item::{ConstraintKind, Item};
use super::schema::{SchemaObject, find_table, table_columns};
use super::tokens::{TokenKind, name_list, quote, quote_list, same_name, tokenize};
use crate::error::{Error, Result};
use diesel::SqliteConnection;
use migrate_sql::TableChange;

/// The edits of the `CREATE TABLE` text that make `change`; none if the table already has it.
pub(super) fn change_edits(
    conn: &mut SqliteConnection,
    schema: &[SchemaObject],
    definition: &TableDefinition<'_>,
    change: &TableChange,
) -> Result<Vec<Edit>> {
    match change {
        TableChange::SetNotNull { column } => Ok(set_not_null(definition.column(column)?)),
        TableChange::DropNotNull { column } => {
            Ok(definition.drop_not_null(definition.column(column)?))
        }
        TableChange::AddCheck { name, expression } => {
            definition.ensure_name_is_free(name)?;
            let expression = check_expression(definition.table, name, expression)?;
            Ok(definition
                .append_constraint(&format!("CONSTRAINT {} CHECK ({expression})", quote(name))))
        }
        TableChange::AddForeignKey {
            name,
            columns,
            references,
            referenced_columns,
        } => {
            definition.ensure_name_is_free(name)?;
            let key = ForeignKey {
                name,
                columns,
                references,
                referenced_columns,
            };
            let clause = key.clause(conn, schema, definition)?;
            Ok(definition.append_constraint(&clause))
        }
        TableChange::AddUnique { name, columns } => {
            definition.ensure_name_is_free(name)?;
            Ok(definition.append_constraint(&format!(
                "CONSTRAINT {} UNIQUE ({})",
                quote(name),
                quote_list(columns.iter().map(String::as_str))
            )))
        }
        TableChange::DropConstraint { name } => definition.drop_constraint(name),
    }
}

/// Adds NOT NULL to a column: turns explicit `NULL` constraints into `NOT NULL`, or appends it.
fn set_not_null(column: &Item) -> Vec<Edit> {
    if column
        .constraints
        .iter()
        .any(|c| c.kind == ConstraintKind::NotNull)
    {
        return Vec::new();
    }
    let explicit_nulls: Vec<Edit> = column
        .constraints
        .iter()
        .filter_map(|c| match &c.kind {
            ConstraintKind::Null { keyword } => Some(Edit::replace(keyword.clone(), "NOT NULL")),
            _ => None,
        })
        .collect();
    if !explicit_nulls.is_empty() {
        return explicit_nulls;
    }
    vec![Edit::insert(column.span.end, " NOT NULL")]
}

/// Checks that a CHECK expression cannot break out of its parentheses, and ends a trailing line
/// comment so that it does not swallow the closing one.
fn check_expression(table: &str, name: &str, expression: &str) -> Result<String> {
    let invalid = |why: &str| Error::Rebuild {
        table: table.to_owned(),
        reason: format!(
            "the expression of CHECK constraint `{name}` on table `{table}` {why}: {expression}"
        ),
    };
    let tokens = tokenize(expression).map_err(|why| invalid(&format!("has {why}")))?;
    let mut depth = 0_usize;
    for token in &tokens {
        match token.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| invalid("closes a parenthesis it did not open"))?;
            }
            _ => {}
        }
    }
    if depth > 0 {
        return Err(invalid("leaves a parenthesis open"));
    }
    if !tokens.iter().any(|t| t.is_significant()) {
        return Err(invalid("is empty"));
    }
    let ends_in_line_comment = tokens
        .last()
        .is_some_and(|t| t.kind == TokenKind::Comment && t.text(expression).starts_with("--"));
    Ok(if ends_in_line_comment {
        format!("{expression}\n")
    } else {
        expression.to_owned()
    })
}

/// The parts of [`TableChange::AddForeignKey`].
struct ForeignKey<'c> {
    /// The constraint's name.
    name: &'c str,
    /// The referencing columns.
    columns: &'c [String],
    /// The referenced table.
    references: &'c str,
    /// The referenced columns; none means the referenced table's primary key.
    referenced_columns: &'c [String],
}

impl ForeignKey<'_> {
    /// The table constraint, after checking that every table and column it names exists.
    fn clause(
        &self,
        conn: &mut SqliteConnection,
        schema: &[SchemaObject],
        definition: &TableDefinition<'_>,
    ) -> Result<String> {
        let table = definition.table;
        if self.columns.is_empty() {
            return Err(self.refuse(table, "it names no columns"));
        }
        let columns = self
            .columns
            .iter()
            .map(|c| definition.column(c).map(Item::column_name))
            .collect::<Result<Vec<_>>>()?;
        let parent = find_table(schema, self.references).ok_or_else(|| {
            self.refuse(table, format!("there is no table `{}`", self.references))
        })?;
        let mut clause = format!(
            "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {}",
            quote(self.name),
            quote_list(columns),
            quote(&parent.name)
        );
        if !self.referenced_columns.is_empty() {
            let referenced = self.parent_columns(conn, table, &parent.name)?;
            clause.push_str(&format!(
                " ({})",
                quote_list(referenced.iter().map(String::as_str))
            ));
        }
        Ok(clause)
    }

    /// The referenced columns as `parent` spells them, after checking that they exist and that
    /// there are as many as referencing ones.
    fn parent_columns(
        &self,
        conn: &mut SqliteConnection,
        table: &str,
        parent: &str,
    ) -> Result<Vec<String>> {
        if self.referenced_columns.len() != self.columns.len() {
            return Err(self.refuse(
                table,
                format!(
                    "it lists {} column(s) of `{table}` but {} of `{parent}`; list as many on both sides",
                    self.columns.len(),
                    self.referenced_columns.len(),
                ),
            ));
        }
        let existing = table_columns(conn, parent)?;
        let known = name_list(existing.iter().map(|c| c.name.as_str()));
        self.referenced_columns
            .iter()
            .map(|wanted| {
                let found = existing.iter().find(|c| same_name(&c.name, wanted));
                found.map(|c| c.name.clone()).ok_or_else(|| {
                    self.refuse(
                        table,
                        format!(
                            "table `{parent}` has no column `{wanted}` (its columns are {known})"
                        ),
                    )
                })
            })
            .collect()
    }

    /// The error for a foreign key that cannot be added to `table`, and `why`.
    fn refuse(&self, table: &str, why: impl std::fmt::Display) -> Error {
        Error::Rebuild {
            table: table.to_owned(),
            reason: format!(
                "cannot add foreign key `{}` to table `{table}`: {why}",
                self.name
            ),
        }
    }
}
