//! SQLite table rebuilds: SQLite's only way to change a column's nullability or to add and drop
//! CHECK and FOREIGN KEY constraints (sqlite.org/lang_altertable.html, "Making Other Kinds Of
//! Table Schema Changes"; Alembic calls it batch mode).
//!
//! The new table's `CREATE TABLE` text is the old one with the change spliced in and every other
//! byte kept: regenerating it from pragmas would lose CHECK constraints, collations,
//! AUTOINCREMENT, STRICT, WITHOUT ROWID and comments. A small tokenizer finds the column
//! definitions and constraints in that text.

use crate::{Error, Result};
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl, SqliteConnection};
use migrate_sql::{Dialect, TableChange, quote_ident, quote_str};
use std::ops::Range;

/// The statements that apply `change` to `table`, planned from the table's current schema.
///
/// They drop the views and triggers that mention the table, create the changed table under a
/// temporary name, copy every row (with its rowid), carry over the AUTOINCREMENT sequence, drop
/// the old table, rename the new one, and recreate the indexes, views and triggers. The caller
/// runs them in order in one transaction, with `PRAGMA foreign_keys` off so that dropping the old
/// table neither fails nor cascades, and checks foreign keys before committing.
///
/// The list is empty when the table already is as asked: `SetNotNull` on a NOT NULL column,
/// `DropNotNull` on a nullable one.
pub(crate) fn rebuild_statements(
    conn: &mut SqliteConnection,
    table: &str,
    change: &TableChange,
) -> Result<Vec<String>> {
    let schema = load_schema(conn)?;
    let old = find_table(&schema, table)
        .ok_or_else(|| Error::Message(format!("there is no table `{table}` to change")))?;
    let sql = old.sql.as_deref().unwrap_or_default();
    let definition = TableDefinition::parse(&old.name, sql).map_err(|why| {
        Error::Message(format!(
            "cannot read the CREATE TABLE statement of table `{}`: {why}",
            old.name
        ))
    })?;
    let edits = change_edits(conn, &schema, &definition, change)?;
    if edits.is_empty() {
        return Ok(Vec::new());
    }
    plan(conn, &schema, &definition, edits)
}

/// The full statement sequence of a rebuild whose `CREATE TABLE` edits are known.
fn plan(
    conn: &mut SqliteConnection,
    schema: &[SchemaObject],
    definition: &TableDefinition<'_>,
    mut edits: Vec<Edit>,
) -> Result<Vec<String>> {
    let old = definition.table;
    let temporary = temporary_name(schema, old);
    edits.push(Edit::replace(definition.name.clone(), quote(&temporary)));
    let columns = table_columns(conn, old)?;
    let rowid = rowid_to_copy(conn, definition, &columns)?;
    let dependents = dependents(schema, old);

    let mut statements = drop_statements(&dependents);
    statements.push(apply_edits(definition.sql, edits));
    statements.push(copy_statement(&temporary, old, &columns, rowid));
    if definition.autoincrement && find_table(schema, "sqlite_sequence").is_some() {
        statements.extend(sequence_statements(&temporary, old)?);
    }
    statements.push(format!("DROP TABLE {}", quote(old)));
    statements.push(format!(
        "ALTER TABLE {} RENAME TO {}",
        quote(&temporary),
        quote(old)
    ));
    // Indexes first: they only need the table; then views, which triggers may be defined on.
    statements.extend(
        schema
            .iter()
            .filter(|o| o.kind == "index" && same_name(&o.tbl_name, old))
            .filter_map(|o| o.sql.clone()),
    );
    for kind in ["view", "trigger"] {
        statements.extend(
            dependents
                .iter()
                .filter(|o| o.kind == kind)
                .filter_map(|o| o.sql.clone()),
        );
    }
    Ok(statements)
}

/// The edits of the `CREATE TABLE` text that make `change`; none if the table already has it.
fn change_edits(
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
    let invalid = |why: &str| {
        Error::Message(format!(
            "the expression of CHECK constraint `{name}` on table `{table}` {why}: {expression}"
        ))
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
        Error::Message(format!(
            "cannot add foreign key `{}` to table `{table}`: {why}",
            self.name
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// The schema, as sqlite_master and the pragmas tell it.

/// A row of `sqlite_master`: a table, index, view or trigger.
#[derive(Debug, QueryableByName)]
struct SchemaObject {
    /// `table`, `index`, `view` or `trigger`.
    #[diesel(sql_type = Text)]
    kind: String,
    /// Its name.
    #[diesel(sql_type = Text)]
    name: String,
    /// The table (or view) an index or trigger belongs to; its own name for tables and views.
    #[diesel(sql_type = Text)]
    tbl_name: String,
    /// NULL for the indexes SQLite makes for UNIQUE and PRIMARY KEY constraints.
    #[diesel(sql_type = Nullable<Text>)]
    sql: Option<String>,
}

/// A column as `pragma_table_xinfo` describes it.
#[derive(Debug, QueryableByName)]
struct ColumnInfo {
    /// Its name.
    #[diesel(sql_type = Text)]
    name: String,
    /// 2 and 3 mark generated columns (virtual and stored), whose values are computed, not set.
    #[diesel(sql_type = Integer)]
    hidden: i32,
    /// The column's position in the primary key, 0 if it is not part of it.
    #[diesel(sql_type = Integer)]
    pk: i32,
}

/// Every object of the main schema, in creation order (so that recreating them in that order
/// recreates a view after the views it selects from).
fn load_schema(conn: &mut SqliteConnection) -> Result<Vec<SchemaObject>> {
    diesel::sql_query("SELECT type AS kind, name, tbl_name, sql FROM sqlite_master ORDER BY rowid")
        .load(conn)
        .map_err(|e| Error::database("reading the SQLite schema", e))
}

/// The table called `name`, matched ignoring ASCII case as SQLite does.
fn find_table<'s>(schema: &'s [SchemaObject], name: &str) -> Option<&'s SchemaObject> {
    schema
        .iter()
        .find(|o| o.kind == "table" && same_name(&o.name, name))
}

/// The columns of `table`, generated ones included, in order.
fn table_columns(conn: &mut SqliteConnection, table: &str) -> Result<Vec<ColumnInfo>> {
    diesel::sql_query("SELECT name, hidden, pk FROM pragma_table_xinfo(?) ORDER BY cid")
        .bind::<Text, _>(table)
        .load(conn)
        .map_err(|e| Error::database(format!("reading the columns of table `{table}`"), e))
}

/// The name under which to copy the rowid, when it is not a column's value already: without it
/// the copy would renumber the rows, and applications may hold those numbers.
fn rowid_to_copy(
    conn: &mut SqliteConnection,
    definition: &TableDefinition<'_>,
    columns: &[ColumnInfo],
) -> Result<Option<&'static str>> {
    if definition.without_rowid || rowid_is_a_column(conn, definition.table, columns)? {
        return Ok(None);
    }
    // A column may take one of the rowid's names; any free one still means the rowid.
    Ok(["rowid", "oid", "_rowid_"]
        .into_iter()
        .find(|alias| !columns.iter().any(|c| same_name(&c.name, alias))))
}

/// Whether an INTEGER PRIMARY KEY column aliases the rowid: a primary key that, unlike every
/// other kind, has no index of its own.
fn rowid_is_a_column(
    conn: &mut SqliteConnection,
    table: &str,
    columns: &[ColumnInfo],
) -> Result<bool> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    if !columns.iter().any(|c| c.pk > 0) {
        return Ok(false);
    }
    let indexes: Count =
        diesel::sql_query("SELECT count(*) AS n FROM pragma_index_list(?) WHERE origin = 'pk'")
            .bind::<Text, _>(table)
            .get_result(conn)
            .map_err(|e| Error::database(format!("reading the indexes of table `{table}`"), e))?;
    Ok(indexes.n == 0)
}

/// A name for the new table that no object uses yet.
fn temporary_name(schema: &[SchemaObject], table: &str) -> String {
    let base = format!("_migrate_tmp_{table}");
    let taken = |name: &str| schema.iter().any(|o| same_name(&o.name, name));
    let mut name = base.clone();
    let mut attempt = 1;
    while taken(&name) {
        attempt += 1;
        name = format!("{base}_{attempt}");
    }
    name
}

/// The views and triggers that must go while the table is replaced, in creation order: the
/// rename checks every view and trigger, and fails on one that refers to a missing table. That
/// includes views on those views, and triggers on the views, which dropping a view removes.
fn dependents<'s>(schema: &'s [SchemaObject], table: &str) -> Vec<&'s SchemaObject> {
    let mut names = vec![table.to_owned()];
    let mut chosen = vec![false; schema.len()];
    let mut grew = true;
    while grew {
        grew = false;
        for (object, chosen) in schema.iter().zip(chosen.iter_mut()) {
            let Some(sql) = object.sql.as_deref() else {
                continue;
            };
            if *chosen || !matches!(object.kind.as_str(), "view" | "trigger") {
                continue;
            }
            let on_a_dropped_object = names.iter().any(|n| same_name(n, &object.tbl_name));
            if on_a_dropped_object || mentions(sql, &names) {
                *chosen = true;
                grew = true;
                if object.kind == "view" {
                    names.push(object.name.clone());
                }
            }
        }
    }
    schema
        .iter()
        .zip(chosen)
        .filter_map(|(object, chosen)| chosen.then_some(object))
        .collect()
}

/// Whether `sql` names one of `names` anywhere. A false positive only costs a needless drop and
/// create, so unreadable text counts as a mention.
fn mentions(sql: &str, names: &[String]) -> bool {
    let Ok(tokens) = tokenize(sql) else {
        return true;
    };
    tokens.iter().any(|t| {
        matches!(
            t.kind,
            TokenKind::Word | TokenKind::QuotedName | TokenKind::Text
        ) && names.iter().any(|n| same_name(&unquote(t.text(sql)), n))
    })
}

