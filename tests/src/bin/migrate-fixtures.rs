//! The `migrate` command over a fixture set, chosen by `MIGRATE_FIXTURE` (default `basic`), for
//! tests that run the command as a process.

use std::process::ExitCode;

fn main() -> ExitCode {
    let name = std::env::var("MIGRATE_FIXTURE").unwrap_or_else(|_| "basic".to_owned());
    match migrate_tests::fixtures::set_named(&name) {
        Some(set) => migrate_cli::Cli::new(set).run(),
        None => {
            eprintln!("unknown fixture set `{name}`");
            ExitCode::from(2)
        }
    }
}
