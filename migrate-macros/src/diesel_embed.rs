//! `embed_diesel_migrations!`: a Diesel migrations directory (`<version>_<name>/up.sql`,
//! `down.sql`, `metadata.toml`) embedded into the migration set at compile time.
//!
//! Parse (the macro's arguments) → read (the directory) → validate (names, order, SQL) →
//! expand (one registered migration per directory, running its files through
//! `migrate_core::__private::run_sql_file`).

use crate::dialects;
use migrate_sql::Dialect;
use migrate_sql::version::{id_of_version, split_directory_name};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use sqlparser::dialect::{MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use std::path::{Path, PathBuf};
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token, bracketed};

/// The directory used when the macro is given none, as `diesel_migrations::embed_migrations!`.
const DEFAULT_DIRECTORY: &str = "migrations";

/// The keys the macro accepts after the directory.
const KEYS: &str = "`databases`, `unchecked`";

pub fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let args: Args = syn::parse2(input)?;
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").map_err(|_| {
        syn::Error::new(
            Span::call_site(),
            "CARGO_MANIFEST_DIR is not set: build with cargo",
        )
    })?;
    let dir = Path::new(&manifest_dir).join(&args.directory);
    let migrations = read_directory(&dir, &args)?;
    validate(&migrations, &args)?;
    Ok(expand_migrations(&migrations, &args))
}

// ---------------------------------------------------------------------------------------------
// Parse

/// `embed_diesel_migrations!(["dir"] [, databases = [postgres, mysql, sqlite]])`.
struct Args {
    directory: String,
    /// Where errors about the directory point.
    span: Span,
    /// The databases the SQL is written for: checked at compile time for those enabled, and
    /// refused at run time on the others. All enabled databases when not given.
    databases: Vec<Dialect>,
    /// Files (`<directory>/up.sql`) the parsers are not asked about: valid SQL that
    /// `sqlparser` does not know (`DROP INDEX CONCURRENTLY`). They run all the same.
    unchecked: Vec<LitStr>,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let (directory, span) = if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
            (lit.value(), lit.span())
        } else {
            (DEFAULT_DIRECTORY.to_owned(), Span::call_site())
        };
        let mut databases: Option<Vec<Dialect>> = None;
        let mut unchecked: Option<Vec<LitStr>> = None;
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            if key == "unchecked" {
                if unchecked.is_some() {
                    return Err(syn::Error::new_spanned(&key, "`unchecked` is given twice"));
                }
                input.parse::<Token![=]>()?;
                let content;
                bracketed!(content in input);
                let files =
                    content.parse_terminated(|p: ParseStream| p.parse::<LitStr>(), Token![,])?;
                unchecked = Some(files.into_iter().collect());
                if !input.is_empty() {
                    input.parse::<Token![,]>()?;
                }
                continue;
            }
            if key != "databases" {
                return Err(syn::Error::new_spanned(
                    &key,
                    format!("unknown key `{key}`; the valid keys are {KEYS}"),
                ));
            }
            if databases.is_some() {
                return Err(syn::Error::new_spanned(&key, "`databases` is given twice"));
            }
            input.parse::<Token![=]>()?;
            let content;
            bracketed!(content in input);
            let names = content.parse_terminated(Ident::parse, Token![,])?;
            let mut list = Vec::new();
            for name in names {
                let dialect: Dialect = name.to_string().parse().map_err(|_| {
                    syn::Error::new_spanned(
                        &name,
                        format!(
                            "unknown database `{name}`; write `databases = [postgres, mysql, sqlite]` or a part of it"
                        ),
                    )
                })?;
                if !list.contains(&dialect) {
                    list.push(dialect);
                }
            }
            if list.is_empty() {
                return Err(syn::Error::new_spanned(
                    &key,
                    "`databases` lists no database; write for example `databases = [postgres]`",
                ));
            }
            databases = Some(list);
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(Args {
            directory,
            span,
            databases: databases.unwrap_or_else(|| Dialect::ALL.to_vec()),
            unchecked: unchecked.unwrap_or_default(),
        })
    }
}