/// Drops the triggers, then the views (dependent views first), that [`dependents`] chose.
fn drop_statements(dependents: &[&SchemaObject]) -> Vec<String> {
    let triggers = dependents
        .iter()
        .filter(|o| o.kind == "trigger")
        .map(|o| format!("DROP TRIGGER {}", quote(&o.name)));
    let views = dependents
        .iter()
        .rev()
        .filter(|o| o.kind == "view")
        .map(|o| format!("DROP VIEW {}", quote(&o.name)));
    triggers.chain(views).collect()
}

/// Copies every stored column; generated columns are computed again by the new table.
fn copy_statement(
    temporary: &str,
    old: &str,
    columns: &[ColumnInfo],
    rowid: Option<&str>,
) -> String {
    let mut names: Vec<String> = columns
        .iter()
        .filter(|c| !matches!(c.hidden, 2 | 3))
        .map(|c| quote(&c.name))
        .collect();
    names.extend(rowid.map(str::to_owned));
    let list = names.join(", ");
    format!(
        "INSERT INTO {} ({list}) SELECT {list} FROM {}",
        quote(temporary),
        quote(old)
    )
}

/// Gives the new table the old one's AUTOINCREMENT counter, which may be past the largest id
/// left: copying rows only sets it to that id. Renaming the table renames its sequence row.
fn sequence_statements(temporary: &str, old: &str) -> Result<[String; 2]> {
    let temporary = table_literal(temporary)?;
    let old = table_literal(old)?;
    Ok([
        format!("DELETE FROM sqlite_sequence WHERE name = {temporary}"),
        format!(
            "INSERT INTO sqlite_sequence (name, seq) SELECT {temporary}, seq FROM sqlite_sequence WHERE name = {old}"
        ),
    ])
}

/// A table name as a string literal, for `sqlite_sequence.name`.
fn table_literal(name: &str) -> Result<String> {
    quote_str(Dialect::Sqlite, name).map_err(|e| Error::Message(format!("table `{name}`: {e}")))
}

// ---------------------------------------------------------------------------------------------
// The CREATE TABLE statement and its edits.

/// A `CREATE TABLE` statement, split into the parts a rebuild edits.
struct TableDefinition<'a> {
    /// The table's name, for messages and generated SQL.
    table: &'a str,
    /// The statement, as sqlite_master holds it.
    sql: &'a str,
    /// All of `sql`, comments and spaces included.
    tokens: Vec<Token>,
    /// Where the table's name is written (with any schema prefix).
    name: Range<usize>,
    /// Column definitions and table constraints, in order.
    items: Vec<Item>,
    /// Whether the table is declared WITHOUT ROWID.
    without_rowid: bool,
    /// Whether a column is declared AUTOINCREMENT, so the table has a row in sqlite_sequence.
    autoincrement: bool,
}

/// One entry of the column list: a column definition, or table constraints. Table constraints
/// need no comma between them, so one entry can hold several.
#[derive(Debug)]
struct Item {
    /// The column's name, as written but unquoted; `None` for table constraints.
    column: Option<String>,
    /// From its first to its last token, comments around it excluded.
    span: Range<usize>,
    /// Where the comma before it is.
    comma_before: Option<usize>,
    /// A column's constraints, or the table constraints.
    constraints: Vec<Constraint>,
}

/// A column or table constraint, with its `CONSTRAINT name` prefix and ON CONFLICT clause.
#[derive(Debug)]
struct Constraint {
    /// The name after CONSTRAINT, unquoted.
    name: Option<String>,
    kind: ConstraintKind,
    /// From its first to its last token.
    span: Range<usize>,
}

/// The constraint kinds a change treats apart from the rest.
#[derive(Debug, PartialEq, Eq)]
enum ConstraintKind {
    /// `NOT NULL`.
    NotNull,
    /// An explicit `NULL`.
    Null {
        /// Where the `NULL` keyword is.
        keyword: Range<usize>,
    },
    /// Any other constraint.
    Other,
}

/// Words that start a table constraint rather than a column definition (none can be a bare
/// column name).
const TABLE_CONSTRAINT_STARTS: [&str; 5] = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];

/// Words that end a column's type name and start its constraints.
const COLUMN_CONSTRAINT_STARTS: [&str; 11] = [
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
];

impl<'a> TableDefinition<'a> {
    /// Splits the `CREATE TABLE` text that sqlite_master holds for `table`.
    fn parse(table: &'a str, sql: &'a str) -> std::result::Result<Self, String> {
        let tokens = tokenize(sql)?;
        let (name, open) = name_and_column_list(sql, &tokens)?;
        let close = matching_close(&tokens, open).ok_or("its column list is not closed")?;
        let items = split_items(sql, &tokens, open + 1..close);
        if items.is_empty() {
            return Err("its column list is empty".into());
        }
        Ok(TableDefinition {
            table,
            sql,
            name,
            items,
            without_rowid: tokens[close..].iter().any(|t| t.is_word(sql, "WITHOUT")),
            autoincrement: tokens[open..close]
                .iter()
                .any(|t| t.is_word(sql, "AUTOINCREMENT")),
            tokens,
        })
    }

    /// The definition of column `name`, matched ignoring ASCII case as SQLite does.
    fn column(&self, name: &str) -> Result<&Item> {
        self.items
            .iter()
            .find(|item| item.column.as_deref().is_some_and(|c| same_name(c, name)))
            .ok_or_else(|| {
                let columns = self.items.iter().filter_map(|i| i.column.as_deref());
                Error::Message(format!(
                    "table `{}` has no column `{name}` (its columns are {})",
                    self.table,
                    name_list(columns)
                ))
            })
    }

    /// The names of its column and table constraints.
    fn constraint_names(&self) -> impl Iterator<Item = &str> {
        self.items
            .iter()
            .flat_map(|item| &item.constraints)
            .filter_map(|c| c.name.as_deref())
    }

    /// Refuses a name an existing constraint has: DropConstraint could not tell them apart.
    fn ensure_name_is_free(&self, name: &str) -> Result<()> {
        if self.constraint_names().any(|n| same_name(n, name)) {
            return Err(Error::Message(format!(
                "table `{}` already has a constraint named `{name}`; choose another name or drop that one first",
                self.table
            )));
        }
        Ok(())
    }

    /// Removes the column's NOT NULL constraints, each with its name and ON CONFLICT clause.
    fn drop_not_null(&self, column: &Item) -> Vec<Edit> {
        column
            .constraints
            .iter()
            .filter(|c| c.kind == ConstraintKind::NotNull)
            .map(|c| self.removal(c.span.clone()))
            .collect()
    }

    /// Removes every constraint called `name`, and with it a table-constraint entry it empties.
    fn drop_constraint(&self, name: &str) -> Result<Vec<Edit>> {
        let mut edits = Vec::new();
        for item in &self.items {
            let named: Vec<&Constraint> = item
                .constraints
                .iter()
                .filter(|c| c.name.as_deref().is_some_and(|n| same_name(n, name)))
                .collect();
            if named.is_empty() {
                continue;
            }
            if item.column.is_none() && named.len() == item.constraints.len() {
                if let Some(comma) = item.comma_before {
                    edits.push(Edit::replace(comma..comma + 1, ""));
                }
                edits.push(self.removal(item.span.clone()));
            } else {
                edits.extend(named.iter().map(|c| self.removal(c.span.clone())));
            }
        }
        if edits.is_empty() {
            return Err(self.no_such_constraint(name));
        }
        Ok(edits)
    }

    /// The error for dropping a constraint the table lacks, naming the ones it has.
    fn no_such_constraint(&self, name: &str) -> Error {
        let names: Vec<&str> = self.constraint_names().collect();
        let known = if names.is_empty() {
            "it has no named constraints; only constraints written as `CONSTRAINT name ...` can be dropped by name".to_owned()
        } else {
            format!("its named constraints are {}", name_list(names))
        };
        Error::Message(format!(
            "table `{}` has no constraint named `{name}` ({known})",
            self.table
        ))
    }

    /// Removes `span` and the spaces before it, unless they end a line comment.
    fn removal(&self, span: Range<usize>) -> Edit {
        let at = self.tokens.binary_search_by_key(&span.start, |t| t.start);
        let start = match at {
            Ok(k) if k >= 1 && self.tokens[k - 1].kind == TokenKind::Space => {
                let after_comment = k >= 2 && self.tokens[k - 2].kind == TokenKind::Comment;
                if after_comment {
                    span.start
                } else {
                    self.tokens[k - 1].start
                }
            }
            _ => span.start,
        };
        Edit::replace(start..span.end, "")
    }

    /// Adds a table constraint after the last entry, on a line of its own if entries have theirs
    /// and after any comments that follow the last entry.
    fn append_constraint(&self, constraint: &str) -> Vec<Edit> {
        let Some(last) = self.items.last() else {
            return Vec::new();
        };
        let end = last.span.end;
        let indent = line_indent(self.sql, last.span.start);
        let after_comments = self
            .tokens
            .iter()
            .skip_while(|t| t.start < end)
            .take_while(|t| !t.is_significant())
            .filter(|t| t.kind == TokenKind::Comment)
            .last()
            .map_or(end, |t| t.end);
        if after_comments > end {
            // A comma after a line comment would be part of the comment.
            let newline = format!("\n{}", indent.unwrap_or_default());
            return vec![
                Edit::insert(end, ","),
                Edit::insert(after_comments, format!("{newline}{constraint}")),
            ];
        }
        let separator = match indent {
            Some(indent) => format!(",\n{indent}"),
            None => ", ".to_owned(),
        };
        vec![Edit::insert(end, format!("{separator}{constraint}"))]
    }
}

