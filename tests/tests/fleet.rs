//! `migrate fleet`: one migration set over many tenants (PostgreSQL schemas, MySQL databases,
//! SQLite files) or a list of URLs; a failing tenant, canaries, the failure policy, overlapping
//! runs, `fleet status`, and the library's `Fleet`.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

use diesel::Connection;
use diesel::connection::SimpleConnection;
use migrate_core::{
    AnyConnection, DatabaseResult, DatabaseUrl, Dialect, ErrorKind, Fleet, FleetTarget,
};
use migrate_tests::fixtures::fleet;
use migrate_tests::{TestDb, test_each_dialect};
use serde_json::Value;
use std::process::{Command, Output, Stdio};

/// How many tenants each test makes.
const TENANTS: usize = 4;

/// `TENANTS` tenants of one test, on `db`'s server, plus a decoy the patterns must not match;
/// dropped at the end.
struct Tenants<'d> {
    db: &'d TestDb,
    /// The option and pattern that name the tenants (with `--database-url` where needed).
    pattern_args: Vec<String>,
    /// Each tenant's URL, for single-database commands.
    urls: Vec<String>,
    /// The decoy's URL.
    decoy: String,
    /// MySQL databases to drop.
    databases: Vec<String>,
}

impl<'d> Tenants<'d> {
    fn new(db: &'d TestDb) -> Tenants<'d> {
        let names: Vec<String> = (1..=TENANTS).map(|i| format!("tenant_{i}")).collect();
        match db.dialect() {
            Dialect::Postgres => {
                // A name that needs quoting, beside plain ones.
                let mut sql = String::from("CREATE SCHEMA other_1;");
                for name in &names {
                    sql.push_str(&format!("CREATE SCHEMA {name};"));
                }
                db.execute(&sql);
                let schema_url =
                    |schema: &str| format!("{}?options=-csearch_path%3D{schema}", db.url());
                Tenants {
                    db,
                    pattern_args: vec![
                        "--database-url".into(),
                        db.url().into(),
                        "--schemas".into(),
                        "tenant_*".into(),
                    ],
                    urls: names.iter().map(|n| schema_url(n)).collect(),
                    decoy: schema_url("other_1"),
                    databases: Vec::new(),
                }
            }
            Dialect::Mysql => {
                let prefix = db.name().to_owned();
                let databases: Vec<String> = names
                    .iter()
                    .map(|n| format!("{prefix}_{n}"))
                    .chain([format!("{prefix}_other_1")])
                    .collect();
                for database in &databases {
                    db.execute(&format!(
                        "CREATE DATABASE {database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                    ));
                }
                let base = db.url().rsplit_once('/').unwrap().0.to_owned();
                let mut urls: Vec<String> =
                    databases.iter().map(|d| format!("{base}/{d}")).collect();
                let decoy = urls.pop().unwrap();
                Tenants {
                    db,
                    pattern_args: vec![
                        "--database-url".into(),
                        db.url().into(),
                        "--mysql-databases".into(),
                        format!("{prefix}_tenant_*"),
                    ],
                    urls,
                    decoy,
                    databases,
                }
            }
            Dialect::Sqlite => {
                let path = db.url().trim_start_matches("sqlite://").to_owned();
                let dir = std::path::Path::new(&path).parent().unwrap().to_owned();
                // The pattern lists files that exist: empty files are new databases to SQLite.
                let mut urls = Vec::new();
                for name in &names {
                    let file = dir.join(format!("{name}.db"));
                    std::fs::write(&file, b"").unwrap();
                    urls.push(format!("sqlite://{}", file.display()));
                }
                std::fs::write(dir.join("other_1.db"), b"").unwrap();
                Tenants {
                    db,
                    pattern_args: vec![
                        "--sqlite-files".into(),
                        format!("{}/tenant_*.db", dir.display()),
                    ],
                    urls,
                    decoy: format!("sqlite://{}", dir.join("other_1.db").display()),
                    databases: Vec::new(),
                }
            }
        }
    }

    /// Runs `sql` in tenant `i` (1-based).
    fn execute(&self, i: usize, sql: &str) {
        let url: DatabaseUrl = self.urls[i - 1].parse().unwrap();
        AnyConnection::establish(&url)
            .unwrap()
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// `migrate fleet <args>` over the tenants' pattern.
    fn fleet(&self, args: &[&str]) -> Output {
        let (command, rest) = args.split_first().unwrap();
        fixture()
            .args(["fleet", command])
            .args(&self.pattern_args)
            .args(rest)
            .output()
            .unwrap()
    }

    /// The state of each migration of one database, from the single-database `status --json`.
    fn states(&self, url: &str) -> Vec<String> {
        let output = fixture()
            .args(["--database-url", url, "status", "--json"])
            .output()
            .unwrap();
        let rows: Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", stderr(&output)));
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| r["state"].as_str().unwrap().to_owned())
            .collect()
    }
}

impl Drop for Tenants<'_> {
    fn drop(&mut self) {
        for database in &self.databases {
            let url: DatabaseUrl = self.db.url().parse().unwrap();
            if let Ok(mut conn) = AnyConnection::establish(&url) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {database}"));
            }
        }
    }
}

fn fixture() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_migrate-fixtures"));
    cmd.env("MIGRATE_FIXTURE", "fleet")
        .env_remove("DATABASE_URL");
    cmd
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            stderr(output)
        )
    })
}

