//! Table changes whose SQL depends on the live schema ([`TableChange`]): PostgreSQL states them
//! directly; MySQL restates a column's whole definition to change its nullability, and drops a
//! constraint by its kind. (SQLite rebuilds the table: see the runtime's rebuild module.)

use crate::{Dialect, LiteralError, TableChange, quote_ident, quote_str, quote_table};

/// The PostgreSQL statement for `change` to `table`.
pub fn postgres(table: &str, change: &TableChange) -> String {
    let q = |name: &str| quote_ident(Dialect::Postgres, name);
    let list = |names: &[String]| names.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ");
    let t = quote_table(Dialect::Postgres, table);
    match change {
        TableChange::SetNotNull { column } => {
            format!("ALTER TABLE {t} ALTER COLUMN {} SET NOT NULL", q(column))
        }
        TableChange::DropNotNull { column } => {
            format!("ALTER TABLE {t} ALTER COLUMN {} DROP NOT NULL", q(column))
        }
        TableChange::AddCheck { name, expression } => {
            format!(
                "ALTER TABLE {t} ADD CONSTRAINT {} CHECK ({expression})",
                q(name)
            )
        }
        TableChange::AddForeignKey {
            name,
            columns,
            references,
            referenced_columns,
        } => format!(
            "ALTER TABLE {t} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
            q(name),
            list(columns),
            quote_table(Dialect::Postgres, references),
            list(referenced_columns)
        ),
        TableChange::AddUnique { name, columns } => format!(
            "ALTER TABLE {t} ADD CONSTRAINT {} UNIQUE ({})",
            q(name),
            list(columns)
        ),
        TableChange::DropConstraint { name } => {
            format!("ALTER TABLE {t} DROP CONSTRAINT {}", q(name))
        }
    }
}

/// One statement of an online PostgreSQL table change, each its own step (and transaction), so
/// that no exclusive lock is held while the table is scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineStatement {
    /// The statement.
    pub sql: String,
    /// Whether it must run outside any transaction (`CREATE INDEX CONCURRENTLY`).
    pub concurrently: bool,
}

/// PostgreSQL, online: `change` to `table` as statements that hold `ACCESS EXCLUSIVE` only for
/// an instant, each followed by a commit.
///
/// - CHECK and FOREIGN KEY: added `NOT VALID` (checked for new rows only, no scan), then
///   `VALIDATE CONSTRAINT`, which scans under `SHARE UPDATE EXCLUSIVE`: reads and writes go on.
/// - NOT NULL: a validated `CHECK (column IS NOT NULL)` first, which lets `SET NOT NULL` skip its
///   scan (PostgreSQL 12 and later), then the check is dropped.
/// - UNIQUE: `CREATE UNIQUE INDEX CONCURRENTLY`, then `ADD CONSTRAINT ... UNIQUE USING INDEX`.
///   (`IF NOT EXISTS`: a run killed after the build resumes at it; an index an interrupted
///   build left invalid is dropped first by the runtime, see [`postgres_invalid_index`].)
pub fn postgres_online(table: &str, change: &TableChange) -> Vec<OnlineStatement> {
    let q = |name: &str| quote_ident(Dialect::Postgres, name);
    let t = quote_table(Dialect::Postgres, table);
    let step = |sql: String| OnlineStatement {
        sql,
        concurrently: false,
    };
    let validate = |name: &str| step(format!("ALTER TABLE {t} VALIDATE CONSTRAINT {}", q(name)));
    match change {
        TableChange::AddCheck { .. } | TableChange::AddForeignKey { .. } => vec![
            step(format!("{} NOT VALID", postgres(table, change))),
            validate(constraint_name(change)),
        ],
        TableChange::SetNotNull { column } => {
            let check = not_null_check_name(column);
            vec![
                step(format!(
                    "ALTER TABLE {t} ADD CONSTRAINT {} CHECK ({} IS NOT NULL) NOT VALID",
                    q(&check),
                    q(column)
                )),
                validate(&check),
                step(postgres(table, change)),
                step(format!("ALTER TABLE {t} DROP CONSTRAINT {}", q(&check))),
            ]
        }
        TableChange::AddUnique { name, columns } => {
            let list = columns.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ");
            vec![
                OnlineStatement {
                    sql: format!(
                        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {} ON {t} ({list})",
                        q(name)
                    ),
                    concurrently: true,
                },
                step(format!(
                    "ALTER TABLE {t} ADD CONSTRAINT {} UNIQUE USING INDEX {}",
                    q(name),
                    q(name)
                )),
            ]
        }
        TableChange::DropNotNull { .. } | TableChange::DropConstraint { .. } => {
            vec![step(postgres(table, change))]
        }
    }
}