impl Args {
    /// The databases whose parser checks the SQL: those the SQL is written for that this build
    /// enables.
    fn checked(&self) -> Vec<Dialect> {
        dialects::enabled()
            .into_iter()
            .filter(|d| self.databases.contains(d))
            .collect()
    }

    fn error(&self, message: impl std::fmt::Display) -> syn::Error {
        syn::Error::new(self.span, message)
    }
}

// ---------------------------------------------------------------------------------------------
// Read

/// One `<version>_<name>` directory.
struct SqlMigration {
    dir_name: String,
    version: String,
    id: u64,
    name: String,
    up: SqlFile,
    down: Option<SqlFile>,
    run_in_transaction: bool,
}

struct SqlFile {
    path: PathBuf,
    /// Shown in messages, relative to the crate: `migrations/2024-…_x/up.sql`.
    shown: String,
    text: String,
}

fn read_directory(dir: &Path, args: &Args) -> syn::Result<Vec<SqlMigration>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        args.error(format!(
            "cannot read the Diesel migrations directory `{}`: {e} (the path is relative to the crate's Cargo.toml)",
            dir.display()
        ))
    })?;
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    let mut migrations = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| args.error(format!("cannot read `{}`: {e}", dir.display())))?;
        let dir_name = entry.file_name().to_string_lossy().into_owned();
        // Diesel skips hidden entries; files beside the directories (a README) are not migrations.
        if dir_name.starts_with('.') || !entry.path().is_dir() {
            continue;
        }
        match read_migration(&entry.path(), &dir_name, args) {
            Ok(m) => migrations.push(m),
            Err(e) => push(e),
        }
    }
    if let Some(errors) = errors {
        return Err(errors);
    }
    // Diesel runs them in the text order of their versions.
    migrations.sort_by(|a, b| a.version.cmp(&b.version));
    Ok(migrations)
}

fn read_migration(path: &Path, dir_name: &str, args: &Args) -> syn::Result<SqlMigration> {
    let (version, name) =
        split_directory_name(dir_name).map_err(|e| args.error(format!("`{dir_name}`: {e}")))?;
    let id = id_of_version(&version).map_err(|e| args.error(format!("`{dir_name}`: {e}")))?;
    let shown = |file: &str| format!("{}/{dir_name}/{file}", args.directory.trim_end_matches('/'));
    let read = |file: &str| -> syn::Result<Option<SqlFile>> {
        let file_path = path.join(file);
        if !file_path.exists() {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&file_path)
            .map_err(|e| args.error(format!("cannot read `{}`: {e}", shown(file))))?;
        Ok(Some(SqlFile {
            path: file_path,
            shown: shown(file),
            text,
        }))
    };
    let up = read("up.sql")?.ok_or_else(|| {
        args.error(format!(
            "`{dir_name}` has no `up.sql`: every Diesel migration directory needs one"
        ))
    })?;
    let down = read("down.sql")?;
    let run_in_transaction = match std::fs::read_to_string(path.join("metadata.toml")) {
        Ok(text) => run_in_transaction(&text)
            .map_err(|e| args.error(format!("`{}`: {e}", shown("metadata.toml"))))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(args.error(format!("cannot read `{}`: {e}", shown("metadata.toml")))),
    };
    Ok(SqlMigration {
        dir_name: dir_name.to_owned(),
        version,
        id,
        name: name.to_owned(),
        up,
        down,
        run_in_transaction,
    })
}

/// Diesel's `metadata.toml`: `run_in_transaction = false` runs the migration outside a
/// transaction; it is its only key.
fn run_in_transaction(text: &str) -> Result<bool, String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.message().to_owned())?;
    let mut run = true;
    for (key, value) in table {
        match (key.as_str(), value) {
            ("run_in_transaction", toml::Value::Boolean(b)) => run = b,
            ("run_in_transaction", other) => {
                return Err(format!(
                    "`run_in_transaction` is a boolean (`run_in_transaction = false`), not a {}",
                    other.type_str()
                ));
            }
            (other, _) => {
                return Err(format!(
                    "unknown key `{other}`; Diesel's only key is `run_in_transaction`"
                ));
            }
        }
    }
    Ok(run)
}