/// Where the table's name is written, and which token opens its column list: `CREATE TABLE
/// [IF NOT EXISTS] [schema.]name (`. SQLite stores the statement without the optional parts, but
/// they cost nothing to accept.
fn name_and_column_list(
    sql: &str,
    tokens: &[Token],
) -> std::result::Result<(Range<usize>, usize), String> {
    let significant: Vec<usize> = (0..tokens.len())
        .filter(|&i| tokens[i].is_significant())
        .collect();
    let at = |k: usize| significant.get(k).map(|&i| tokens[i]);
    let word_at = |k: usize, word: &str| at(k).is_some_and(|t| t.is_word(sql, word));
    if word_at(1, "VIRTUAL") {
        return Err("it is a virtual table, which SQLite cannot rebuild".into());
    }
    if !word_at(0, "CREATE") || !word_at(1, "TABLE") {
        return Err("it does not start with CREATE TABLE".into());
    }
    // `if` alone can be a table's name.
    let if_not_exists = word_at(2, "IF") && word_at(3, "NOT") && word_at(4, "EXISTS");
    let first = if if_not_exists { 5 } else { 2 };
    let qualified = at(first + 1).is_some_and(|t| t.text(sql) == ".");
    let last = if qualified { first + 2 } else { first };
    let (Some(first_token), Some(last_token)) = (at(first), at(last)) else {
        return Err("it has no table name".into());
    };
    let open = significant
        .get(last + 1)
        .copied()
        .filter(|&i| tokens[i].kind == TokenKind::Open)
        .ok_or("it has no column list after the table name")?;
    Ok((first_token.start..last_token.end, open))
}

/// The spaces before `at` if nothing else precedes it on its line.
fn line_indent(sql: &str, at: usize) -> Option<&str> {
    let line_start = sql[..at].rfind('\n')? + 1;
    let indent = &sql[line_start..at];
    indent
        .bytes()
        .all(|b| b == b' ' || b == b'\t')
        .then_some(indent)
}

/// Splits the column list (the tokens between its parentheses) at its top-level commas.
fn split_items(sql: &str, tokens: &[Token], body: Range<usize>) -> Vec<Item> {
    let mut items = Vec::new();
    let mut depth = 0_usize;
    let mut item_start = body.start;
    let mut comma_before = None;
    for i in body.clone() {
        match tokens[i].kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => depth = depth.saturating_sub(1),
            TokenKind::Comma if depth == 0 => {
                items.extend(Item::parse(sql, &tokens[item_start..i], comma_before));
                comma_before = Some(tokens[i].start);
                item_start = i + 1;
            }
            _ => {}
        }
    }
    items.extend(Item::parse(
        sql,
        &tokens[item_start..body.end],
        comma_before,
    ));
    items
}

impl Item {
    /// The column's name; empty for table constraints.
    fn column_name(&self) -> &str {
        self.column.as_deref().unwrap_or_default()
    }

    /// Reads one entry from its tokens; `None` if it has none but spaces and comments.
    fn parse(sql: &str, tokens: &[Token], comma_before: Option<usize>) -> Option<Item> {
        let units = units(tokens);
        let span = units.first()?.start..units.last()?.end;
        let first = units[0];
        let is_table_constraint = TABLE_CONSTRAINT_STARTS
            .iter()
            .any(|word| first.is_word(sql, word));
        let mut cursor = Cursor {
            sql,
            units: &units,
            pos: 0,
        };
        let column = if is_table_constraint {
            None
        } else {
            cursor.pos = 1;
            cursor.skip_type();
            Some(unquote(first.text(sql)))
        };
        Some(Item {
            column,
            span,
            comma_before,
            constraints: cursor.constraints(),
        })
    }
}

/// The significant tokens of an entry, each parenthesised group taken as one [`TokenKind::Group`].
fn units(tokens: &[Token]) -> Vec<Token> {
    let mut units = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        if token.kind == TokenKind::Open {
            let close = matching_close(tokens, i).unwrap_or(tokens.len() - 1);
            units.push(Token {
                kind: TokenKind::Group,
                start: token.start,
                end: tokens[close].end,
            });
            i = close + 1;
        } else {
            if token.is_significant() {
                units.push(token);
            }
            i += 1;
        }
    }
    units
}

/// The `)` that closes the `(` at `open`.
fn matching_close(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0_usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token.kind {
            TokenKind::Open => depth += 1,
            TokenKind::Close => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Walks the units of one entry by SQLite's constraint grammar (sqlite.org/syntax), which tells
/// `NOT NULL` apart from `NOT DEFERRABLE` and `NULL` from `ON DELETE SET NULL` or `DEFAULT NULL`.
struct Cursor<'a> {
    sql: &'a str,
    units: &'a [Token],
    pos: usize,
}

impl Cursor<'_> {
    /// Whether every unit has been read.
    fn done(&self) -> bool {
        self.pos >= self.units.len()
    }

    /// Whether the unit `offset` places ahead is the keyword `word`.
    fn is_at(&self, offset: usize, word: &str) -> bool {
        self.units
            .get(self.pos + offset)
            .is_some_and(|u| u.is_word(self.sql, word))
    }

    /// Whether the current unit is the keyword `word`.
    fn is(&self, word: &str) -> bool {
        self.is_at(0, word)
    }

    /// Steps over the keyword `word` if it comes next, saying whether it did.
    fn eat(&mut self, word: &str) -> bool {
        let found = self.is(word);
        if found {
            self.pos += 1;
        }
        found
    }

    /// Steps over one of `words` if one comes next.
    fn eat_any(&mut self, words: &[&str]) {
        if words.iter().any(|w| self.is(w)) {
            self.pos += 1;
        }
    }

    /// Steps over a parenthesised group if one comes next.
    fn eat_group(&mut self) {
        if self
            .units
            .get(self.pos)
            .is_some_and(|u| u.kind == TokenKind::Group)
        {
            self.pos += 1;
        }
    }

    /// Steps over `n` units, whatever they are.
    fn skip(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.units.len());
    }

    /// Skips a column's type name: words up to a constraint, and a `(size)` ending it.
    fn skip_type(&mut self) {
        while let Some(unit) = self.units.get(self.pos) {
            let starts_constraint = COLUMN_CONSTRAINT_STARTS
                .iter()
                .any(|w| unit.is_word(self.sql, w));
            match unit.kind {
                TokenKind::Word | TokenKind::QuotedName if !starts_constraint => self.pos += 1,
                TokenKind::Group => {
                    self.pos += 1;
                    return;
                }
                _ => return,
            }
        }
    }

    /// Reads constraints up to the end of the entry.
    fn constraints(&mut self) -> Vec<Constraint> {
        let mut constraints = Vec::new();
        while !self.done() {
            let start = self.pos;
            let name = if self.eat("CONSTRAINT") {
                let name = self.units.get(self.pos).map(|u| unquote(u.text(self.sql)));
                self.skip(1);
                name
            } else {
                None
            };
            let kind = self.constraint_body();
            if self.pos == start {
                // Syntax this parser does not know: keep it whole, as a constraint of its own.
                self.skip(1);
            }
            constraints.push(Constraint {
                name,
                kind,
                span: self.units[start].start..self.units[self.pos - 1].end,
            });
        }
        constraints
    }

    /// Reads one constraint after its optional `CONSTRAINT name`.
    fn constraint_body(&mut self) -> ConstraintKind {
        if self.is("NOT") && self.is_at(1, "NULL") {
            self.skip(2);
            self.conflict_clause();
            return ConstraintKind::NotNull;
        }
        if self.is("NULL") {
            let keyword = self.units[self.pos].start..self.units[self.pos].end;
            self.skip(1);
            self.conflict_clause();
            return ConstraintKind::Null { keyword };
        }
        if self.eat("PRIMARY") {
            self.eat("KEY");
            self.eat_group();
            self.eat_any(&["ASC", "DESC"]);
            self.conflict_clause();
            self.eat("AUTOINCREMENT");
        } else if self.eat("UNIQUE") || self.eat("CHECK") {
            self.eat_group();
            self.conflict_clause();
        } else if self.eat("DEFAULT") {
            let signed = self
                .units
                .get(self.pos)
                .is_some_and(|u| matches!(u.text(self.sql), "+" | "-"));
            self.skip(if signed { 2 } else { 1 });
        } else if self.eat("COLLATE") {
            self.skip(1);
        } else if self.eat("FOREIGN") {
            self.eat("KEY");
            self.eat_group();
            if self.eat("REFERENCES") {
                self.references();
            }
        } else if self.eat("REFERENCES") {
            self.references();
        } else if self.eat("GENERATED") || self.is("AS") {
            self.eat("ALWAYS");
            self.eat("AS");
            self.eat_group();
            self.eat_any(&["STORED", "VIRTUAL"]);
        }
        ConstraintKind::Other
    }

    /// `ON CONFLICT resolution`.
    fn conflict_clause(&mut self) {
        if self.is("ON") && self.is_at(1, "CONFLICT") {
            self.skip(3);
        }
    }

    /// What follows REFERENCES: the table, its columns, actions and deferral.
    fn references(&mut self) {
        self.skip(1);
        self.eat_group();
        loop {
            if self.is("ON") && !self.is_at(1, "CONFLICT") {
                // ON DELETE|UPDATE SET NULL|SET DEFAULT|NO ACTION|CASCADE|RESTRICT
                self.skip(2);
                let two_words = self.is("SET") || self.is("NO");
                self.skip(if two_words { 2 } else { 1 });
            } else if self.eat("MATCH") {
                self.skip(1);
            } else if (self.is("NOT") && self.is_at(1, "DEFERRABLE")) || self.is("DEFERRABLE") {
                self.eat("NOT");
                self.eat("DEFERRABLE");
                if self.eat("INITIALLY") {
                    self.skip(1);
                }
            } else {
                return;
            }
        }
    }
}

