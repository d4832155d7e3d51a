//! `fleet up` and `fleet status`: one migration set over many databases.

use super::Session;
use crate::args::{FleetCommand, FleetStatusArgs, FleetTargetArgs, FleetUpArgs};
use crate::fleet_output::{self, FleetProgress};
use crate::output::Output;
use migrate_core::{DatabaseUrl, Error, Fleet, FleetTarget, MigrationId, Result};
use std::process::ExitCode;
use std::time::Instant;

pub fn run(session: &Session, command: &FleetCommand, out: &mut Output) -> Result<ExitCode> {
    match command {
        FleetCommand::Up(args) => up(session, args, out),
        FleetCommand::Status(args) => status(session, args, out),
    }
}

fn up(session: &Session, args: &FleetUpArgs, out: &mut Output) -> Result<ExitCode> {
    let targets = targets(session, &args.targets)?;
    let mut options = session.run_options(&args.safety);
    options.out_of_order = args.out_of_order;
    let fleet = Fleet::with_registry(session.registry.clone(), targets)
        .jobs(usize::from(args.targets.jobs))
        .canary(args.canary)
        .keep_going(args.keep_going)
        .history_table(session.history())
        .options(options);
    let started = Instant::now();
    let progress = FleetProgress::new(fleet.targets(), args.targets.json, session.args.quiet);
    let report = fleet.up_observed(args.to.map(MigrationId), &progress);
    progress.finish();
    let summary = fleet_output::UpSummary {
        report: &report,
        elapsed: started.elapsed(),
        jobs: args.targets.jobs,
    };
    if args.targets.json {
        out.data(&summary.json().to_string());
    } else {
        summary.print(out, session.args.quiet);
    }
    Ok(ExitCode::from(summary.exit_status()))
}

fn status(session: &Session, args: &FleetStatusArgs, out: &mut Output) -> Result<ExitCode> {
    let targets = targets(session, &args.targets)?;
    let fleet = Fleet::with_registry(session.registry.clone(), targets)
        .jobs(usize::from(args.targets.jobs))
        .history_table(session.history());
    let statuses = fleet.status();
    let summary = fleet_output::StatusSummary {
        statuses: &statuses,
    };
    if args.targets.json {
        out.data(&summary.json().to_string());
    } else {
        summary.print(out);
    }
    Ok(ExitCode::from(summary.exit_status()))
}

/// The databases the options name, in the order given, each once.
fn targets(session: &Session, args: &FleetTargetArgs) -> Result<Vec<FleetTarget>> {
    let given = &session.args.database_url;
    let mut targets = Vec::new();
    let mut sources = Vec::new();
    if args.schemas.is_some() || args.mysql_databases.is_some() {
        // The patterns list tenants on one server: the URL given, else DATABASE_URL.
        if given.len() > 1 {
            return Err(Error::Configuration {
                message: "--schemas and --mysql-databases list the tenants of one server, but --database-url was given more than once".into(),
                hint: "give the server's URL once; list other databases in a file (--url-file)".into(),
            });
        }
        let server = session.url()?;
        if let Some(pattern) = &args.schemas {
            sources.push(format!("schemas matching `{pattern}` in {server}"));
            targets.extend(FleetTarget::postgres_schemas(&server, pattern)?);
        }
        if let Some(pattern) = &args.mysql_databases {
            sources.push(format!("databases matching `{pattern}` on {server}"));
            targets.extend(FleetTarget::mysql_databases(&server, pattern)?);
        }
    } else {
        for url in given {
            sources.push("--database-url".to_owned());
            targets.push(FleetTarget::from_url(url.parse::<DatabaseUrl>()?));
        }
    }
    for file in &args.url_file {
        let text = std::fs::read_to_string(file).map_err(|e| Error::Configuration {
            message: format!("cannot read the URL file `{}`: {e}", file.display()),
            hint: "give a file of database URLs, one per line".into(),
        })?;
        sources.push(format!("`{}`", file.display()));
        targets.extend(FleetTarget::parse_list(&text, &file.display().to_string())?);
    }
    if let Some(pattern) = &args.sqlite_files {
        sources.push(format!("SQLite files matching `{pattern}`"));
        targets.extend(FleetTarget::sqlite_files(pattern)?);
    }
    let mut unique: Vec<FleetTarget> = Vec::with_capacity(targets.len());
    for target in targets {
        if !unique.iter().any(|t| t.url == target.url) {
            unique.push(target);
        }
    }
    if unique.is_empty() {
        return Err(Error::Configuration {
            message: if sources.is_empty() {
                "no databases given to the fleet".to_owned()
            } else {
                format!("no database found: {}", sources.join(", "))
            },
            hint: "name the databases with --database-url (repeated), --url-file FILE, --schemas PATTERN, --mysql-databases PATTERN or --sqlite-files PATTERN".into(),
        });
    }
    Ok(unique)
}