/// The name of a constraint-adding change (empty for the others).
fn constraint_name(change: &TableChange) -> &str {
    match change {
        TableChange::AddCheck { name, .. }
        | TableChange::AddForeignKey { name, .. }
        | TableChange::AddUnique { name, .. }
        | TableChange::DropConstraint { name } => name,
        TableChange::SetNotNull { .. } | TableChange::DropNotNull { .. } => "",
    }
}

/// The temporary CHECK that proves `column` NOT NULL online: `<column>_not_null`, cut to
/// PostgreSQL's 63 bytes.
pub fn not_null_check_name(column: &str) -> String {
    const SUFFIX: &str = "_not_null";
    let mut end = column.len().min(63 - SUFFIX.len());
    while !column.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{SUFFIX}", &column[..end])
}

/// PostgreSQL: the index `name` in the schema of `table` (`schema.table` or the search path's)
/// when a `CREATE INDEX CONCURRENTLY` that stopped half-way left it invalid, as one text column
/// `v` holding its qualified, quoted name; no row otherwise.
pub fn postgres_invalid_index(table: &str, name: &str) -> Result<String, LiteralError> {
    let (schema, _) = crate::split_table(table);
    let namespace = match schema {
        Some(schema) => format!("n.nspname = {}", quote_str(Dialect::Postgres, schema)?),
        None => "n.nspname = ANY (current_schemas(false))".to_owned(),
    };
    Ok(format!(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS v FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = {} AND {namespace} AND NOT i.indisvalid",
        quote_str(Dialect::Postgres, name)?
    ))
}

/// MySQL: `ADD CONSTRAINT ... CHECK`.
pub fn mysql_add_check(table: &str, name: &str, expression: &str) -> String {
    let q = |n: &str| quote_ident(Dialect::Mysql, n);
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({expression})",
        quote_table(Dialect::Mysql, table),
        q(name)
    )
}

/// MySQL: `ADD CONSTRAINT ... UNIQUE`.
pub fn mysql_add_unique(table: &str, name: &str, columns: &[String]) -> String {
    let q = |n: &str| quote_ident(Dialect::Mysql, n);
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})",
        quote_table(Dialect::Mysql, table),
        q(name),
        columns.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")
    )
}

/// A MySQL column's current definition, as the catalog reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MysqlColumn {
    /// `COLUMN_TYPE`, e.g. `varchar(50)`.
    pub column_type: String,
    /// `COLUMN_DEFAULT`.
    pub column_default: Option<String>,
    /// `EXTRA`: `auto_increment`, `on update ...`, `DEFAULT_GENERATED`, `VIRTUAL GENERATED`.
    pub extra: String,
    /// `CHARACTER_SET_NAME`.
    pub character_set: Option<String>,
    /// `COLLATION_NAME`.
    pub collation: Option<String>,
    /// `COLUMN_COMMENT`.
    pub comment: String,
    /// `VERSION()`: MariaDB and MySQL report defaults differently.
    pub server: String,
}

impl MysqlColumn {
    /// Whether the column is computed (its nullability cannot be restated).
    pub fn is_generated(&self) -> bool {
        let extra = self.extra.to_ascii_uppercase();
        extra.contains("GENERATED") && !extra.contains("DEFAULT_GENERATED")
    }

    /// The column's default as SQL. MariaDB reports defaults as SQL (strings quoted, `NULL` for
    /// none); MySQL reports literal values unquoted and marks expressions `DEFAULT_GENERATED`.
    fn default_clause(&self) -> Option<String> {
        let default = self.column_default.as_deref()?;
        if self.server.contains("MariaDB") {
            return (default != "NULL").then(|| default.to_owned());
        }
        let expression = self
            .extra
            .to_ascii_uppercase()
            .contains("DEFAULT_GENERATED");
        let textual = ["char", "text", "enum", "set", "date", "time", "year"]
            .iter()
            .any(|t| self.column_type.to_ascii_lowercase().contains(t));
        if expression {
            Some(format!("({default})"))
        } else if textual {
            quote_str(Dialect::Mysql, default).ok()
        } else {
            Some(default.to_owned())
        }
    }
}

