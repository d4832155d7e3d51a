#!/usr/bin/env bash
# What the compile-time checks cost a crate of 100 migrations: a clean build of the crate (its
# dependencies already built) and the rebuild after editing one migration file.
#
#   scripts/bench-compile-time.sh [REPO_DIR] [WORK_DIR] [files|one-file]
#
# `files` (the default) puts each migration in its own file; `one-file` puts all 100 in one file,
# as inline modules, which is the worst case for checks that read the migration's source file.
# REPO_DIR is the checkout whose migrate-core the generated crate uses (default: this one); run it
# once per checkout to compare two versions of the macros. The crate gets REPO_DIR's Cargo.lock,
# so with a shared CARGO_TARGET_DIR its dependencies are the ones already built.
set -euo pipefail

repo=$(cd "${1:-$(dirname "$0")/..}" && pwd)
work=${2:-$(mktemp -d)}
layout=${3:-files}
crate=$work/hundred_migrations
rm -rf "$crate"
mkdir -p "$crate/src/migrations"
cp "$repo/Cargo.lock" "$crate/Cargo.lock"
cat >"$crate/Cargo.toml" <<TOML
[package]
name = "hundred_migrations"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
migrate-core = { path = "$repo/migrate-core", features = ["postgres", "mysql", "sqlite"] }

[workspace]
TOML

# Each migration is what a real one holds: portable literals (one of them multi-line), a `sql!`
# per database, a branch on the dialect, a helper function and a down function.
mods=""
for i in $(seq 1 100); do
  n=$(printf '%03d' "$i")
  mods+="pub mod m$n;"$'\n'
  cat >"$crate/src/migrations/m$n.rs" <<RS
use migrate_core::prelude::*;

/// Migration $n: a table, an index and a column.
#[migration(id = $i, down = revert_$n)]
fn up_$n(m: &mut Migration) -> Result<()> {
    m.execute(
        r#"CREATE TABLE t$n (
            id INTEGER PRIMARY KEY,
            name VARCHAR(100) NOT NULL,
            created_at TIMESTAMP NOT NULL,
            amount DECIMAL(10, 2)
        )"#,
    )?;
    m.execute("CREATE INDEX t${n}_name_idx ON t$n (name)")?;
    m.execute(sql! {
        postgres: "ALTER TABLE t$n ADD COLUMN note TEXT",
        mysql: "ALTER TABLE t$n ADD COLUMN note TEXT",
        sqlite: "ALTER TABLE t$n ADD COLUMN note TEXT",
    })?;
    if m.dialect() == Dialect::Postgres {
        m.execute("CREATE INDEX t${n}_lower_idx ON t$n (lower(name))")?;
    }
    seed_$n(m)?;
    Ok(())
}

fn seed_$n(m: &mut Migration) -> Result<()> {
    m.execute("INSERT INTO t$n (id, name, created_at) VALUES (1, 'first', CURRENT_TIMESTAMP)")?;
    m.execute("UPDATE t$n SET amount = 0 WHERE amount IS NULL")?;
    Ok(())
}

fn revert_$n(m: &mut Migration) -> Result<()> {
    m.execute("DROP TABLE t$n")?;
    Ok(())
}
RS
done
if [ "$layout" = one-file ]; then
  for f in "$crate"/src/migrations/m[0-9]*.rs; do
    printf 'pub mod %s {\n%s\n}\n' "$(basename "$f" .rs)" "$(cat "$f")"
  done >"$crate/src/migrations/mod.rs"
  rm "$crate"/src/migrations/m[0-9]*.rs
  edited=src/migrations/mod.rs
else
  printf '%s' "$mods" >"$crate/src/migrations/mod.rs"
  edited=src/migrations/m050.rs
fi
cat >"$crate/src/main.rs" <<'RS'
mod migrations;

migrate_core::migration_set! {
    /// The 100 migrations.
    pub static MIGRATIONS;
}

fn main() {
    let set: &migrate_core::MigrationSet = &MIGRATIONS;
    println!("{}", set.registry().is_ok());
}
RS

cd "$crate"
cargo build --quiet # the dependencies, not measured; fails loudly if a migration does not compile
seconds() { { /usr/bin/time -f %e cargo build --quiet >/dev/null; } 2>&1 | tail -1; }
clean="" one=""
for _ in 1 2 3 4 5; do
  cargo clean --quiet -p hundred_migrations
  clean="$clean $(seconds)"
  touch "$edited"
  one="$one $(seconds)"
done
echo "repo=$repo layout=$layout clean build (s):$clean; after editing one file (s):$one"