/// Each database's `result` in a `fleet up --json`, in order.
fn results(report: &Value) -> Vec<String> {
    report["databases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["result"].as_str().unwrap().to_owned())
        .collect()
}

/// The ids each database's run applied.
fn applied_ids(report: &Value) -> Vec<Vec<u64>> {
    report["databases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            d["applied"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].as_u64().unwrap())
                .collect()
        })
        .collect()
}

/// An account without email: migration 3's NOT NULL refuses it.
const NO_EMAIL: &str = "INSERT INTO accounts (id, name, email) VALUES ('6f1c2a8e-0000-4000-8000-00000000000e', 'Åsa', NULL)";

test_each_dialect! {
    fn a_failing_tenant_leaves_the_others_migrated_and_a_rerun_finishes_only_it(db: &TestDb) {
        let tenants = Tenants::new(db);
        let output = tenants.fleet(&["up", "--to", "2", "--json"]);
        assert!(output.status.success(), "{}", stderr(&output));
        let report = json(&output);
        assert_eq!(results(&report), ["applied"; TENANTS]);
        let names: Vec<&str> = report["databases"].as_array().unwrap().iter()
            .map(|d| d["name"].as_str().unwrap()).collect();
        assert!(names.iter().all(|n| n.contains("tenant_")), "{names:?}");
        assert!(!serde_json::to_string(&report).unwrap().contains("other_1"), "the decoy is not a tenant");

        tenants.execute(3, NO_EMAIL);
        let output = tenants.fleet(&["up", "--keep-going", "--jobs", "3", "--json"]);
        assert_eq!(output.status.code(), Some(9), "the data check's status: {}", stderr(&output));
        let report = json(&output);
        assert_eq!(results(&report), ["applied", "applied", "failed", "applied"]);
        assert_eq!(applied_ids(&report), [vec![3], vec![3], vec![], vec![3]]);
        let failed = &report["databases"][2];
        assert_eq!(failed["error"]["exit_status"], 9);
        assert!(failed["error"]["message"].as_str().unwrap().contains("email"), "{failed}");
        assert_eq!(report["exit_status"], 9);
        assert_eq!(report["summary"]["failed"], 1);
        // The failed tenant is as a single run leaves it: migration 3 changed nothing.
        assert_eq!(tenants.states(&tenants.urls[2]), ["applied", "applied", "pending"]);
        assert_eq!(tenants.states(&tenants.urls[0]), ["applied", "applied", "applied"]);
        assert_eq!(tenants.states(&tenants.decoy), ["pending", "pending", "pending"]);

        tenants.execute(3, "UPDATE accounts SET email = 'asa@example.com' WHERE email IS NULL");
        let output = tenants.fleet(&["up", "--json"]);
        assert!(output.status.success(), "{}", stderr(&output));
        let report = json(&output);
        assert_eq!(results(&report), ["up_to_date", "up_to_date", "applied", "up_to_date"]);
        assert_eq!(applied_ids(&report)[2], [3]);
    }
}

