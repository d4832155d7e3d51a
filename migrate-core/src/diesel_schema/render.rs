//! The text of `schema.rs`, written as Diesel CLI writes it before `rustfmt` (its `Display`
//! impls, whose `PadAdapter` indents every line but a blank one by four spaces per level).

use super::{ColumnType, Table, TableName, Tables};
use std::fmt::Write;

/// The first line of every generated `schema.rs`.
pub const HEADER: &str = "// @generated automatically by Diesel CLI.\n";

pub(super) fn render(tables: &Tables, schema: Option<&str>) -> String {
    let mut out = String::new();
    out.push_str(HEADER);
    out.push('\n');
    let definitions = definitions(tables);
    match schema.filter(|s| *s != "public") {
        Some(schema) => {
            let module = super::names::rust_name_for_sql_name(schema, None);
            out.push_str(&indent(&format!("pub mod {module} {{\n{definitions}")));
            out.push_str("}\n");
        }
        None => out.push_str(&definitions),
    }
    out
}

/// Indents every line that follows a newline and is not empty, as `PadAdapter` does (the first
/// line is not indented: it continues the line it was written on).
fn indent(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut on_newline = false;
    for piece in text.split_inclusive('\n') {
        if on_newline && piece != "\n" {
            out.push_str("    ");
        }
        out.push_str(piece);
        on_newline = piece.ends_with('\n');
    }
    out
}

fn definitions(tables: &Tables) -> String {
    let mut out = String::new();
    for (i, table) in tables.tables.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&table_definition(table));
        out.push('\n');
    }
    if !tables.foreign_keys.is_empty() {
        out.push('\n');
    }
    for fk in &tables.foreign_keys {
        let _ = writeln!(
            out,
            "diesel::joinable!({} -> {} ({}));",
            fk.child_table.rust_name,
            fk.parent_table.rust_name,
            fk.child_columns_rust.first().map_or("", String::as_str)
        );
    }
    if tables.tables.len() >= 2 {
        out.push('\n');
        out.push_str("diesel::allow_tables_to_appear_in_same_query!(");
        let mut list = String::from("\n");
        for table in &tables.tables {
            let _ = write!(list, "{},", table.name.rust_name);
        }
        out.push_str(&indent(&list));
        out.push_str(");\n");
    }
    out
}

fn table_name(name: &TableName) -> String {
    match &name.rust_schema {
        Some(schema) => format!("{schema}.{}", name.rust_name),
        None => name.rust_name.clone(),
    }
}

fn full_sql_name(name: &TableName) -> String {
    match &name.schema {
        Some(schema) => format!("{schema}.{}", name.sql_name),
        None => name.sql_name.clone(),
    }
}

fn column_type(ty: &ColumnType) -> String {
    let mut text = ty.rust_name.clone();
    if ty.is_unsigned {
        text = format!("Unsigned<{text}>");
    }
    if ty.is_array {
        text = format!("Array<Nullable<{text}>>");
    }
    if ty.is_nullable {
        text = format!("Nullable<{text}>");
    }
    text
}

/// `diesel::table! { name (key) { columns } }`, without the newline after it.
fn table_definition(table: &Table) -> String {
    let mut inner = String::from("\n");
    if table.name.rust_name != table.name.sql_name {
        let _ = writeln!(
            inner,
            "#[sql_name = {}]",
            escape_rust_string(&full_sql_name(&table.name))
        );
    }
    let _ = write!(
        inner,
        "{} ({}) ",
        table_name(&table.name),
        table.primary_key.join(", ")
    );
    let mut columns = String::from("{\n");
    for column in &table.columns {
        let mut line = String::new();
        if column.rust_name != column.sql_name {
            let _ = writeln!(
                line,
                "#[sql_name = {}]",
                escape_rust_string(&column.sql_name)
            );
        }
        if let Some(max_length) = column.ty.max_length {
            let _ = writeln!(line, "#[max_length = {max_length}]");
        }
        let _ = writeln!(line, "{} -> {},", column.rust_name, column_type(&column.ty));
        columns.push_str(&line);
    }
    // The column list is indented once more than the table's line, and its closing brace
    // written at the table's level.
    inner.push_str(&indent(&columns));
    inner.push_str("}\n");
    format!("diesel::table! {{{}}}", indent(&inner))
}

/// A Rust string literal for `input`: raw, with enough `#`, when it holds a quote.
fn escape_rust_string(input: &str) -> String {
    let quotes = input.chars().filter(|&c| c == '"').count();
    let hashes = input.chars().filter(|&c| c == '#').count();
    if quotes > 0 {
        let hashes = "#".repeat(hashes + 1);
        format!("r{hashes}\"{input}\"{hashes}")
    } else {
        format!("\"{input}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Column, ForeignKey};
    use super::*;

    fn table(name: &str, columns: &[(&str, &str, bool)]) -> Table {
        let name = TableName::new(name.into(), None);
        Table {
            primary_key: vec!["id".into()],
            columns: columns
                .iter()
                .map(|&(column, ty, nullable)| Column {
                    sql_name: column.into(),
                    rust_name: super::super::names::rust_name_for_sql_name(column, Some(&name)),
                    ty: ColumnType {
                        rust_name: ty.into(),
                        is_array: false,
                        is_unsigned: false,
                        is_nullable: nullable,
                        max_length: (ty == "Varchar").then_some(100),
                    },
                })
                .collect(),
            name,
        }
    }

    #[test]
    fn as_diesel_writes_it_before_rustfmt() {
        let users = table(
            "users",
            &[("id", "Int4", false), ("name", "Varchar", false)],
        );
        let posts = table(
            "posts",
            &[
                ("id", "Int4", false),
                ("user_id", "Int4", false),
                ("type", "Text", true),
            ],
        );
        let fk = ForeignKey {
            child_table: posts.name.clone(),
            parent_table: users.name.clone(),
            child_columns: vec!["user_id".into()],
            child_columns_rust: vec!["user_id".into()],
            parent_columns: vec!["id".into()],
        };
        let text = render(
            &Tables {
                tables: vec![posts, users],
                foreign_keys: vec![fk],
            },
            None,
        );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn raw_strings_for_quotes() {
        assert_eq!(escape_rust_string("plain"), "\"plain\"");
        assert_eq!(escape_rust_string("a\"b#"), "r##\"a\"b#\"##");
    }
}
