//! The blog's `migrate` command (named `migrate` in a project of its own; `blog-migrate` here so
//! that the workspace's `cargo run --bin migrate` stays the shop's).

fn main() -> std::process::ExitCode {
    migrate_cli::Cli::new(&blog::migrations::MIGRATIONS)
        .default_database_url("sqlite://blog.db")
        .run()
}