// ---------------------------------------------------------------------------------------------
// Validate

fn validate(migrations: &[SqlMigration], args: &Args) -> syn::Result<()> {
    // Every problem is reported, not only the first.
    let mut errors: Vec<syn::Error> = Vec::new();
    for pair in migrations.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.id == b.id {
            errors.push(args.error(format!(
                "`{}` and `{}` have the same id {}: give one of them another version",
                a.dir_name, b.dir_name, a.id
            )));
        } else if a.id > b.id {
            errors.push(args.error(format!(
                "Diesel runs `{}` before `{}` (it orders versions as text), but as ids {} > {}: write versions of one length (timestamps such as `2024-01-31-120000`)",
                a.dir_name, b.dir_name, a.id, b.id
            )));
        }
    }
    for lit in &args.unchecked {
        let named = lit.value();
        let found = migrations.iter().any(|m| {
            std::iter::once(&m.up)
                .chain(&m.down)
                .any(|f| relative_name(m, f) == named)
        });
        if !found {
            errors.push(syn::Error::new_spanned(
                lit,
                format!("`unchecked` names `{named}`, which is no file of the directory: write `<version>_<name>/up.sql` or `.../down.sql`"),
            ));
        }
    }
    let checked = args.checked();
    for m in migrations {
        for file in std::iter::once(&m.up).chain(&m.down) {
            if args.is_unchecked(m, file) {
                continue;
            }
            for &dialect in &checked {
                let Err(message) = parse(dialect, &file.text) else {
                    continue;
                };
                // Statement by statement, with the checks `m.execute("...")` gets: well-known
                // statements sqlparser cannot parse (`DROP INDEX CONCURRENTLY`) are accepted,
                // and the problem is named on its statement.
                let problems = statement_problems(dialect, &file.text)
                    .unwrap_or_else(|| vec![message.clone()]);
                for problem in problems {
                    errors.push(args.error(format!(
                        "`{}` does not parse as {}: {problem}{} (if it is valid SQL the parser does not know, add `unchecked = [\"{}\"]`)",
                        file.shown,
                        dialect.display_name(),
                        if checked.len() > 1 {
                            " (the directory is checked for every enabled database; if it is written for one, say so with `databases = [postgres]`)"
                        } else {
                            ""
                        },
                        relative_name(m, file)
                    )));
                }
            }
            // As Diesel would fail at run time, a statement PostgreSQL refuses in a transaction
            // block fails the build in a migration that runs in one.
            if m.run_in_transaction && checked.contains(&Dialect::Postgres) {
                let refused = split_statements(Dialect::Postgres, &file.text)
                    .unwrap_or_default()
                    .iter()
                    .find_map(|statement| crate::sql_check::outside_transaction_only(statement));
                if let Some((what, _)) = refused {
                    errors.push(args.error(format!(
                        "`{}` uses {what}, which PostgreSQL refuses inside a transaction, and `{}` runs in one: add a `metadata.toml` with `run_in_transaction = false` to its directory",
                        file.shown, m.dir_name
                    )));
                }
            }
        }
    }
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(()),
        Some(mut first) => {
            first.extend(errors);
            Err(first)
        }
    }
}

/// The statements of a file, split at `;` by `dialect`'s tokenizer (so a `;` in a string, a
/// comment or a dollar-quoted body does not split); `None` if it cannot be tokenized.
fn split_statements(dialect: Dialect, sql: &str) -> Option<Vec<String>> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let tokens = match dialect {
        Dialect::Postgres => Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize(),
        Dialect::Mysql => Tokenizer::new(&MySqlDialect {}, sql).tokenize(),
        Dialect::Sqlite => Tokenizer::new(&SQLiteDialect {}, sql).tokenize(),
    }
    .ok()?;
    let mut statements = Vec::new();
    let mut current = String::new();
    for token in tokens {
        if token == Token::SemiColon {
            statements.push(std::mem::take(&mut current));
        } else {
            current.push_str(&token.to_string());
        }
    }
    statements.push(current);
    Some(statements)
}

