//! Triggers that keep an online [`Fill`] right for the rows the application writes while the
//! migration runs, as pgroll and reshape do: every row inserted, and every row whose columns
//! the fill reads are updated, gets the fill's values computed from the row as written — the
//! same per-dialect SQL the batches use, so a row comes out the same whichever sets it.
//!
//! | | PostgreSQL | MySQL/MariaDB | SQLite |
//! |---|---|---|---|
//! | the filled table | one `BEFORE INSERT OR UPDATE OF <read columns>` trigger whose PL/pgSQL function selects the values from the row (`FROM (SELECT NEW.*) AS t`) into `NEW` | `BEFORE INSERT` and `BEFORE UPDATE` triggers that `SET NEW.c = (SELECT value FROM (SELECT NEW.a AS a, ...) AS t)` | `AFTER INSERT` and `AFTER UPDATE OF <read columns>` triggers that run the fill's `UPDATE` on the row's key (SQLite cannot change `NEW`) |
//! | the joined table of `denormalize!` | `AFTER UPDATE OF <copied column, key>`: the rows that refer to the changed row are set again | `AFTER UPDATE` | `AFTER UPDATE OF` |
//!
//! A batch and a trigger never disagree: both compute from the row's current values under the
//! row's lock, and a batch sets only the filled columns, which (on PostgreSQL and SQLite) do
//! not fire the update trigger. The triggers are named by the migration and the fill's step
//! ([`name`]), so that every trigger of one migration is found by its [`prefix`], and dropped
//! with the column they read or at the end of the migration.

use super::Sql;
use super::key::Key;
use crate::{Assignment, Dialect, Fill, quote_ident, quote_str, split_table};
use std::fmt::Display;

/// The name every sync trigger (and PostgreSQL function) of migration `id` starts with.
pub fn prefix(id: impl Display) -> String {
    format!("_migrate_sync_{id}_")
}

/// The name of the triggers of the fill that is step `step` of migration `id` (MySQL and
/// SQLite add `_i`, `_u`, one trigger per event; the joined table's trigger adds `_j`).
/// Zero-padded, so that PostgreSQL, which fires a table's triggers in name order, runs those of
/// two fills in the order of their steps (MySQL and SQLite fire in creation order).
pub fn name(id: impl Display, step: u32) -> String {
    format!("{}{step:04}", prefix(id))
}