/// A replacement of a byte range of the `CREATE TABLE` text (an insertion if it is empty).
#[derive(Debug)]
struct Edit {
    range: Range<usize>,
    text: String,
}

impl Edit {
    /// Replaces `range` with `text`.
    fn replace(range: Range<usize>, text: impl Into<String>) -> Edit {
        Edit {
            range,
            text: text.into(),
        }
    }

    /// Inserts `text` at `at`.
    fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(at..at, text)
    }
}

/// `sql` with `edits`, which do not overlap, applied; insertions at one place keep their order.
fn apply_edits(sql: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| e.range.start);
    let mut out = String::with_capacity(sql.len() + 64);
    let mut at = 0;
    for edit in edits {
        out.push_str(sql.get(at..edit.range.start).unwrap_or_default());
        out.push_str(&edit.text);
        at = at.max(edit.range.end);
    }
    out.push_str(sql.get(at..).unwrap_or_default());
    out
}

// ---------------------------------------------------------------------------------------------
// Tokens.

/// A token of SQLite SQL: a kind and a byte range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Token {
    kind: TokenKind,
    start: usize,
    end: usize,
}

/// What a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    /// Spaces, tabs and line breaks.
    Space,
    /// `-- ...` up to the end of the line, or `/* ... */`.
    Comment,
    /// A keyword, bare name or number.
    Word,
    /// A name in `"..."`, `` `...` `` or `[...]`.
    QuotedName,
    /// A string `'...'` (which SQLite also takes as a name where one is expected) or blob `X'...'`.
    Text,
    /// `(`
    Open,
    /// `)`
    Close,
    /// `,`
    Comma,
    /// Any other character: operators, `.`, `;`.
    Symbol,
    /// A parenthesised group taken as a whole; only [`units`] makes these.
    Group,
}

impl Token {
    /// Its text in `sql`, the text it was read from.
    fn text(self, sql: &str) -> &str {
        &sql[self.start..self.end]
    }

    /// Whether it means something: neither space nor comment.
    fn is_significant(self) -> bool {
        !matches!(self.kind, TokenKind::Space | TokenKind::Comment)
    }

    /// Whether it is the keyword `word`, in any case.
    fn is_word(self, sql: &str, word: &str) -> bool {
        self.kind == TokenKind::Word && self.text(sql).eq_ignore_ascii_case(word)
    }
}

/// Splits `sql` into tokens covering every byte, or says what is left unterminated.
fn tokenize(sql: &str) -> std::result::Result<Vec<Token>, String> {
    let bytes = sql.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let (kind, end) = next_token(bytes, i)?;
        tokens.push(Token {
            kind,
            start: i,
            end,
        });
        i = end;
    }
    Ok(tokens)
}

/// The kind and end of the token at `i`. Every delimiter is ASCII, so tokens end on character
/// boundaries; other non-ASCII characters are name characters, as in SQLite.
fn next_token(bytes: &[u8], i: usize) -> std::result::Result<(TokenKind, usize), String> {
    let next = bytes.get(i + 1).copied();
    let after = |from: usize, pred: fn(u8) -> bool| {
        bytes[from..]
            .iter()
            .position(|&b| !pred(b))
            .map_or(bytes.len(), |p| from + p)
    };
    Ok(match bytes[i] {
        b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => (TokenKind::Space, after(i, is_space)),
        b'-' if next == Some(b'-') => (TokenKind::Comment, after(i, |b| b != b'\n')),
        b'/' if next == Some(b'*') => {
            let end = find(bytes, i + 2, b"*/").ok_or("an unterminated /* comment")?;
            (TokenKind::Comment, end + 2)
        }
        b'\'' => (TokenKind::Text, quoted_end(bytes, i, b'\'')?),
        b'x' | b'X' if next == Some(b'\'') => (TokenKind::Text, quoted_end(bytes, i + 1, b'\'')?),
        quote @ (b'"' | b'`') => (TokenKind::QuotedName, quoted_end(bytes, i, quote)?),
        b'[' => {
            let end = find(bytes, i, b"]").ok_or("an unterminated [name]")?;
            (TokenKind::QuotedName, end + 1)
        }
        b'(' => (TokenKind::Open, i + 1),
        b')' => (TokenKind::Close, i + 1),
        b',' => (TokenKind::Comma, i + 1),
        b if b.is_ascii_digit() || (b == b'.' && next.is_some_and(|n| n.is_ascii_digit())) => {
            (TokenKind::Word, number_end(bytes, i))
        }
        b if is_name_byte(b) => (TokenKind::Word, after(i, is_name_byte)),
        _ => (TokenKind::Symbol, i + 1),
    })
}

/// Whether `b` is white space to SQLite.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// Whether `b` can be part of a bare name or keyword.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// The end of a number such as `12`, `1.5e-3` or `0x1F`.
fn number_end(bytes: &[u8], start: usize) -> usize {
    let hex = bytes[start..].starts_with(b"0x") || bytes[start..].starts_with(b"0X");
    let mut end = start;
    while let Some(&b) = bytes.get(end) {
        let exponent_sign = matches!(b, b'+' | b'-')
            && !hex
            && end > start
            && matches!(bytes[end - 1], b'e' | b'E');
        if !(is_name_byte(b) || b == b'.' || exponent_sign) {
            break;
        }
        end += 1;
    }
    end
}

/// The end of a string or name opened by `quote` at `open`, in which a doubled quote is a quote.
fn quoted_end(bytes: &[u8], open: usize, quote: u8) -> std::result::Result<usize, String> {
    let mut i = open + 1;
    while let Some(p) = bytes[i..].iter().position(|&b| b == quote) {
        let close = i + p;
        if bytes.get(close + 1) != Some(&quote) {
            return Ok(close + 1);
        }
        i = close + 2;
    }
    Err(match quote {
        b'\'' => "an unterminated '...' string".into(),
        _ => "an unterminated quoted name".into(),
    })
}

/// Where `needle` first occurs in `bytes` at or after `from`.
fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// A name as SQLite reads it: without its quotes, doubled quotes made single.
fn unquote(text: &str) -> String {
    if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        return inner.to_owned();
    }
    for quote in ["\"", "`", "'"] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote)) {
            return inner.replace(&quote.repeat(2), quote);
        }
    }
    text.to_owned()
}

/// Whether two names are the same to SQLite, which ignores ASCII case only.
fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// `name` as a SQLite identifier.
fn quote(name: &str) -> String {
    quote_ident(Dialect::Sqlite, name)
}

/// `names` as SQLite identifiers, separated by commas.
fn quote_list<'n>(names: impl IntoIterator<Item = &'n str>) -> String {
    names.into_iter().map(quote).collect::<Vec<_>>().join(", ")
}