/// The problems of each statement of a file, as `m.execute` would report them (a statement of
/// comments only is none); `None` if the file cannot be split.
fn statement_problems(dialect: Dialect, sql: &str) -> Option<Vec<String>> {
    Some(
        split_statements(dialect, sql)?
            .iter()
            .filter_map(
                |statement| match crate::sql_check::check(dialect, statement) {
                    Ok(()) | Err(crate::sql_check::SqlProblem::Empty) => None,
                    Err(problem) => Some(format!("{problem} (in `{}`)", statement.trim())),
                },
            )
            .collect(),
    )
}

/// `<version>_<name>/up.sql`: how `unchecked` names a file.
fn relative_name(m: &SqlMigration, file: &SqlFile) -> String {
    let name = file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{}/{name}", m.dir_name)
}

impl Args {
    fn is_unchecked(&self, m: &SqlMigration, file: &SqlFile) -> bool {
        let name = relative_name(m, file);
        self.unchecked.iter().any(|lit| lit.value() == name)
    }
}

/// Parses `sql` (any number of statements) with `dialect`'s parser; returns how many it holds.
fn parse(dialect: Dialect, sql: &str) -> Result<usize, String> {
    let parsed = match dialect {
        Dialect::Postgres => Parser::parse_sql(&PostgreSqlDialect {}, sql),
        Dialect::Mysql => Parser::parse_sql(&MySqlDialect {}, sql),
        Dialect::Sqlite => Parser::parse_sql(&SQLiteDialect {}, sql),
    };
    parsed
        .map(|statements| statements.len())
        .map_err(|e| e.to_string())
}

/// Whether `sql` holds a statement, for every checked database (a file of comments holds none,
/// and some servers refuse an empty batch).
fn has_statements(sql: &str, checked: &[Dialect]) -> bool {
    match checked.first() {
        Some(&dialect) => parse(dialect, sql).map_or(true, |n| n > 0),
        // No enabled database is one the SQL is written for: it never runs; keep it as written.
        None => !sql.trim().is_empty(),
    }
}

// ---------------------------------------------------------------------------------------------
// Expand