/// Whether `sql` names `column`: quoted as `dialect` quotes it, or bare as a whole word (a
/// `sql!` escape may leave names unquoted). Errs on the side of yes: a column named only in a
/// string literal counts too, which costs a trigger an unneeded column, never a missed write.
pub fn mentions(dialect: Dialect, sql: &str, column: &str) -> bool {
    if sql.contains(&quote_ident(dialect, column)) {
        return true;
    }
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    sql.match_indices(column).any(|(at, _)| {
        let before = sql[..at].chars().next_back();
        let after = sql[at + column.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

/// The triggers of one online fill.
#[derive(Debug, Clone)]
pub struct RowSync<'a> {
    dialect: Dialect,
    fill: &'a Fill,
    name: String,
    key: &'a Key,
    /// The table's columns the values and the condition read (with a condition, also the
    /// columns set, which keep their value where it does not hold), in table order.
    reads: Vec<String>,
}

impl<'a> RowSync<'a> {
    /// The triggers named `name` of `fill`, on a table whose columns (as the catalog lists
    /// them) are `columns` and whose rows are found by `key`.
    pub fn new(
        dialect: Dialect,
        fill: &'a Fill,
        name: String,
        key: &'a Key,
        columns: &[String],
    ) -> Self {
        let values = fill.row_values();
        let mut text: Vec<&str> = values.iter().map(|a| a.value.as_str()).collect();
        text.extend(fill.condition.as_deref());
        let reads = columns
            .iter()
            .filter(|column| {
                text.iter().any(|t| mentions(dialect, t, column))
                    || (fill.condition.is_some()
                        && fill.assignments.iter().any(|a| &a.column == *column))
            })
            .cloned()
            .collect();
        RowSync {
            dialect,
            fill,
            name,
            key,
            reads,
        }
    }

    /// The columns whose update makes the triggers compute the row again.
    pub fn reads(&self) -> &[String] {
        &self.reads
    }

    /// The statements that create the triggers (a resumed run installs them again):
    /// PostgreSQL and SQLite replace any of the same names in one transaction, MySQL keeps
    /// them.
    pub fn install(&self) -> Vec<String> {
        let mut statements = match self.dialect {
            Dialect::Postgres => self.postgres(),
            Dialect::Mysql => self.mysql(),
            Dialect::Sqlite => self.sqlite(),
        };
        statements.extend(self.joined_table());
        statements
    }

    fn sql(&self) -> Sql {
        Sql(self.dialect)
    }

    /// The filled table's name as the row's values refer to it: `"t"` for `"schema"."t"`,
    /// where a derived table of the row stands in for the table (it cannot be qualified).
    fn row_alias(&self) -> String {
        quote_ident(self.dialect, split_table(&self.fill.table).1)
    }

    /// Each value as it is computed from the row alone: where the fill has a condition, a
    /// row it does not select keeps its value.
    fn row_values(&self) -> Vec<Assignment> {
        let sql = self.sql();
        let qualified = format!("{}.", sql.table(&self.fill.table));
        let alias = format!("{}.", self.row_alias());
        self.fill
            .row_values()
            .into_iter()
            .map(|a| {
                let value = a.value.replace(&qualified, &alias);
                let value = match &self.fill.condition {
                    Some(condition) => format!(
                        "CASE WHEN ({}) THEN ({value}) ELSE {} END",
                        condition.replace(&qualified, &alias),
                        sql.id(&a.column)
                    ),
                    None => value,
                };
                Assignment::new(&a.column, value)
            })
            .collect()
    }

    /// The name of a trigger (or function) in the table's schema.
    fn in_schema(&self, name: &str) -> String {
        match split_table(&self.fill.table).0 {
            Some(schema) => format!("{}.{}", self.sql().id(schema), self.sql().id(name)),
            None => self.sql().id(name),
        }
    }

    fn read_list(&self) -> String {
        let names: Vec<String> = self.reads.iter().map(|c| self.sql().id(c)).collect();
        names.join(", ")
    }

    fn postgres(&self) -> Vec<String> {
        let sql = self.sql();
        let values = self.row_values();
        let selected: Vec<&str> = values.iter().map(|a| a.value.as_str()).collect();
        let into: Vec<String> = values
            .iter()
            .map(|a| format!("NEW.{}", sql.id(&a.column)))
            .collect();
        let body = format!(
            "BEGIN\n  SELECT {} INTO {} FROM (SELECT NEW.*) AS {};\n  RETURN NEW;\nEND",
            selected.join(", "),
            into.join(", "),
            self.row_alias()
        );
        let function = self.in_schema(&self.name);
        let events = if self.reads.is_empty() {
            "INSERT".to_owned()
        } else {
            format!("INSERT OR UPDATE OF {}", self.read_list())
        };
        let table = sql.table(&self.fill.table);
        let trigger = sql.id(&self.name);
        vec![
            postgres_function(&function, &body),
            format!("DROP TRIGGER IF EXISTS {trigger} ON {table}"),
            format!(
                "CREATE TRIGGER {trigger} BEFORE {events} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()"
            ),
        ]
    }

    fn mysql(&self) -> Vec<String> {
        let sql = self.sql();
        let row: Vec<String> = self
            .reads
            .iter()
            .map(|c| format!("NEW.{} AS {}", sql.id(c), sql.id(c)))
            .collect();
        let from = if row.is_empty() {
            String::new()
        } else {
            format!(" FROM (SELECT {}) AS {}", row.join(", "), self.row_alias())
        };
        let sets: Vec<String> = self
            .row_values()
            .iter()
            .map(|a| format!("NEW.{} = (SELECT {}{from})", sql.id(&a.column), a.value))
            .collect();
        let table = sql.table(&self.fill.table);
        let mut events = vec![("_i", "INSERT")];
        if !self.reads.is_empty() {
            events.push(("_u", "UPDATE"));
        }
        let mut statements = Vec::new();
        let set = format!("SET {}", sets.join(", "));
        for (suffix, event) in events {
            // MySQL has no `UPDATE OF`: an update that leaves every read column as it was
            // (a batch of this or another fill) must not compute the row again — its
            // subqueries would share-lock the rows they read (a joined customer) for as long
            // as the batch runs, and deadlock with the application's updates of those rows.
            // Compared as bytes: `'ann' <=> 'Ann'` holds under a case-insensitive collation.
            let body = if event == "UPDATE" {
                let unchanged: Vec<String> = self
                    .reads
                    .iter()
                    .map(|c| {
                        let c = sql.id(c);
                        format!("CAST(NEW.{c} AS BINARY) <=> CAST(OLD.{c} AS BINARY)")
                    })
                    .collect();
                format!("IF NOT ({}) THEN {set}; END IF", unchanged.join(" AND "))
            } else {
                set.clone()
            };
            // Kept if it exists: MySQL cannot drop and create in one transaction, and a write
            // between the two would go unsynced. (MySQL 8.0.29+ and MariaDB 10.1.4+.)
            let trigger = self.in_schema(&format!("{}{suffix}", self.name));
            statements.push(format!(
                "CREATE TRIGGER IF NOT EXISTS {trigger} BEFORE {event} ON {table} FOR EACH ROW {body}"
            ));
        }
        statements
    }

    /// `"k" = NEW."k" AND ...`: the row that fired the trigger.
    fn this_row(&self) -> String {
        let sql = self.sql();
        let terms: Vec<String> = self
            .key
            .columns
            .iter()
            .map(|c| format!("{} = NEW.{}", sql.id(&c.name), sql.id(&c.name)))
            .collect();
        terms.join(" AND ")
    }

    /// `"c" = value, ...` over the row being updated (SQLite's trigger bodies).
    fn set_list(&self) -> String {
        let sets: Vec<String> = self
            .row_values()
            .iter()
            .map(|a| format!("{} = {}", self.sql().id(&a.column), a.value))
            .collect();
        sets.join(", ")
    }

    fn sqlite(&self) -> Vec<String> {
        // Statements inside a trigger name tables unqualified: the trigger's own schema.
        let table = self.row_alias();
        let update = format!(
            "UPDATE {table} SET {} WHERE {}",
            self.set_list(),
            self.this_row()
        );
        let mut events = vec![("_i", "INSERT".to_owned())];
        if !self.reads.is_empty() {
            events.push(("_u", format!("UPDATE OF {}", self.read_list())));
        }
        let mut statements = Vec::new();
        for (suffix, event) in events {
            let trigger = self.in_schema(&format!("{}{suffix}", self.name));
            statements.push(format!("DROP TRIGGER IF EXISTS {trigger}"));
            statements.push(format!(
                "CREATE TRIGGER {trigger} AFTER {event} ON {table} FOR EACH ROW BEGIN {update}; END"
            ));
        }
        statements
    }

    /// `denormalize!`: a change to the joined table's copied column (or its key) sets the
    /// rows that refer to the changed row again, as the fill would.
    fn joined_table(&self) -> Vec<String> {
        let Some(join) = &self.fill.join else {
            return Vec::new();
        };
        let sql = self.sql();
        let name = format!("{}_j", self.name);
        let source = sql.table(&join.source_table);
        let watched = format!(
            "{}, {}",
            sql.id(&join.source_column),
            sql.id(&join.source_key)
        );
        let (target, value) = match self.fill.assignments.first() {
            Some(a) => (sql.id(&a.column), join.correlated.clone()),
            None => return Vec::new(),
        };
        let fk = sql.id(&join.foreign_key);
        let sk = sql.id(&join.source_key);
        let refers = format!("{fk} = NEW.{sk} OR {fk} = OLD.{sk}");
        match self.dialect {
            Dialect::Postgres => {
                let function = self.in_schema(&name);
                let body = format!(
                    "BEGIN\n  UPDATE {} SET {target} = {value} WHERE {refers};\n  RETURN NULL;\nEND",
                    sql.table(&self.fill.table)
                );
                let trigger = sql.id(&name);
                vec![
                    postgres_function(&function, &body),
                    format!("DROP TRIGGER IF EXISTS {trigger} ON {source}"),
                    format!(
                        "CREATE TRIGGER {trigger} AFTER UPDATE OF {watched} ON {source} FOR EACH ROW EXECUTE FUNCTION {function}()"
                    ),
                ]
            }
            Dialect::Mysql => {
                let trigger = self.in_schema(&name);
                vec![format!(
                    "CREATE TRIGGER IF NOT EXISTS {trigger} AFTER UPDATE ON {source} FOR EACH ROW UPDATE {} SET {target} = {value} WHERE {refers}",
                    sql.table(&self.fill.table)
                )]
            }
            Dialect::Sqlite => {
                let trigger = self.in_schema(&name);
                vec![
                    format!("DROP TRIGGER IF EXISTS {trigger}"),
                    format!(
                        "CREATE TRIGGER {trigger} AFTER UPDATE OF {watched} ON {} FOR EACH ROW BEGIN UPDATE {} SET {target} = {value} WHERE {refers}; END",
                        quote_ident(self.dialect, split_table(&join.source_table).1),
                        self.row_alias()
                    ),
                ]
            }
        }
    }
}

/// Triggers named `name` that refuse a NULL in `columns` of `table`, as the NOT NULL that a later
/// step of the migration adds will (with the database's own NOT NULL message): installed by an
/// online `transform_rows!` in its last pass, under its lock, for the columns it computed that
/// the migration then makes NOT NULL. Rust logic cannot complete the application's rows after
/// that pass, so without them a NULL inserted between it and the constraint would fail the
/// constraint; with them the insert fails as it would a moment later. Dropped with the sync
/// triggers at the end of the migration.
pub fn not_null_guard(
    dialect: Dialect,
    table: &str,
    name: &str,
    columns: &[String],
) -> Vec<String> {
    if columns.is_empty() {
        return Vec::new();
    }
    let sql = Sql(dialect);
    let (schema, bare) = split_table(table);
    let in_schema = |n: &str| match schema {
        Some(s) => format!("{}.{}", sql.id(s), sql.id(n)),
        None => sql.id(n),
    };
    let t = sql.table(table);
    let list: Vec<String> = columns.iter().map(|c| sql.id(c)).collect();
    let list = list.join(", ");
    let null = |prefix: &str| {
        let terms: Vec<String> = columns
            .iter()
            .map(|c| format!("{prefix}{} IS NULL", sql.id(c)))
            .collect();
        terms.join(" OR ")
    };
    let message = |c: &str| match dialect {
        Dialect::Postgres => format!(
            "null value in column \"{c}\" of relation \"{bare}\" violates not-null constraint"
        ),
        Dialect::Mysql => format!("Column '{c}' cannot be null"),
        Dialect::Sqlite => format!("NOT NULL constraint failed: {bare}.{c}"),
    };
    let lit = |text: &str| quote_str(dialect, text).unwrap_or_else(|_| "''".to_owned());
    match dialect {
        Dialect::Postgres => {
            let checks: Vec<String> = columns
                .iter()
                .map(|c| {
                    format!(
                        "  IF NEW.{} IS NULL THEN RAISE EXCEPTION USING ERRCODE = 'not_null_violation', MESSAGE = {};  END IF;\n",
                        sql.id(c),
                        lit(&message(c))
                    )
                })
                .collect();
            let body = format!("BEGIN\n{}  RETURN NEW;\nEND", checks.concat());
            let function = in_schema(name);
            let trigger = sql.id(name);
            vec![
                postgres_function(&function, &body),
                format!("DROP TRIGGER IF EXISTS {trigger} ON {t}"),
                format!(
                    "CREATE TRIGGER {trigger} BEFORE INSERT OR UPDATE OF {list} ON {t} FOR EACH ROW EXECUTE FUNCTION {function}()"
                ),
            ]
        }
        Dialect::Mysql => {
            let first = message(&columns[0]);
            ["INSERT", "UPDATE"]
                .iter()
                .map(|event| {
                    let suffix = if *event == "INSERT" { "i" } else { "u" };
                    format!(
                        "CREATE TRIGGER IF NOT EXISTS {} BEFORE {event} ON {t} FOR EACH ROW IF {} THEN SIGNAL SQLSTATE '23000' SET MESSAGE_TEXT = {}; END IF",
                        in_schema(&format!("{name}{suffix}")),
                        null("NEW."),
                        lit(&first)
                    )
                })
                .collect()
        }
        Dialect::Sqlite => {
            let first = message(&columns[0]);
            let on = quote_ident(dialect, bare);
            [("i", "INSERT".to_owned()), ("u", format!("UPDATE OF {list}"))]
                .into_iter()
                .flat_map(|(suffix, event)| {
                    let trigger = in_schema(&format!("{name}{suffix}"));
                    [
                        format!("DROP TRIGGER IF EXISTS {trigger}"),
                        format!(
                            "CREATE TRIGGER {trigger} BEFORE {event} ON {on} FOR EACH ROW WHEN {} BEGIN SELECT RAISE(ABORT, {}); END",
                            null("NEW."),
                            lit(&first)
                        ),
                    ]
                })
                .collect()
        }
    }
}

/// `CREATE OR REPLACE FUNCTION name() RETURNS trigger` with `body` dollar-quoted by a tag the
/// body does not contain.
pub(crate) fn postgres_function(name: &str, body: &str) -> String {
    let mut tag = "$migrate_sync$".to_owned();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$migrate_sync_{n}$");
    }
    format!(
        "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS {tag}\n{body}\n{tag}"
    )
}

/// SQLite's catalog of `schema` (an attached database) and the qualifier of its objects' names
/// (`"s".`), or the main database's.
pub(crate) fn sqlite_master(schema: Option<&str>) -> (String, String) {
    match schema {
        Some(s) => {
            let s = quote_ident(Dialect::Sqlite, s);
            (format!("{s}.sqlite_master"), format!("{s}."))
        }
        None => ("sqlite_master".to_owned(), String::new()),
    }
}

/// A query listing the sync triggers starting with `prefix` on `table` (as written in the
/// migration, possibly `schema.table`), one row each: `drop_sql`, the statements that drop it
/// (and its PostgreSQL function), and `body`, its definition, to see which columns it reads.
pub fn installed(dialect: Dialect, table: &str, prefix: &str) -> String {
    let lit = |s: &str| quote_str(dialect, s).unwrap_or_else(|_| "''".to_owned());
    let (schema, name) = split_table(table);
    let n = prefix.chars().count();
    match dialect {
        Dialect::Postgres => format!(
            "SELECT format('DROP TRIGGER IF EXISTS %I ON %s; DROP FUNCTION IF EXISTS %s', t.tgname, t.tgrelid::regclass, p.oid::regprocedure) AS drop_sql, \
             p.prosrc AS body FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid \
             WHERE t.tgrelid = to_regclass({}) AND substr(t.tgname, 1, {n}) = {} ORDER BY t.tgname",
            lit(&crate::quote_table(dialect, table)),
            lit(prefix)
        ),
        Dialect::Mysql => format!(
            "SELECT CONCAT('DROP TRIGGER IF EXISTS `', REPLACE(TRIGGER_SCHEMA, '`', '``'), '`.`', REPLACE(TRIGGER_NAME, '`', '``'), '`') AS drop_sql, \
             CAST(ACTION_STATEMENT AS CHAR) AS body FROM information_schema.TRIGGERS \
             WHERE EVENT_OBJECT_SCHEMA = COALESCE({}, DATABASE()) AND EVENT_OBJECT_TABLE = {} \
             AND SUBSTRING(TRIGGER_NAME, 1, {n}) = {} ORDER BY TRIGGER_NAME",
            schema.map_or("NULL".to_owned(), lit),
            lit(name),
            lit(prefix)
        ),
        Dialect::Sqlite => {
            let (master, qualifier) = sqlite_master(schema);
            format!(
                "SELECT 'DROP TRIGGER IF EXISTS {qualifier}\"' || replace(name, '\"', '\"\"') || '\"' AS drop_sql, sql AS body \
                 FROM {master} WHERE type = 'trigger' AND tbl_name = {} AND substr(name, 1, {n}) = {} ORDER BY name",
                lit(name),
                lit(prefix)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helpers::key::KeyColumn;
    use crate::{Join, quote_table};

    fn key(dialect: Dialect, names: &[&str]) -> Key {
        Key {
            columns: names
                .iter()
                .map(|n| KeyColumn::new(dialect, n, "varchar(20)"))
                .collect(),
        }
    }

    #[test]
    fn mentions_quoted_and_bare_whole_words() {
        let d = Dialect::Postgres;
        assert!(mentions(d, r#"substr("full_name", 1)"#, "full_name"));
        assert!(mentions(d, "coalesce(age, 0)", "age"));
        assert!(!mentions(d, r#""age_group" = 1"#, "age"));
        assert!(!mentions(d, "page + 1", "age"));
        assert!(mentions(
            Dialect::Mysql,
            "SUBSTRING_INDEX(`full_name`, ' ', 1)",
            "full_name"
        ));
    }

    #[test]
    fn triggers_per_dialect() {
        let mut out = String::new();
        for dialect in Dialect::ALL {
            let q = |n: &str| quote_ident(dialect, n);
            let split = Fill::new(
                "app.people",
                "code",
                vec![
                    Assignment::new("first_name", format!("lower({})", q("full_name"))),
                    Assignment::new("last_name", format!("upper({})", q("full_name"))),
                ],
                "{n}".into(),
            );
            let backfill = Fill {
                condition: Some(format!("{} IS NULL", q("status"))),
                ..Fill::new(
                    "orders",
                    "id",
                    vec![Assignment::new("status", "'processed'")],
                    "{n}".into(),
                )
            };
            let on = format!(
                "{}.{} = {}.{}",
                q("customers"),
                q("id"),
                quote_table(dialect, "orders"),
                q("customer_id")
            );
            let denormalize = Fill {
                join: Some(Join {
                    source_table: "customers".into(),
                    source_column: "name".into(),
                    source_key: "id".into(),
                    foreign_key: "customer_id".into(),
                    correlated: format!(
                        "(SELECT {}.{} FROM {} WHERE {on})",
                        q("customers"),
                        q("name"),
                        q("customers")
                    ),
                    on,
                }),
                ..Fill::new(
                    "orders",
                    "id",
                    vec![Assignment::new(
                        "customer_name",
                        format!("{}.{}", q("customers"), q("name")),
                    )],
                    "{n}".into(),
                )
            };
            let people = ["code", "full_name", "age", "first_name", "last_name"].map(String::from);
            let orders = ["id", "customer_id", "status", "customer_name"].map(String::from);
            out.push_str(&format!("== {dialect}\n"));
            for (fill, columns, key_columns) in [
                (&split, &people[..], &["code"][..]),
                (&backfill, &orders[..], &["id"][..]),
                (&denormalize, &orders[..], &["id"][..]),
            ] {
                let key = key(dialect, key_columns);
                let sync = RowSync::new(dialect, fill, name(5, 3), &key, columns);
                out.push_str(&format!("-- reads {:?}\n", sync.reads()));
                for statement in sync.install() {
                    out.push_str(&statement);
                    out.push_str(";\n");
                }
            }
            for statement in not_null_guard(
                dialect,
                "users",
                &format!("{}_g", name(9, 2)),
                &["score".to_owned()],
            ) {
                out.push_str(&statement);
                out.push_str(";\n");
            }
            out.push_str(&installed(dialect, "app.people", &prefix(5)));
            out.push('\n');
        }
        insta::assert_snapshot!(out);
    }
}