test_each_dialect! {
    fn by_default_a_failure_stops_new_starts_and_canaries_stop_even_keep_going(db: &TestDb) {
        let tenants = Tenants::new(db);
        assert!(tenants.fleet(&["up", "--to", "2"]).status.success());
        tenants.execute(1, NO_EMAIL);
        // One job: tenant 1 fails first, and no other starts.
        let output = tenants.fleet(&["up", "--jobs", "1", "--json"]);
        assert_eq!(output.status.code(), Some(9), "{}", stderr(&output));
        let report = json(&output);
        assert_eq!(results(&report), ["failed", "not_started", "not_started", "not_started"]);
        assert_eq!(report["summary"]["not_started"], 3);
        assert_eq!(tenants.states(&tenants.urls[1]), ["applied", "applied", "pending"]);
        // A failed canary stops the rest, whatever --keep-going says.
        let output = tenants.fleet(&["up", "--canary", "2", "--keep-going", "--jobs", "4", "--json"]);
        assert_eq!(output.status.code(), Some(9));
        let report = json(&output);
        assert_eq!(results(&report), ["failed", "applied", "not_started", "not_started"]);
        // Canaries that pass let the rest go on, the failure policy applying after them.
        tenants.execute(1, "UPDATE accounts SET email = 'a@example.com' WHERE email IS NULL");
        tenants.execute(4, NO_EMAIL);
        tenants.execute(3, "DELETE FROM accounts");
        let output = tenants.fleet(&["up", "--canary", "1", "--keep-going", "--json"]);
        assert_eq!(output.status.code(), Some(9));
        let report = json(&output);
        assert_eq!(results(&report), ["applied", "up_to_date", "applied", "failed"]);
    }
}

test_each_dialect! {
    fn the_table_and_fleet_status_show_where_each_database_is(db: &TestDb) {
        let tenants = Tenants::new(db);
        // Tenants at different migrations, moved by single-database runs.
        for (i, to) in [(1, "1"), (2, "3"), (3, "2")] {
            let output = fixture()
                .args(["--database-url", &tenants.urls[i - 1], "up", "--to", to])
                .output()
                .unwrap();
            assert!(output.status.success(), "{}", stderr(&output));
        }
        let output = tenants.fleet(&["status", "--json"]);
        assert!(output.status.success(), "{}", stderr(&output));
        let rows = json(&output);
        let at: Vec<Option<u64>> = rows.as_array().unwrap().iter()
            .map(|r| r["at"]["id"].as_u64()).collect();
        assert_eq!(at, [Some(1), Some(3), Some(2), None]);
        let pending: Vec<u64> = rows.as_array().unwrap().iter()
            .map(|r| r["pending"].as_u64().unwrap()).collect();
        assert_eq!(pending, [2, 0, 1, 3]);
        let output = tenants.fleet(&["status"]);
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            text.contains("4 database(s): 1 at 3 require_email, 1 at 2 create_notes, 1 at 1 create_accounts, 1 with nothing applied"),
            "{text}"
        );
        // The summary table of `up`: one row per database and the totals.
        let output = tenants.fleet(&["up"]);
        assert!(output.status.success(), "{}", stderr(&output));
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(text.contains("applied 2 (2–3)"), "{text}");
        assert!(text.contains("up to date"), "{text}");
        assert!(text.contains("applied 3 (1–3)"), "{text}");
        assert!(text.contains("4 database(s) in"), "{text}");
        assert!(text.contains("3 applied, 1 up to date, 0 failed"), "{text}");
        let rows = json(&tenants.fleet(&["status", "--json"]));
        assert!(rows.as_array().unwrap().iter().all(|r| r["at"]["id"] == 3 && r["pending"] == 0));
        // An applied migration whose recorded checksum differs needs attention: status 6, named.
        tenants.execute(2, "UPDATE _migrate_history SET checksum = 'edited' WHERE id = 1");
        let output = tenants.fleet(&["status", "--json"]);
        assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
        let rows = json(&output);
        assert_eq!(rows[1]["attention"][0]["state"], "changed", "{rows}");
        assert_eq!(rows[0]["attention"], serde_json::json!([]));
        let text = String::from_utf8_lossy(&tenants.fleet(&["status"]).stdout).into_owned();
        assert!(text.contains("1 changed"), "{text}");
    }
}

test_each_dialect! {
    fn urls_from_the_command_line_and_a_file_add_up_each_once(db: &TestDb) {
        let tenants = Tenants::new(db);
        let file = std::env::temp_dir().join(format!("{}-urls.txt", db.name()));
        std::fs::write(
            &file,
            format!("# the last two tenants\n{}\n\n  {}  \n{}\n", tenants.urls[2], tenants.urls[3], tenants.urls[0]),
        )
        .unwrap();
        let output = fixture()
            .args(["fleet", "up", "--json", "--database-url", &tenants.urls[0]])
            .args(["--database-url", &tenants.urls[1], "--url-file"])
            .arg(&file)
            .output()
            .unwrap();
        std::fs::remove_file(&file).unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let report = json(&output);
        assert_eq!(results(&report), ["applied"; TENANTS], "the repeated URL runs once");
        for url in &tenants.urls {
            assert_eq!(tenants.states(url), ["applied"; 3]);
        }
    }
}

