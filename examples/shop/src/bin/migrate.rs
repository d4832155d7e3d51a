//! The shop's `migrate` command: `cargo run --bin migrate -- --help`.

fn main() -> std::process::ExitCode {
    migrate_cli::Cli::new(&shop::migrations::MIGRATIONS)
        .default_database_url("sqlite://shop.db")
        .run()
}