/// MySQL changes nullability with `MODIFY COLUMN`, which replaces the whole definition: restate
/// the current one so that type, character set, collation, default, `ON UPDATE` and comment
/// survive. Fails only on a comment no literal can hold.
pub fn mysql_modify_column(
    table: &str,
    column: &str,
    definition: &MysqlColumn,
    not_null: bool,
) -> Result<String, crate::LiteralError> {
    let q = |name: &str| quote_ident(Dialect::Mysql, name);
    let mut text = format!(
        "ALTER TABLE {} MODIFY COLUMN {} {}",
        quote_table(Dialect::Mysql, table),
        q(column),
        definition.column_type
    );
    if let (Some(charset), Some(collation)) = (&definition.character_set, &definition.collation) {
        text.push_str(&format!(" CHARACTER SET {charset} COLLATE {collation}"));
    }
    text.push_str(if not_null { " NOT NULL" } else { " NULL" });
    if let Some(default) = definition.default_clause() {
        text.push_str(&format!(" DEFAULT {default}"));
    }
    let extra = definition.extra.to_ascii_lowercase();
    if extra.contains("auto_increment") {
        text.push_str(" AUTO_INCREMENT");
    }
    if let Some(on_update) = extra.find("on update ") {
        text.push_str(&format!(" {}", &definition.extra[on_update..]));
    }
    if !definition.comment.is_empty() {
        let comment = quote_str(Dialect::Mysql, &definition.comment)?;
        text.push_str(&format!(" COMMENT {comment}"));
    }
    Ok(text)
}

/// MySQL: drops the constraint `name` of kind `kind` (as the catalog names it). A foreign key's
/// index that MySQL created with it (`has_index`) goes too, so that removing the key restores
/// the schema from before it was added.
pub fn mysql_drop_constraint(table: &str, name: &str, kind: &str, has_index: bool) -> Vec<String> {
    let q = |n: &str| quote_ident(Dialect::Mysql, n);
    match kind {
        "FOREIGN KEY" => {
            let mut statements = vec![format!(
                "ALTER TABLE {} DROP FOREIGN KEY {}",
                quote_table(Dialect::Mysql, table),
                q(name)
            )];
            if has_index {
                statements.push(format!(
                    "ALTER TABLE {} DROP INDEX {}",
                    quote_table(Dialect::Mysql, table),
                    q(name)
                ));
            }
            statements
        }
        "UNIQUE" => vec![format!(
            "ALTER TABLE {} DROP INDEX {}",
            quote_table(Dialect::Mysql, table),
            q(name)
        )],
        _ => vec![format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            quote_table(Dialect::Mysql, table),
            q(name)
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements() {
        let mut text = Vec::new();
        for change in [
            TableChange::SetNotNull {
                column: "slug".into(),
            },
            TableChange::DropNotNull {
                column: "slug".into(),
            },
            TableChange::AddCheck {
                name: "age_positive".into(),
                expression: "\"age\" > 0".into(),
            },
            TableChange::AddForeignKey {
                name: "orders_customer".into(),
                columns: vec!["customer_id".into()],
                references: "customers".into(),
                referenced_columns: vec!["id".into()],
            },
            TableChange::AddUnique {
                name: "users_email_key".into(),
                columns: vec!["email".into()],
            },
            TableChange::DropConstraint {
                name: "age_positive".into(),
            },
        ] {
            text.push(postgres("users", &change));
            for online in postgres_online("users", &change) {
                let concurrently = if online.concurrently {
                    "  -- outside a transaction"
                } else {
                    ""
                };
                text.push(format!("  online: {}{concurrently}", online.sql));
            }
        }
        text.push(
            postgres_invalid_index("app.users", "users_email_key")
                .unwrap_or_else(|e| e.to_string()),
        );
        text.push(not_null_check_name(&"é".repeat(40)));
        text.push(mysql_add_check("users", "age_positive", "`age` > 0"));
        let mariadb = MysqlColumn {
            column_type: "varchar(50)".into(),
            column_default: Some("'x'".into()),
            extra: String::new(),
            character_set: Some("utf8mb4".into()),
            collation: Some("utf8mb4_unicode_ci".into()),
            comment: "the user's slug".into(),
            server: "10.11.19-MariaDB".into(),
        };
        text.push(mysql_modify_column("users", "slug", &mariadb, true).unwrap_or_default());
        let mysql = MysqlColumn {
            column_type: "timestamp".into(),
            column_default: Some("CURRENT_TIMESTAMP".into()),
            extra: "DEFAULT_GENERATED on update CURRENT_TIMESTAMP".into(),
            server: "8.0.36".into(),
            ..MysqlColumn::default()
        };
        text.push(mysql_modify_column("users", "seen_at", &mysql, false).unwrap_or_default());
        for (kind, has_index) in [("FOREIGN KEY", true), ("UNIQUE", true), ("CHECK", false)] {
            text.extend(mysql_drop_constraint("orders", "c", kind, has_index));
        }
        insta::assert_snapshot!(text.join("\n"));
    }
}