fn expand_migrations(migrations: &[SqlMigration], args: &Args) -> TokenStream {
    let checked = args.checked();
    let databases = args.databases.iter().map(|d| match d {
        Dialect::Postgres => quote!(::migrate_core::__private::Dialect::Postgres),
        Dialect::Mysql => quote!(::migrate_core::__private::Dialect::Mysql),
        Dialect::Sqlite => quote!(::migrate_core::__private::Dialect::Sqlite),
    });
    let databases = quote!(&[#(#databases),*]);
    let items = migrations.iter().map(|m| {
        let run = |file: &SqlFile| {
            let shown = &file.shown;
            let path = file.path.to_string_lossy().into_owned();
            let has = if args.is_unchecked(m, file) {
                !file.text.trim().is_empty()
            } else {
                has_statements(&file.text, &checked)
            };
            let sql = if has {
                quote!(::core::option::Option::Some(::core::include_str!(#path)))
            } else {
                // Still included, so editing the file rebuilds the crate.
                quote!({
                    const _: &str = ::core::include_str!(#path);
                    ::core::option::Option::None
                })
            };
            quote! {
                ::migrate_core::__private::run_sql_file(m, #databases, #shown, #sql)
            }
        };
        let up = run(&m.up);
        let (down_fn, down) = match &m.down {
            Some(file) => {
                let body = run(file);
                (
                    quote! {
                        fn __down(m: &mut ::migrate_core::Migration<'_>) -> ::migrate_core::Result<()> {
                            #body
                        }
                    },
                    quote!(::migrate_core::__private::Down::Function(__down)),
                )
            }
            None => (quote!(), quote!(::migrate_core::__private::Down::Irreversible)),
        };
        let id = m.id;
        let name = &m.name;
        let description = format!("Diesel SQL migration `{}`", m.dir_name);
        let checksum = migrate_sql::Checksum::of(m.up.text.as_bytes()).to_string();
        let transactional = m.run_in_transaction;
        let version = &m.version;
        // The constant `#[migration]` defines for its id: a Rust migration with the id of an
        // SQL one in the same module does not compile.
        let unique_id = format_ident!("MIGRATION_ID_{}_IS_USED_TWICE_IN_THIS_MODULE", id);
        quote! {
            #[doc(hidden)]
            #[allow(dead_code)]
            const #unique_id: () = ();

            const _: () = {
                fn __up(m: &mut ::migrate_core::Migration<'_>) -> ::migrate_core::Result<()> {
                    #up
                }
                #down_fn
                ::migrate_core::__private::inventory::submit! {
                    ::migrate_core::__private::MigrationDescriptor::__new_diesel(
                        #id,
                        #name,
                        #description,
                        __up,
                        #down,
                        #transactional,
                        #checksum,
                        ::core::module_path!(),
                        (::core::file!(), ::core::line!()),
                        #version,
                    )
                }
            };
        }
    });
    quote!(#(#items)*)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(tokens: TokenStream) -> syn::Result<Args> {
        syn::parse2(tokens)
    }

    #[test]
    fn arguments() {
        let a = args(quote!()).unwrap();
        assert_eq!(a.directory, "migrations");
        assert_eq!(a.databases, Dialect::ALL);
        let a = args(quote!("db/migrations", databases = [postgres])).unwrap();
        assert_eq!(a.directory, "db/migrations");
        assert_eq!(a.databases, [Dialect::Postgres]);
        let a = args(quote!(databases = [sqlite, mysql])).unwrap();
        assert_eq!(a.databases, [Dialect::Sqlite, Dialect::Mysql]);
    }

    #[test]
    fn argument_errors() {
        let message = |t| args(t).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message(quote!("m", dbs = [postgres])).contains("unknown key `dbs`"));
        assert!(message(quote!("m", databases = [oracle])).contains("unknown database `oracle`"));
        assert!(message(quote!("m", databases = [])).contains("lists no database"));
        assert!(
            message(quote!("m", databases = [sqlite], databases = [mysql])).contains("given twice")
        );
    }

    #[test]
    fn metadata() {
        assert_eq!(run_in_transaction(""), Ok(true));
        assert_eq!(
            run_in_transaction("run_in_transaction = false\n"),
            Ok(false)
        );
        assert!(
            run_in_transaction("run_in_transaction = \"no\"")
                .unwrap_err()
                .contains("is a boolean")
        );
        assert!(
            run_in_transaction("transaction = false")
                .unwrap_err()
                .contains("unknown key")
        );
    }

    #[test]
    fn statements_are_counted_per_dialect() {
        assert_eq!(parse(Dialect::Postgres, "-- nothing here\n"), Ok(0));
        assert_eq!(
            parse(
                Dialect::Sqlite,
                "CREATE TABLE a (id INTEGER); DROP TABLE b;"
            ),
            Ok(2)
        );
        assert!(parse(Dialect::Mysql, "CREAT TABLE a (id INTEGER)").is_err());
    }

    #[test]
    fn diesels_own_postgres_setup_parses() {
        let setup = include_str!(
            "../../tests/fixtures/diesel/postgres/00000000000000_diesel_initial_setup/up.sql"
        );
        assert_eq!(parse(Dialect::Postgres, setup), Ok(2));
    }

    fn migration(dir_name: &str, up: &str) -> SqlMigration {
        let (version, name) = split_directory_name(dir_name).unwrap();
        SqlMigration {
            dir_name: dir_name.to_owned(),
            id: id_of_version(&version).unwrap(),
            version,
            name: name.to_owned(),
            up: SqlFile {
                path: PathBuf::from("up.sql"),
                shown: format!("migrations/{dir_name}/up.sql"),
                text: up.to_owned(),
            },
            down: None,
            run_in_transaction: true,
        }
    }

    fn validation_errors(migrations: &[SqlMigration], databases: Vec<Dialect>) -> Vec<String> {
        validation_errors_with(migrations, databases, Vec::new())
    }

    fn validation_errors_with(
        migrations: &[SqlMigration],
        databases: Vec<Dialect>,
        unchecked: Vec<LitStr>,
    ) -> Vec<String> {
        let args = Args {
            directory: "migrations".into(),
            span: Span::call_site(),
            databases,
            unchecked,
        };
        validate(migrations, &args)
            .err()
            .map(|e| e.into_iter().map(|e| e.to_string()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn versions_must_order_as_numbers_do() {
        let errors = validation_errors(
            &[migration("10_b", "SELECT 1"), migration("9_a", "SELECT 1")],
            Dialect::ALL.to_vec(),
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("Diesel runs `10_b` before `9_a`"),
            "{errors:?}"
        );
        let errors = validation_errors(
            &[
                migration("2024-01-01-000000_a", "SELECT 1"),
                migration("20240101000000_b", "SELECT 1"),
            ],
            Dialect::ALL.to_vec(),
        );
        assert!(
            errors[0].contains("the same id 20240101000000"),
            "{errors:?}"
        );
    }

    #[test]
    fn statements_sqlparser_cannot_parse_are_recognised_as_in_execute() {
        let mut m = migration(
            "1_a",
            "CREATE TABLE t (id INTEGER);\nDROP INDEX CONCURRENTLY i;",
        );
        m.run_in_transaction = false;
        let postgres = crate::dialects::enabled().contains(&Dialect::Postgres);
        let errors = validation_errors(&[m], vec![Dialect::Postgres]);
        assert!(errors.is_empty(), "{errors:?}");
        let errors = validation_errors(
            &[migration(
                "1_a",
                "CREATE TABLE t (id INTEGER); CREAT TABLE u (id INTEGER)",
            )],
            vec![Dialect::Postgres],
        );
        if postgres {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(
                errors[0].contains("(in `CREAT TABLE u (id INTEGER)`)"),
                "{errors:?}"
            );
        }
    }

    #[test]
    fn concurrently_needs_run_in_transaction_false() {
        let errors = validation_errors(
            &[migration("1_a", "CREATE INDEX CONCURRENTLY i ON t (a);")],
            vec![Dialect::Postgres],
        );
        if crate::dialects::enabled().contains(&Dialect::Postgres) {
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(
                errors[0].contains("run_in_transaction = false"),
                "{errors:?}"
            );
        }
    }

    #[test]
    fn unchecked_files_are_not_parsed_but_must_exist() {
        let migrations = [migration("1_a", "DROP INDEX CONCURRENTLY i")];
        let lit = |s: &str| LitStr::new(s, Span::call_site());
        assert!(
            validation_errors_with(
                &migrations,
                vec![Dialect::Postgres],
                vec![lit("1_a/up.sql")]
            )
            .is_empty()
        );
        let errors = validation_errors_with(
            &migrations,
            vec![Dialect::Postgres],
            vec![lit("1_b/up.sql")],
        );
        assert!(
            errors
                .iter()
                .any(|e| e.contains("no file of the directory")),
            "{errors:?}"
        );
        let a = args(quote!(
            "m",
            unchecked = ["1_a/up.sql"],
            databases = [postgres]
        ))
        .unwrap();
        assert_eq!(a.unchecked.len(), 1);
    }

    #[test]
    fn sql_is_checked_for_the_databases_it_is_written_for() {
        let serial = [
            migration("1_a", "CREATE TABLE t (id SERIAL PRIMARY KEY)"),
            migration("2_b", "CREAT TABLE u (id INTEGER)"),
        ];
        let errors = validation_errors(&serial, vec![Dialect::Postgres]);
        let enabled_postgres = crate::dialects::enabled().contains(&Dialect::Postgres);
        assert_eq!(errors.len(), usize::from(enabled_postgres), "{errors:?}");
        if enabled_postgres {
            assert!(
                errors[0].contains("`migrations/2_b/up.sql` does not parse as PostgreSQL"),
                "{errors:?}"
            );
        }
    }
}
