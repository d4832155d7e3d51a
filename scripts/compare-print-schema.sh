#!/usr/bin/env bash
# Compares `migrate print-schema` with Diesel CLI's `diesel print-schema` on the same databases:
# the shapes of tests/fixtures/print_schema/*.sql and the migrated examples/blog, on PostgreSQL,
# MariaDB/MySQL (MIGRATE_TEST_MYSQL_URL) and SQLite. Acceptance tooling, not part of CI (CI has no Diesel CLI): it needs `diesel` on
# PATH, e.g. `cargo install diesel_cli --version 2.3.14 --no-default-features --features
# postgres,mysql,sqlite-bundled`, and the local PostgreSQL server (MIGRATE_TEST_POSTGRES_URL).
# Exits 0 when every output is identical, 1 on a difference (printed), 2 when it cannot run.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v diesel >/dev/null; then
    echo "diesel (Diesel CLI) is not on PATH: install it to compare (see the top of $0)" >&2
    exit 2
fi
admin=${MIGRATE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
server=${admin%/*}
mysql_server=${MIGRATE_TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306/test}
mysql_server=${mysql_server%/*}
target=${CARGO_TARGET_DIR:-$root/target}
cargo build --quiet --manifest-path "$root/Cargo.toml" -p migrate-tests --bin migrate-fixtures -p blog --bins
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Both tools read this diesel.toml; the filter only matters to Diesel (migrate leaves its own
# history table out by itself).
printf '[print_schema]\nfilter = { except_tables = ["_migrate_history"] }\n' > "$work/diesel.toml"
config=$work  # the directory whose diesel.toml both tools read
status=0
export PGOPTIONS=--client-min-messages=warning

compare() { # name url [migrate's url, for SQLite: sqlite://file]
    local name=$1 url=$2 ours=${3:-$2}
    (cd "$config" && diesel print-schema --database-url "$url") > "$work/$name.diesel.rs"
    (cd "$config" && "$target/debug/migrate-fixtures" --database-url "$ours" print-schema) > "$work/$name.migrate.rs"
    if ! grep -q 'diesel::table!' "$work/$name.diesel.rs"; then
        echo "EMPTY: diesel printed no table for $name" >&2
        status=1
    elif diff -u "$work/$name.diesel.rs" "$work/$name.migrate.rs"; then
        echo "same: $name ($(grep -c 'diesel::table!' "$work/$name.diesel.rs") tables)"
    else
        echo "DIFFERENT: $name (above: - diesel, + migrate)"
        status=1
    fi
}

postgres_db() { # name sql-file-or-empty
    local db="mps_$1_$$"
    psql "$admin" -q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    if [ -n "$2" ]; then psql "$server/$db" -q -v ON_ERROR_STOP=1 -f "$2" >/dev/null; fi
    echo "$server/$db"
}

mysql_db() { # name sql-file-or-empty (through the mariadb client, on 127.0.0.1 as root)
    local db="mps_$1_$$"
    mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"
    if [ -n "$2" ]; then mariadb -h 127.0.0.1 -u root "$db" < "$2"; fi
    echo "$mysql_server/$db"
}

sqlite_db() { # name sql-file-or-empty
    local file="$work/$1.db"
    if [ -n "$2" ]; then python3 -c 'import sqlite3,sys; sqlite3.connect(sys.argv[1]).executescript(open(sys.argv[2]).read())' "$file" "$2"; fi
    echo "$file"
}

url=$(postgres_db fixture "$root/tests/fixtures/print_schema/postgres.sql")
compare postgres-fixture "$url"
psql "$admin" -q -c "DROP DATABASE ${url##*/}" >/dev/null

# A PostgreSQL schema other than `public`, and a filter.
url=$(postgres_db schema "")
psql "$url" -q -v ON_ERROR_STOP=1 -c "CREATE SCHEMA app" \
    -c "CREATE TABLE app.items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)" \
    -c "CREATE TABLE app.item_notes (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES app.items (id))" \
    -c "CREATE TABLE app.audit (id INTEGER PRIMARY KEY)" >/dev/null
mkdir "$work/app"
printf '[print_schema]\nschema = "app"\nfilter = { except_tables = ["audit"] }\n' > "$work/app/diesel.toml"
config=$work/app
compare postgres-schema-app "$url"
config=$work
psql "$admin" -q -c "DROP DATABASE ${url##*/}" >/dev/null

url=$(mysql_db fixture "$root/tests/fixtures/print_schema/mysql.sql")
compare mysql-fixture "$url"
mariadb -h 127.0.0.1 -u root -e "DROP DATABASE ${url##*/}"

file=$(sqlite_db fixture "$root/tests/fixtures/print_schema/sqlite.sql")
compare sqlite-fixture "$file" "sqlite://$file"

# The example, migrated by Diesel then by migrate (adoption and the Rust migration).
url=$(postgres_db blog "")
(cd "$work" && DATABASE_URL=$url "$target/debug/blog-diesel" >/dev/null && DATABASE_URL=$url "$target/debug/blog-migrate" up >/dev/null)
compare postgres-blog "$url"
psql "$admin" -q -c "DROP DATABASE ${url##*/}" >/dev/null

url=$(mysql_db blog "")
(cd "$work" && DATABASE_URL=$url "$target/debug/blog-diesel" >/dev/null && DATABASE_URL=$url "$target/debug/blog-migrate" up >/dev/null)
compare mysql-blog "$url"
mariadb -h 127.0.0.1 -u root -e "DROP DATABASE ${url##*/}"

file=$(sqlite_db blog "")
(cd "$work" && DATABASE_URL=sqlite://$file "$target/debug/blog-diesel" >/dev/null && DATABASE_URL=sqlite://$file "$target/debug/blog-migrate" up >/dev/null)
compare sqlite-blog "$file" "sqlite://$file"

exit $status