test_each_dialect! {
    fn overlapping_fleet_and_single_runs_apply_each_migration_once(db: &TestDb) {
        let tenants = Tenants::new(db);
        // Each database has its own lock: no run waits for another database's, and none of
        // them applies a migration another applied. `--lock-timeout 30` lets a run wait for
        // the lock of the same database held by a concurrent one.
        let mut runs: Vec<_> = (0..2)
            .map(|_| {
                let mut command = fixture();
                command.args(["fleet", "up", "--jobs", "4", "--lock-timeout", "30"]);
                command.args(&tenants.pattern_args);
                command.stdout(Stdio::null()).stderr(Stdio::null());
                command.spawn().unwrap()
            })
            .collect();
        runs.push(
            fixture()
                .args(["--database-url", &tenants.urls[1], "up"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        for mut run in runs {
            assert!(run.wait().unwrap().success());
        }
        for url in &tenants.urls {
            assert_eq!(tenants.states(url), ["applied"; 3]);
        }
        tenants.execute(2, "INSERT INTO notes (account_id, seq, body) VALUES ('x', 1, 'ok')");
    }
}

test_each_dialect! {
    fn the_library_applies_a_fleet_and_reports_each_database(db: &TestDb) {
        let tenants = Tenants::new(db);
        let targets: Vec<FleetTarget> = tenants
            .urls
            .iter()
            .map(|u| FleetTarget::from_url(u.parse().unwrap()))
            .collect();
        let report = Fleet::new(&fleet::SET, targets.clone()).unwrap().jobs(2).up(Some(migrate_core::MigrationId(2)));
        assert!(report.outcomes.iter().all(|o| o.applied().len() == 2));
        tenants.execute(2, NO_EMAIL);
        let report = Fleet::new(&fleet::SET, targets).unwrap().jobs(3).keep_going(true).up(None);
        assert!(matches!(report.outcomes[1].result, DatabaseResult::Failed { .. }));
        assert_eq!(report.failed().count(), 1);
        assert_eq!(report.outcomes[3].applied().len(), 1);
        let err = report.into_result().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Data);
        assert!(err.to_string().contains("1 of 4 database(s) failed"), "{err}");
    }
}

/// Tenants found by pattern on a server: the pattern's `_` is itself (not SQL's any character),
/// names that need quoting work, and the discovered targets are the ones the library finds.
#[test]
fn patterns_find_exactly_the_tenants() {
    let db = TestDb::new(Dialect::Postgres);
    db.execute("CREATE SCHEMA \"Tenant A\"; CREATE SCHEMA \"Tenant B\"; CREATE SCHEMA tenantx; CREATE SCHEMA \"Tenant_C\"");
    let url = db.database_url();
    let names: Vec<String> = FleetTarget::postgres_schemas(&url, "Tenant ?")
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["Tenant A", "Tenant B"]);
    let report = Fleet::new(
        &fleet::SET,
        FleetTarget::postgres_schemas(&url, "Tenant *").unwrap(),
    )
    .unwrap()
    .jobs(2)
    .up(None);
    assert!(report.outcomes.iter().all(|o| o.applied().len() == 3));
    let mut conn = diesel::PgConnection::establish(db.url()).unwrap();
    conn.batch_execute(
        "SELECT 1 FROM \"Tenant A\".accounts; SELECT 1 FROM \"Tenant B\"._migrate_history",
    )
    .unwrap();
    assert!(
        conn.batch_execute("SELECT 1 FROM tenantx.accounts")
            .is_err()
    );
    let err = FleetTarget::mysql_databases(&url, "*").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config);
}