/// Names for a message: `a`, `b`.
fn name_list<'n>(names: impl IntoIterator<Item = &'n str>) -> String {
    names
        .into_iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::Connection;
    use diesel::connection::SimpleConnection;

    fn database(schema: &str) -> SqliteConnection {
        let mut conn = SqliteConnection::establish(":memory:").expect("in-memory database");
        conn.batch_execute(schema).expect("test schema");
        conn
    }

    /// Plans `change` and runs it as the runner does: foreign keys off, one transaction, and
    /// `pragma_foreign_key_check` before the commit.
    fn rebuild(
        conn: &mut SqliteConnection,
        table: &str,
        change: TableChange,
    ) -> Result<Vec<String>> {
        let statements = rebuild_statements(conn, table, &change)?;
        conn.batch_execute("PRAGMA foreign_keys = OFF")?;
        let outcome = conn.transaction::<_, Error, _>(|c| {
            for statement in &statements {
                diesel::sql_query(statement)
                    .execute(c)
                    .map_err(|e| Error::Message(format!("{e} in {statement}")))?;
            }
            let violations = texts(c, "SELECT \"table\" AS v FROM pragma_foreign_key_check");
            if !violations.is_empty() {
                return Err(Error::Message(format!(
                    "foreign keys violated in {violations:?}"
                )));
            }
            Ok(())
        });
        conn.batch_execute("PRAGMA foreign_keys = ON")?;
        outcome.map(|()| statements)
    }

    #[derive(QueryableByName)]
    struct Value {
        #[diesel(sql_type = Nullable<Text>)]
        v: Option<String>,
    }

    /// The values of column `v` of a query, NULL as "NULL".
    fn texts(conn: &mut SqliteConnection, sql: &str) -> Vec<String> {
        diesel::sql_query(sql)
            .load::<Value>(conn)
            .expect(sql)
            .into_iter()
            .map(|r| r.v.unwrap_or_else(|| "NULL".to_owned()))
            .collect()
    }

    fn run(conn: &mut SqliteConnection, sql: &str) {
        conn.batch_execute(sql).expect(sql);
    }

    fn fails(conn: &mut SqliteConnection, sql: &str) -> bool {
        conn.batch_execute(sql).is_err()
    }

    fn literal(value: &str) -> String {
        quote_str(Dialect::Sqlite, value).expect("literal")
    }

    /// The `sql` of a schema object.
    fn schema_sql(conn: &mut SqliteConnection, name: &str) -> String {
        let query = format!(
            "SELECT sql AS v FROM sqlite_master WHERE name = {}",
            literal(name)
        );
        texts(conn, &query).concat()
    }

    /// Every row of `table`, each value as `quote()` writes it (so NULL, blobs and quotes show).
    fn dump(conn: &mut SqliteConnection, table: &str) -> Vec<String> {
        let columns = texts(
            conn,
            &format!(
                "SELECT name AS v FROM pragma_table_xinfo({}) ORDER BY cid",
                literal(table)
            ),
        );
        let row = columns
            .iter()
            .map(|c| format!("quote({})", quote(c)))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        texts(
            conn,
            &format!("SELECT {row} AS v FROM {} ORDER BY v", quote(table)),
        )
    }

    fn set_not_null(column: &str) -> TableChange {
        TableChange::SetNotNull {
            column: column.into(),
        }
    }

    fn drop_not_null(column: &str) -> TableChange {
        TableChange::DropNotNull {
            column: column.into(),
        }
    }

    fn add_check(name: &str, expression: &str) -> TableChange {
        TableChange::AddCheck {
            name: name.into(),
            expression: expression.into(),
        }
    }

    fn add_foreign_key(name: &str, column: &str, references: &str, to: &str) -> TableChange {
        TableChange::AddForeignKey {
            name: name.into(),
            columns: vec![column.into()],
            references: references.into(),
            referenced_columns: vec![to.into()],
        }
    }

    fn drop_constraint(name: &str) -> TableChange {
        TableChange::DropConstraint { name: name.into() }
    }

    fn error_of(conn: &mut SqliteConnection, table: &str, change: TableChange) -> String {
        match rebuild_statements(conn, table, &change) {
            Ok(statements) => panic!("expected an error, planned {statements:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn set_not_null_keeps_every_value_and_rejects_null_afterwards() {
        let mut conn = database(
            "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, photo BLOB, note TEXT);
             INSERT INTO people VALUES
                 (1, 'O''Brien', x'00ff10', NULL),
                 (2, 'Zoë \"Z\" 日本', NULL, 'it''s, (odd)'),
                 (7, '', x'', '');",
        );
        let before = dump(&mut conn, "people");
        rebuild(&mut conn, "people", set_not_null("name")).expect("rebuild");
        assert_eq!(dump(&mut conn, "people"), before);
        assert!(before.contains(&"1|'O''Brien'|X'00FF10'|NULL".to_owned()));
        assert!(before.contains(&"2|'Zoë \"Z\" 日本'|NULL|'it''s, (odd)'".to_owned()));
        assert_eq!(
            schema_sql(&mut conn, "people"),
            r#"CREATE TABLE "people" (id INTEGER PRIMARY KEY, name TEXT NOT NULL, photo BLOB, note TEXT)"#
        );
        assert!(fails(&mut conn, "INSERT INTO people (name) VALUES (NULL)"));
        run(&mut conn, "INSERT INTO people (name) VALUES ('ok')");
        let leftovers = texts(
            &mut conn,
            "SELECT name AS v FROM sqlite_master WHERE name LIKE '%migrate_tmp%'",
        );
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn set_not_null_plans_nothing_when_the_column_is_already_not_null() {
        let mut conn = database("CREATE TABLE t (a TEXT CONSTRAINT a_set NOT NULL)");
        let statements = rebuild_statements(&mut conn, "t", &set_not_null("a")).expect("plan");
        assert!(statements.is_empty(), "{statements:?}");
    }

    #[test]
    fn set_not_null_turns_an_explicit_null_into_not_null() {
        let mut conn = database(
            "CREATE TABLE t (a TEXT CONSTRAINT maybe NULL ON CONFLICT ABORT DEFAULT 'x', b INT)",
        );
        rebuild(&mut conn, "t", set_not_null("a")).expect("rebuild");
        assert_eq!(
            schema_sql(&mut conn, "t"),
            r#"CREATE TABLE "t" (a TEXT CONSTRAINT maybe NOT NULL ON CONFLICT ABORT DEFAULT 'x', b INT)"#
        );
        assert!(fails(&mut conn, "INSERT INTO t (a) VALUES (NULL)"));
    }

    #[test]
    fn set_not_null_fails_when_rows_hold_null_and_changes_nothing() {
        let mut conn = database("CREATE TABLE t (a TEXT); INSERT INTO t VALUES ('x'), (NULL)");
        let before = schema_sql(&mut conn, "t");
        let err = rebuild(&mut conn, "t", set_not_null("a")).expect_err("NULL rows");
        assert!(
            err.to_string().contains("NOT NULL constraint failed"),
            "{err}"
        );
        assert_eq!(schema_sql(&mut conn, "t"), before);
        assert_eq!(dump(&mut conn, "t"), ["'x'", "NULL"]);
    }

    #[test]
    fn drop_not_null_removes_name_and_conflict_clause_but_not_lookalikes() {
        let mut conn = database(
            "CREATE TABLE t (
                id INTEGER PRIMARY KEY,
                a TEXT CONSTRAINT a_required NOT NULL ON CONFLICT ABORT DEFAULT 'NOT NULL' CHECK (a IS NOT NULL OR id > 0),
                b TEXT NOT NULL
            )",
        );
        rebuild(&mut conn, "t", drop_not_null("a")).expect("rebuild");
        assert_eq!(
            schema_sql(&mut conn, "t"),
            r#"CREATE TABLE "t" (
                id INTEGER PRIMARY KEY,
                a TEXT DEFAULT 'NOT NULL' CHECK (a IS NOT NULL OR id > 0),
                b TEXT NOT NULL
            )"#
        );
        run(&mut conn, "INSERT INTO t (id, a, b) VALUES (1, NULL, 'x')");
        assert!(fails(
            &mut conn,
            "INSERT INTO t (id, a, b) VALUES (2, 'x', NULL)"
        ));
        assert!(fails(
            &mut conn,
            "INSERT INTO t (id, a, b) VALUES (-1, NULL, 'x')"
        ));
    }

    #[test]
    fn drop_not_null_plans_nothing_when_the_column_is_nullable() {
        let mut conn =
            database("CREATE TABLE t (a TEXT DEFAULT NULL, b REFERENCES t ON DELETE SET NULL)");
        for column in ["a", "b"] {
            let statements =
                rebuild_statements(&mut conn, "t", &drop_not_null(column)).expect("plan");
            assert!(statements.is_empty(), "{column}: {statements:?}");
        }
    }

    #[test]
    fn drop_not_null_keeps_the_line_comment_before_it_closed() {
        let mut conn = database(
            "CREATE TABLE t (
                a TEXT -- the a, (not b)
                    NOT NULL,
                b INT
            )",
        );
        rebuild(&mut conn, "t", drop_not_null("a")).expect("rebuild");
        assert_eq!(
            schema_sql(&mut conn, "t"),
            "CREATE TABLE \"t\" (
                a TEXT -- the a, (not b)
                    ,
                b INT
            )"
        );
        run(&mut conn, "INSERT INTO t VALUES (NULL, 1)");
    }

    #[test]
    fn add_check_is_enforced_and_keeps_the_rows() {
        let mut conn = database(
            "CREATE TABLE items (id INTEGER PRIMARY KEY, price REAL);
             INSERT INTO items VALUES (1, 0), (2, 9.5), (3, NULL);",
        );
        let before = dump(&mut conn, "items");
        rebuild(
            &mut conn,
            "items",
            add_check("price_not_negative", "price >= 0"),
        )
        .expect("rebuild");
        assert_eq!(dump(&mut conn, "items"), before);
        assert_eq!(
            schema_sql(&mut conn, "items"),
            r#"CREATE TABLE "items" (id INTEGER PRIMARY KEY, price REAL, CONSTRAINT "price_not_negative" CHECK (price >= 0))"#
        );
        assert!(fails(&mut conn, "INSERT INTO items (price) VALUES (-1)"));
        run(&mut conn, "INSERT INTO items (price) VALUES (1)");
    }

    #[test]
    fn add_check_fails_when_rows_violate_it_and_changes_nothing() {
        let mut conn = database("CREATE TABLE t (n INT); INSERT INTO t VALUES (1), (-2)");
        let before = schema_sql(&mut conn, "t");
        let err = rebuild(&mut conn, "t", add_check("positive", "n > 0")).expect_err("violated");
        assert!(err.to_string().contains("CHECK constraint failed"), "{err}");
        assert_eq!(schema_sql(&mut conn, "t"), before);
        assert_eq!(dump(&mut conn, "t"), ["-2", "1"]);
    }

    #[test]
    fn add_check_refuses_a_name_a_table_or_column_constraint_has() {
        let mut conn = database(
            "CREATE TABLE t (a INT CONSTRAINT a_positive CHECK (a > 0), CONSTRAINT small CHECK (a < 9))",
        );
        for name in ["A_POSITIVE", "small"] {
            let err = error_of(&mut conn, "t", add_check(name, "a <> 5"));
            assert!(
                err.contains("table `t` already has a constraint named"),
                "{err}"
            );
        }
    }

    #[test]
    fn add_check_refuses_an_expression_that_escapes_its_parentheses() {
        let mut conn = database("CREATE TABLE t (a INT)");
        for (expression, why) in [
            ("a > 0) OR (1", "closes a parenthesis it did not open"),
            ("(a > 0", "leaves a parenthesis open"),
            ("a <> 'x", "unterminated"),
            ("a > 0 /* comment", "unterminated"),
            ("  ", "is empty"),
        ] {
            let err = error_of(&mut conn, "t", add_check("c", expression));
            assert!(err.contains(why), "{expression}: {err}");
            assert!(err.contains("CHECK constraint `c` on table `t`"), "{err}");
        }
    }

    #[test]
    fn add_check_ends_a_trailing_line_comment_before_the_closing_parenthesis() {
        let mut conn = database("CREATE TABLE t (a INT)");
        rebuild(&mut conn, "t", add_check("c", "a > 0 -- positive")).expect("rebuild");
        assert!(fails(&mut conn, "INSERT INTO t VALUES (0)"));
    }

    #[test]
    fn add_foreign_key_is_enforced_after_the_rebuild() {
        let mut conn = database(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
             CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INT);
             INSERT INTO customers VALUES (1, 'a'), (2, 'b');
             INSERT INTO orders VALUES (10, 1), (11, 2), (12, NULL);",
        );
        let before = dump(&mut conn, "orders");
        rebuild(
            &mut conn,
            "orders",
            add_foreign_key("orders_customer", "Customer_ID", "CUSTOMERS", "ID"),
        )
        .expect("rebuild");
        assert_eq!(dump(&mut conn, "orders"), before);
        assert_eq!(
            schema_sql(&mut conn, "orders"),
            r#"CREATE TABLE "orders" (id INTEGER PRIMARY KEY, customer_id INT, CONSTRAINT "orders_customer" FOREIGN KEY ("customer_id") REFERENCES "customers" ("id"))"#
        );
        assert!(fails(&mut conn, "INSERT INTO orders VALUES (13, 99)"));
        assert!(fails(&mut conn, "DELETE FROM customers WHERE id = 1"));
        run(&mut conn, "INSERT INTO orders VALUES (13, 2)");
    }

    #[test]
    fn add_foreign_key_to_the_primary_key_and_to_the_table_itself() {
        let mut conn = database(
            "CREATE TABLE nodes (id INTEGER PRIMARY KEY, parent INT);
             INSERT INTO nodes VALUES (1, NULL), (2, 1);",
        );
        let change = TableChange::AddForeignKey {
            name: "parent_node".into(),
            columns: vec!["parent".into()],
            references: "nodes".into(),
            referenced_columns: Vec::new(),
        };
        rebuild(&mut conn, "nodes", change).expect("rebuild");
        assert!(
            schema_sql(&mut conn, "nodes").ends_with(
                r#"CONSTRAINT "parent_node" FOREIGN KEY ("parent") REFERENCES "nodes")"#
            )
        );
        assert!(fails(&mut conn, "INSERT INTO nodes VALUES (3, 42)"));
        run(&mut conn, "INSERT INTO nodes VALUES (3, 2)");
    }

    #[test]
    fn add_foreign_key_over_orphan_rows_fails_the_foreign_key_check() {
        let mut conn = database(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY);
             CREATE TABLE orders (customer_id INT);
             INSERT INTO orders VALUES (5);",
        );
        let err = rebuild(
            &mut conn,
            "orders",
            add_foreign_key("fk", "customer_id", "customers", "id"),
        )
        .expect_err("orphan");
        assert!(err.to_string().contains("foreign keys violated"), "{err}");
        assert_eq!(
            schema_sql(&mut conn, "orders"),
            "CREATE TABLE orders (customer_id INT)"
        );
    }

    #[test]
    fn add_foreign_key_names_what_does_not_exist() {
        let mut conn = database(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY);
             CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INT);",
        );
        let err = error_of(
            &mut conn,
            "orders",
            add_foreign_key("fk", "client_id", "customers", "id"),
        );
        assert_eq!(
            err,
            "table `orders` has no column `client_id` (its columns are `id`, `customer_id`)"
        );
        let err = error_of(
            &mut conn,
            "orders",
            add_foreign_key("fk", "customer_id", "clients", "id"),
        );
        assert_eq!(
            err,
            "cannot add foreign key `fk` to table `orders`: there is no table `clients`"
        );
        let err = error_of(
            &mut conn,
            "orders",
            add_foreign_key("fk", "customer_id", "customers", "uid"),
        );
        assert_eq!(
            err,
            "cannot add foreign key `fk` to table `orders`: table `customers` has no column `uid` (its columns are `id`)"
        );
        let two_to_one = TableChange::AddForeignKey {
            name: "fk".into(),
            columns: vec!["id".into(), "customer_id".into()],
            references: "customers".into(),
            referenced_columns: vec!["id".into()],
        };
        let err = error_of(&mut conn, "orders", two_to_one);
        assert!(err.contains("list as many on both sides"), "{err}");
    }

    #[test]
    fn drop_constraint_removes_a_table_constraint_wherever_it_stands() {
        let schema = "CREATE TABLE t (a INT, b INT, CONSTRAINT first CHECK (a > 0), CONSTRAINT middle UNIQUE (a, b), CONSTRAINT last CHECK (b > 0))";
        for (name, expected) in [
            (
                "first",
                r#"CREATE TABLE "t" (a INT, b INT, CONSTRAINT middle UNIQUE (a, b), CONSTRAINT last CHECK (b > 0))"#,
            ),
            (
                "middle",
                r#"CREATE TABLE "t" (a INT, b INT, CONSTRAINT first CHECK (a > 0), CONSTRAINT last CHECK (b > 0))"#,
            ),
            (
                "LAST",
                r#"CREATE TABLE "t" (a INT, b INT, CONSTRAINT first CHECK (a > 0), CONSTRAINT middle UNIQUE (a, b))"#,
            ),
        ] {
            let mut conn = database(schema);
            run(&mut conn, "INSERT INTO t VALUES (1, 1)");
            rebuild(&mut conn, "t", drop_constraint(name)).expect(name);
            assert_eq!(schema_sql(&mut conn, "t"), expected);
            assert_eq!(dump(&mut conn, "t"), ["1|1"]);
        }
    }

    #[test]
    fn drop_constraint_makes_the_dropped_check_no_longer_apply() {
        let mut conn = database(
            "CREATE TABLE t (
                a INT, -- the a
                CONSTRAINT positive CHECK (a > 0) -- about positive
            );
            INSERT INTO t VALUES (1);",
        );
        rebuild(&mut conn, "t", drop_constraint("positive")).expect("rebuild");
        assert_eq!(
            schema_sql(&mut conn, "t"),
            "CREATE TABLE \"t\" (
                a INT -- the a
                 -- about positive
            )"
        );
        run(&mut conn, "INSERT INTO t VALUES (-1)");
    }

    #[test]
    fn drop_constraint_removes_a_column_constraint() {
        let mut conn = database(
            "CREATE TABLE p (id INTEGER PRIMARY KEY);
             CREATE TABLE t (
                 a INT CONSTRAINT a_small CHECK (a < 10) NOT NULL,
                 p_id INT CONSTRAINT t_p REFERENCES p (id) ON DELETE SET NULL NOT DEFERRABLE DEFAULT NULL
             );",
        );
        rebuild(&mut conn, "t", drop_constraint("a_small")).expect("rebuild");
        rebuild(&mut conn, "t", drop_constraint("t_p")).expect("rebuild");
        assert_eq!(
            schema_sql(&mut conn, "t"),
            "CREATE TABLE \"t\" (
                 a INT NOT NULL,
                 p_id INT DEFAULT NULL
             )"
        );
        run(&mut conn, "INSERT INTO t VALUES (11, 99)");
    }

    #[test]
    fn drop_constraint_separates_table_constraints_written_without_commas() {
        let mut conn = database(
            "CREATE TABLE t (a INT, CHECK (a > 0) CONSTRAINT below_ten CHECK (a < 10) UNIQUE (a))",
        );
        rebuild(&mut conn, "t", drop_constraint("below_ten")).expect("rebuild");
        assert_eq!(
            schema_sql(&mut conn, "t"),
            r#"CREATE TABLE "t" (a INT, CHECK (a > 0) UNIQUE (a))"#
        );
        run(&mut conn, "INSERT INTO t VALUES (10)");
        assert!(fails(&mut conn, "INSERT INTO t VALUES (0)"));
        assert!(fails(&mut conn, "INSERT INTO t VALUES (10)"));
    }

    #[test]
    fn drop_constraint_lists_the_names_the_table_has() {
        let mut conn = database(
            "CREATE TABLE t (a INT CONSTRAINT a_check CHECK (a > 0), CONSTRAINT \"Odd Name\" UNIQUE (a));
             CREATE TABLE u (a INT CHECK (a > 0));",
        );
        assert_eq!(
            error_of(&mut conn, "t", drop_constraint("nope")),
            "table `t` has no constraint named `nope` (its named constraints are `a_check`, `Odd Name`)"
        );
        let err = error_of(&mut conn, "u", drop_constraint("nope"));
        assert!(err.contains("it has no named constraints"), "{err}");
    }

    #[test]
    fn unknown_tables_and_columns_are_named() {
        let mut conn = database("CREATE TABLE t (a INT, \"B c\" TEXT); CREATE VIEW v AS SELECT 1");
        assert_eq!(
            error_of(&mut conn, "missing", set_not_null("a")),
            "there is no table `missing` to change"
        );
        assert_eq!(
            error_of(&mut conn, "v", set_not_null("a")),
            "there is no table `v` to change"
        );
        assert_eq!(
            error_of(&mut conn, "t", drop_not_null("b")),
            "table `t` has no column `b` (its columns are `a`, `B c`)"
        );
    }

    #[test]
    fn table_and_column_names_match_ignoring_case_and_quotes() {
        let mut conn = database(
            "CREATE TABLE \"Mixed\" ([First Name] TEXT, `Last``s` TEXT, \"Age\" INT, 'quoted' TEXT, Bare INT);
             INSERT INTO Mixed VALUES ('a', 'b', 1, 'q', 2);",
        );
        for column in ["first name", "LAST`S", "age", "QUOTED", "bare"] {
            rebuild(&mut conn, "MIXED", set_not_null(column)).expect(column);
        }
        assert_eq!(
            schema_sql(&mut conn, "Mixed"),
            "CREATE TABLE \"Mixed\" ([First Name] TEXT NOT NULL, `Last``s` TEXT NOT NULL, \"Age\" INT NOT NULL, 'quoted' TEXT NOT NULL, Bare INT NOT NULL)"
        );
        assert_eq!(dump(&mut conn, "Mixed"), ["'a'|'b'|1|'q'|2"]);
    }

    #[test]
    fn indexes_of_every_kind_come_back_and_work() {
        let mut conn = database(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT, deleted INT);
             CREATE UNIQUE INDEX t_name ON t (name);
             CREATE INDEX t_live ON t (email) WHERE deleted = 0;
             CREATE INDEX t_lower ON t (lower(email));
             CREATE INDEX \"t \"\"odd\"\" index\" ON \"t\" (\"deleted\" DESC);
             INSERT INTO t VALUES (1, 'a@x', 'a', 0), (2, 'b@x', 'b', 1);",
        );
        let indexes = "SELECT name || ': ' || coalesce(sql, 'auto') AS v FROM sqlite_master WHERE type = 'index' ORDER BY name";
        let before = texts(&mut conn, indexes);
        assert_eq!(before.len(), 5, "{before:?}");
        rebuild(&mut conn, "t", set_not_null("name")).expect("rebuild");
        assert_eq!(texts(&mut conn, indexes), before);
        assert!(fails(
            &mut conn,
            "INSERT INTO t (email, name) VALUES ('c@x', 'a')"
        ));
        assert!(fails(
            &mut conn,
            "INSERT INTO t (email, name) VALUES ('a@x', 'c')"
        ));
        // INDEXED BY fails unless the index exists and serves the query.
        let by_expression = "SELECT id AS v FROM t INDEXED BY t_lower WHERE lower(email) = 'a@x'";
        assert_eq!(texts(&mut conn, by_expression), ["1"]);
    }

    #[test]
    fn triggers_on_and_about_the_table_still_fire() {
        let mut conn = database(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
             CREATE TABLE audit (what TEXT);
             CREATE TABLE other (v TEXT);
             CREATE TRIGGER t_audit AFTER INSERT ON t BEGIN INSERT INTO audit VALUES ('t ' || new.v); END;
             CREATE TRIGGER other_copies AFTER INSERT ON other BEGIN INSERT INTO t (v) VALUES (new.v); END;",
        );
        rebuild(&mut conn, "t", set_not_null("v")).expect("rebuild");
        run(&mut conn, "INSERT INTO other VALUES ('x')");
        assert_eq!(texts(&mut conn, "SELECT what AS v FROM audit"), ["t x"]);
        assert_eq!(texts(&mut conn, "SELECT v FROM t"), ["x"]);
        let triggers = texts(
            &mut conn,
            "SELECT name AS v FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
        );
        assert_eq!(triggers, ["other_copies", "t_audit"]);
    }

    #[test]
    fn foreign_keys_to_and_from_the_table_still_hold() {
        let mut conn = database(
            "PRAGMA foreign_keys = ON;
             CREATE TABLE customers (id INTEGER PRIMARY KEY);
             CREATE TABLE orders (
                 id INTEGER PRIMARY KEY,
                 customer_id INT REFERENCES customers (id),
                 replaces INT REFERENCES orders (id)
             );
             CREATE TABLE lines (order_id INT NOT NULL REFERENCES orders (id) ON DELETE CASCADE);
             INSERT INTO customers VALUES (1);
             INSERT INTO orders VALUES (10, 1, NULL), (11, 1, 10);
             INSERT INTO lines VALUES (10), (11);",
        );
        rebuild(&mut conn, "orders", set_not_null("customer_id")).expect("rebuild");
        assert!(fails(&mut conn, "INSERT INTO orders VALUES (12, 99, NULL)"));
        assert!(fails(&mut conn, "INSERT INTO orders VALUES (12, 1, 99)"));
        assert!(fails(&mut conn, "INSERT INTO lines VALUES (99)"));
        assert!(fails(&mut conn, "DELETE FROM customers"));
        run(&mut conn, "DELETE FROM orders WHERE id = 11");
        assert_eq!(texts(&mut conn, "SELECT order_id AS v FROM lines"), ["10"]);
        assert_eq!(
            schema_sql(&mut conn, "lines"),
            "CREATE TABLE lines (order_id INT NOT NULL REFERENCES orders (id) ON DELETE CASCADE)"
        );
    }

    #[test]
    fn autoincrement_continues_from_the_old_sequence() {
        let mut conn = database(
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
             CREATE TABLE empty (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
             INSERT INTO t (v) VALUES ('a'), ('b'), ('c');
             DELETE FROM t WHERE id = 3;",
        );
        rebuild(&mut conn, "t", set_not_null("v")).expect("rebuild");
        rebuild(&mut conn, "empty", set_not_null("v")).expect("rebuild");
        run(
            &mut conn,
            "INSERT INTO t (v) VALUES ('d'); INSERT INTO empty (v) VALUES ('e')",
        );
        assert_eq!(
            texts(&mut conn, "SELECT id || v AS v FROM t ORDER BY id"),
            ["1a", "2b", "4d"]
        );
        assert_eq!(texts(&mut conn, "SELECT id || v AS v FROM empty"), ["1e"]);
        assert_eq!(
            texts(
                &mut conn,
                "SELECT name || '=' || seq AS v FROM sqlite_sequence ORDER BY name"
            ),
            ["empty=1", "t=4"]
        );
    }

    #[test]
    fn views_on_the_table_and_triggers_on_those_views_still_work() {
        let mut conn = database(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
             CREATE VIEW t_view AS SELECT id, v FROM t;
             CREATE VIEW t_upper AS SELECT id, upper(v) AS v FROM t_view;
             CREATE TRIGGER t_upper_insert INSTEAD OF INSERT ON t_upper
                 BEGIN INSERT INTO t (v) VALUES (lower(new.v)); END;
             CREATE VIEW unrelated AS SELECT 1 AS one;
             INSERT INTO t (v) VALUES ('a');",
        );
        let objects = "SELECT type || ' ' || name AS v FROM sqlite_master ORDER BY name";
        let before = texts(&mut conn, objects);
        let statements = rebuild(&mut conn, "t", set_not_null("v")).expect("rebuild");
        assert!(
            !statements.iter().any(|s| s.contains("unrelated")),
            "{statements:?}"
        );
        assert_eq!(texts(&mut conn, objects), before);
        run(&mut conn, "INSERT INTO t_upper (v) VALUES ('B')");
        assert_eq!(
            texts(&mut conn, "SELECT v FROM t_upper ORDER BY id"),
            ["A", "B"]
        );
    }

    #[test]
    fn odd_identifiers_are_found_and_quoted() {
        let mut conn = database(
            "CREATE TABLE \"order items\" (
                 \"order\" INTEGER PRIMARY KEY,
                 [unit price] REAL,
                 \"say \"\"hi\"\"\" TEXT,
                 \"it's\" TEXT
             );
             CREATE TABLE \"select\" (\"from\" INT REFERENCES \"order items\");
             CREATE INDEX \"by \"\"price\"\"\" ON \"order items\" ([unit price]);
             CREATE VIEW \"the view\" AS SELECT \"order\" FROM \"order items\";
             INSERT INTO \"order items\" VALUES (1, 2.5, 'a', 'b');
             INSERT INTO \"select\" VALUES (1);",
        );
        let table = "order items";
        rebuild(&mut conn, table, set_not_null("UNIT PRICE")).expect("set not null");
        rebuild(
            &mut conn,
            table,
            add_check("it's \"positive\"", "[unit price] > 0"),
        )
        .expect("add check");
        rebuild(&mut conn, table, set_not_null("say \"hi\"")).expect("quoted quote");
        rebuild(&mut conn, "select", add_check("from", "\"from\" > 0")).expect("keywords");
        assert!(schema_sql(&mut conn, table).ends_with(
            "\"say \"\"hi\"\"\" TEXT NOT NULL,\n                 \"it's\" TEXT,\n                 CONSTRAINT \"it's \"\"positive\"\"\" CHECK ([unit price] > 0)\n             )"
        ));
        assert!(fails(
            &mut conn,
            "INSERT INTO \"order items\" VALUES (2, 0, 'a', 'b')"
        ));
        assert!(fails(&mut conn, "INSERT INTO \"select\" VALUES (0)"));
        assert_eq!(dump(&mut conn, table), ["1|2.5|'a'|'b'"]);
        assert_eq!(
            texts(&mut conn, "SELECT \"order\" AS v FROM \"the view\""),
            ["1"]
        );
        rebuild(&mut conn, table, drop_constraint("IT'S \"POSITIVE\"")).expect("drop");
        run(
            &mut conn,
            "INSERT INTO \"order items\" VALUES (2, 0, 'a', 'b')",
        );
    }

    #[test]
    fn comments_strings_and_multi_line_constraints_are_kept_byte_for_byte() {
        let schema = "CREATE TABLE t ( -- a comment, with a comma (and a parenthesis
    id INTEGER PRIMARY KEY, /* block, ( comment */
    label TEXT DEFAULT 'a, b (c' COLLATE NOCASE,
    price NUMERIC(10, 2) CHECK (
        price >= 0
        AND price < 1e6 -- upper bound, )
    ),
    CONSTRAINT label_shape CHECK (label NOT LIKE '%--%' AND label <> ')'), -- trailing
    UNIQUE (label, price) ON CONFLICT REPLACE
)";
        let mut conn = database(schema);
        run(&mut conn, "INSERT INTO t VALUES (1, 'x', 1.5)");
        rebuild(&mut conn, "t", add_check("label_not_empty", "label <> ''")).expect("rebuild");
        let expected = format!(
            "CREATE TABLE \"t\"{},\n    CONSTRAINT \"label_not_empty\" CHECK (label <> '')\n)",
            schema
                .strip_prefix("CREATE TABLE t")
                .and_then(|s| s.strip_suffix("\n)"))
                .expect("schema shape")
        );
        assert_eq!(schema_sql(&mut conn, "t"), expected);
        rebuild(&mut conn, "t", drop_constraint("label_not_empty")).expect("drop");
        assert_eq!(
            schema_sql(&mut conn, "t"),
            schema.replacen(" t ", " \"t\" ", 1)
        );
        assert_eq!(dump(&mut conn, "t"), ["1|'x'|1.5"]);
    }

    #[test]
    fn a_constraint_is_added_after_comments_that_end_the_column_list() {
        let mut conn = database(
            "CREATE TABLE t (
    a INT -- the a, last
    -- nothing more
)",
        );
        rebuild(&mut conn, "t", add_check("positive", "a > 0")).expect("rebuild");
        assert_eq!(
            schema_sql(&mut conn, "t"),
            "CREATE TABLE \"t\" (
    a INT, -- the a, last
    -- nothing more
    CONSTRAINT \"positive\" CHECK (a > 0)
)"
        );
    }

    #[test]
    fn without_rowid_tables_are_rebuilt_without_rowid() {
        let mut conn = database(
            "CREATE TABLE kv (k TEXT, part INT, v BLOB, PRIMARY KEY (k, part)) WITHOUT ROWID;
             INSERT INTO kv VALUES ('a', 1, x'01'), ('b', 2, NULL);",
        );
        let before = dump(&mut conn, "kv");
        let statements =
            rebuild(&mut conn, "kv", add_check("part_positive", "part > 0")).expect("rebuild");
        assert!(
            !statements.iter().any(|s| s.contains("rowid,")),
            "{statements:?}"
        );
        assert_eq!(dump(&mut conn, "kv"), before);
        assert!(schema_sql(&mut conn, "kv").ends_with(") WITHOUT ROWID"));
        assert!(fails(&mut conn, "INSERT INTO kv VALUES ('a', 1, NULL)"));
    }

    #[test]
    fn strict_tables_stay_strict() {
        let mut conn = database(
            "CREATE TABLE s (id INTEGER PRIMARY KEY, n INTEGER, t TEXT) STRICT;
             INSERT INTO s VALUES (1, 2, 'x');",
        );
        rebuild(&mut conn, "s", set_not_null("t")).expect("rebuild");
        assert!(schema_sql(&mut conn, "s").ends_with(") STRICT"));
        assert!(fails(
            &mut conn,
            "INSERT INTO s VALUES (2, 'not a number', 'y')"
        ));
        assert_eq!(dump(&mut conn, "s"), ["1|2|'x'"]);
    }

    #[test]
    fn rowids_are_kept_when_no_column_holds_them() {
        let mut conn = database(
            "CREATE TABLE codes (code TEXT PRIMARY KEY, label TEXT);
             CREATE TABLE shadowed (rowid TEXT, n INT);
             INSERT INTO codes (rowid, code, label) VALUES (10, 'a', 'x'), (35, 'b', 'y');
             INSERT INTO shadowed (oid, rowid, n) VALUES (7, 'r', 1), (9, 's', 2);",
        );
        let codes = "SELECT rowid || code AS v FROM codes ORDER BY rowid";
        let shadowed = "SELECT _rowid_ || rowid AS v FROM shadowed ORDER BY _rowid_";
        rebuild(&mut conn, "codes", set_not_null("label")).expect("codes");
        rebuild(&mut conn, "shadowed", set_not_null("n")).expect("shadowed");
        assert_eq!(texts(&mut conn, codes), ["10a", "35b"]);
        assert_eq!(texts(&mut conn, shadowed), ["7r", "9s"]);
    }

    #[test]
    fn generated_columns_are_computed_again_not_copied() {
        let mut conn = database(
            "CREATE TABLE g (
                 a INT,
                 doubled INT GENERATED ALWAYS AS (a * 2) VIRTUAL,
                 next INT AS (a + 1) STORED NOT NULL
             );
             INSERT INTO g (a) VALUES (1), (5);",
        );
        let statements = rebuild(&mut conn, "g", set_not_null("a")).expect("rebuild");
        assert!(
            statements
                .iter()
                .any(|s| s.starts_with("INSERT INTO") && s.contains("(\"a\", rowid)")),
            "{statements:?}"
        );
        assert_eq!(dump(&mut conn, "g"), ["1|2|2", "5|10|6"]);
        rebuild(&mut conn, "g", drop_not_null("next")).expect("generated column");
        assert!(schema_sql(&mut conn, "g").contains("next INT AS (a + 1) STORED\n"));
    }

    #[test]
    fn the_temporary_name_avoids_existing_tables() {
        let mut conn = database(
            "CREATE TABLE t (a INT);
             CREATE TABLE _migrate_tmp_t (kept INT);
             INSERT INTO _migrate_tmp_t VALUES (1);",
        );
        let statements = rebuild(&mut conn, "t", set_not_null("a")).expect("rebuild");
        assert!(
            statements.contains(&r#"ALTER TABLE "_migrate_tmp_t_2" RENAME TO "t""#.to_owned()),
            "{statements:?}"
        );
        assert_eq!(dump(&mut conn, "_migrate_tmp_t"), ["1"]);
    }

    #[test]
    fn the_statements_follow_sqlites_procedure_in_order() {
        let mut conn = database(
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
             CREATE INDEX t_v ON t (v);
             CREATE VIEW t_view AS SELECT v FROM t;
             CREATE TRIGGER t_trigger AFTER DELETE ON t BEGIN SELECT 1; END;",
        );
        let statements = rebuild_statements(&mut conn, "t", &set_not_null("v")).expect("plan");
        assert_eq!(
            statements,
            [
                r#"DROP TRIGGER "t_trigger""#,
                r#"DROP VIEW "t_view""#,
                r#"CREATE TABLE "_migrate_tmp_t" (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT NOT NULL)"#,
                r#"INSERT INTO "_migrate_tmp_t" ("id", "v") SELECT "id", "v" FROM "t""#,
                "DELETE FROM sqlite_sequence WHERE name = '_migrate_tmp_t'",
                "INSERT INTO sqlite_sequence (name, seq) SELECT '_migrate_tmp_t', seq FROM sqlite_sequence WHERE name = 't'",
                r#"DROP TABLE "t""#,
                r#"ALTER TABLE "_migrate_tmp_t" RENAME TO "t""#,
                "CREATE INDEX t_v ON t (v)",
                "CREATE VIEW t_view AS SELECT v FROM t",
                "CREATE TRIGGER t_trigger AFTER DELETE ON t BEGIN SELECT 1; END",
            ]
        );
    }

    #[test]
    fn the_tokenizer_splits_the_column_list_at_top_level_commas_only() {
        let sql = "CREATE TABLE t (a NUMERIC(1, 2) DEFAULT 'x,y', \"b,c\" CHECK (f(a, 1)) /* , */, [d,e] -- ,\n)";
        let definition = TableDefinition::parse("t", sql).expect("parse");
        let columns: Vec<_> = definition.items.iter().map(Item::column_name).collect();
        assert_eq!(columns, ["a", "b,c", "d,e"]);
        let constraints: Vec<_> = definition.items[0]
            .constraints
            .iter()
            .map(|c| &sql[c.span.clone()])
            .collect();
        assert_eq!(constraints, ["DEFAULT 'x,y'"]);
    }

    #[test]
    fn the_constraint_grammar_tells_not_null_from_lookalikes() {
        let sql = "CREATE TABLE t (a INT REFERENCES p ON DELETE SET NULL NOT DEFERRABLE INITIALLY DEFERRED NOT NULL DEFAULT -1 NULL)";
        let definition = TableDefinition::parse("t", sql).expect("parse");
        let kinds: Vec<_> = definition.items[0]
            .constraints
            .iter()
            .map(|c| (&sql[c.span.clone()], &c.kind))
            .collect();
        assert_eq!(kinds.len(), 4, "{kinds:?}");
        assert_eq!(
            kinds[0].0,
            "REFERENCES p ON DELETE SET NULL NOT DEFERRABLE INITIALLY DEFERRED"
        );
        assert_eq!(kinds[1], ("NOT NULL", &ConstraintKind::NotNull));
        assert_eq!(kinds[2].0, "DEFAULT -1");
        assert!(matches!(kinds[3].1, ConstraintKind::Null { .. }));
    }

    #[test]
    fn the_table_name_is_found_in_every_form_sqlite_accepts() {
        for (sql, name) in [
            ("CREATE TABLE if (a)", "if"),
            ("CREATE TABLE IF NOT EXISTS main.\"t\"(a)", "main.\"t\""),
            ("CREATE TABLE [odd name]/* c */(a)", "[odd name]"),
        ] {
            let definition = TableDefinition::parse("t", sql).expect(sql);
            assert_eq!(&sql[definition.name.clone()], name);
        }
    }

    #[test]
    fn virtual_tables_are_refused() {
        let err = TableDefinition::parse("v", "CREATE VIRTUAL TABLE v USING fts5(a)")
            .err()
            .expect("virtual table");
        assert!(err.contains("virtual table"), "{err}");
    }
}