/// PostgreSQL's advisory locks are per database: each tenant schema's lock is keyed by its schema
/// too, while the `public` schema keeps the key earlier versions take.
#[test]
fn tenant_schemas_of_one_database_each_have_their_own_lock() {
    let db = TestDb::new(Dialect::Postgres);
    let tenants = Tenants::new(&db);
    let mut holder = diesel::PgConnection::establish(db.url()).unwrap();
    let key = migrate_sql::Checksum::of(b"_migrate_history").0 & 0x7fff_ffff;
    holder
        .batch_execute(&format!("SELECT pg_advisory_lock({}, {key})", 0x6d69_6772))
        .unwrap();
    let output = fixture()
        .args(["--database-url", db.url(), "--lock-timeout", "0", "up"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(8),
        "the public schema's lock is held: {}",
        stderr(&output)
    );
    let output = tenants.fleet(&["up", "--jobs", "4", "--lock-timeout", "0", "--json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(results(&json(&output)), ["applied"; TENANTS]);
}

#[test]
fn bad_fleet_input_says_what_to_do() {
    let db = TestDb::new(Dialect::Postgres);
    let run = |args: &[&str]| fixture().args(args).output().unwrap();
    let output = run(&["fleet", "up"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("no databases given"),
        "{}",
        stderr(&output)
    );
    let output = run(&[
        "fleet",
        "up",
        "--database-url",
        db.url(),
        "--schemas",
        "nothing_*",
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("no database found: schemas matching `nothing_*`"),
        "{}",
        stderr(&output)
    );
    let output = run(&[
        "fleet",
        "up",
        "--database-url",
        db.url(),
        "--mysql-databases",
        "t_*",
    ]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("need a mysql:// URL"),
        "{}",
        stderr(&output)
    );
    let output = run(&["--database-url", db.url(), "--database-url", db.url(), "up"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("only `migrate fleet`"),
        "{}",
        stderr(&output)
    );
    let file = std::env::temp_dir().join(format!("{}-bad.txt", db.name()));
    std::fs::write(&file, "# ok\nsqlite://a.db\npostgres://u:Secr3t9@h\n").unwrap();
    let output = fixture()
        .args(["fleet", "status", "--url-file"])
        .arg(&file)
        .output()
        .unwrap();
    std::fs::remove_file(&file).unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("line 3"), "{}", stderr(&output));
    assert!(!stderr(&output).contains("Secr3t9"), "{}", stderr(&output));
    let output = run(&["fleet", "up", "--url-file", "/no/such/file"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("cannot read the URL file"),
        "{}",
        stderr(&output)
    );
    let output = run(&["fleet", "up", "--sqlite-files", "/no/such/dir/*.db"]);
    assert_eq!(output.status.code(), Some(3));
    let output = run(&["fleet", "up", "--sqlite-files", "x.db", "--jobs", "0"]);
    assert_eq!(output.status.code(), Some(2));
}

/// A database the fleet cannot reach fails alone, with the connection's status.
#[test]
fn an_unreachable_database_fails_alone() {
    let db = TestDb::new(Dialect::Sqlite);
    let output = fixture()
        .args(["fleet", "up", "--keep-going", "--json"])
        .args(["--database-url", "postgres://postgres@127.0.0.1:1/nowhere"])
        .args(["--database-url", db.url()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(results(&report), ["failed", "applied"]);
    assert_eq!(report["databases"][0]["error"]["exit_status"], 4);
}

/// SIGINT stops the fleet as it stops `up`: the running database at its next safe point, no new
/// one started, status 130; the same command then finishes the rest.
#[test]
fn an_interrupted_fleet_starts_no_new_database_and_the_rerun_finishes() {
    let db = TestDb::new(Dialect::Sqlite);
    let dir = std::path::Path::new(db.url().trim_start_matches("sqlite://"))
        .parent()
        .unwrap()
        .to_owned();
    // Enough tenants that one job is still at work when the signal comes (about 10 ms each).
    for i in 1..=1000 {
        std::fs::write(dir.join(format!("t_{i:04}.db")), b"").unwrap();
    }
    let pattern = format!("{}/t_*.db", dir.display());
    let run = |jobs: &str| {
        let mut command = fixture();
        command
            .args([
                "fleet",
                "up",
                "--json",
                "--jobs",
                jobs,
                "--sqlite-files",
                &pattern,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    };
    let child = run("1").spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let signal = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signal.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(report["summary"]["interrupted"], true);
    let not_started = report["summary"]["not_started"].as_u64().unwrap();
    assert!(not_started > 0, "{report}");
    let output = run("8").output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let report = json(&output);
    let results = results(&report);
    assert!(
        results.iter().all(|r| r == "applied" || r == "up_to_date"),
        "{results:?}"
    );
    assert!(
        results.iter().filter(|r| *r == "applied").count() as u64 >= not_started,
        "{results:?}"
    );
}
