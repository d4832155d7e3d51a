#!/usr/bin/env bash
# `migrate fleet up` against a shell loop of `migrate up` over the same kind of tenants (issue 24):
# N tenants per database, each new, taking the shop's migrations 1–10 (its tables are created by
# migrations 1–3, so they are small: empty). Each run makes two sets of N new tenants, times the
# loop on one and the fleet on the other (the order alternates between runs), checks that every
# tenant of both ended at migration 10, and prints the times and their ratio.
#
#   scripts/bench-fleet.sh [N] [JOBS] [RUNS] [DATABASES]
#
# Defaults: N=200, JOBS=16, RUNS=2, DATABASES="postgres mariadb sqlite". Tenants are PostgreSQL
# schemas of one database (`fleet_bench`), MariaDB databases (`fbench_<pid>_*`) and SQLite files (in a
# temporary directory); all are dropped at the end. PROFILE=debug uses the debug build (default:
# release). The servers are those of the tests: PostgreSQL at 127.0.0.1:5432 as `postgres`,
# MariaDB at 127.0.0.1:3306 as `root` (FLEET_BENCH_POSTGRES / FLEET_BENCH_MYSQL: other URLs
# without a database, e.g. postgres://postgres@db:5432).
set -euo pipefail

n=${1:-200}
jobs=${2:-16}
runs=${3:-2}
databases=${4:-postgres mariadb sqlite}
repo=$(cd "$(dirname "$0")/.." && pwd)
profile=${PROFILE:-release}
pg=${FLEET_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}
my=${FLEET_BENCH_MYSQL:-mysql://root@127.0.0.1:3306}
work=$(mktemp -d)
trap 'cleanup' EXIT

if [ "$profile" = release ]; then
  cargo build --release --locked -p shop --manifest-path "$repo/Cargo.toml" >&2
else
  cargo build --locked -p shop --manifest-path "$repo/Cargo.toml" >&2
fi
bin=${CARGO_TARGET_DIR:-$repo/target}/$profile/migrate

now() { date +%s.%N; }
psql_do() { psql "$pg/$1" -qAt -v ON_ERROR_STOP=1 -c "$2"; }
mysql_do() {
  # The client takes the URL's parts as options.
  local rest=${my#mysql://} user host port
  user=${rest%%@*}; host=${rest#*@}; port=${host##*:}; host=${host%%:*}
  mariadb -h "$host" -P "$port" -u "$user" -N -e "$1"
}

cleanup() {
  for db in $databases; do
    case $db in
      postgres) psql_do postgres "DROP DATABASE IF EXISTS fleet_bench WITH (FORCE)" >/dev/null 2>&1 || true ;;
      mariadb) drop_mariadb >/dev/null 2>&1 || true ;;
    esac
  done
  rm -rf "$work"
}

# The databases of this invocation (fbench_<pid>_...), one by one: a DROP that fails (MariaDB
# 10.11 can leave a `<table>.TRG-` file behind after many concurrent trigger changes, which
# DROP DATABASE refuses to remove) does not stop the others.
drop_mariadb() {
  local d
  for d in $(mysql_do "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'fbench\\_$$\\_%'"); do
    mysql_do "DROP DATABASE \`$d\`" || echo "could not drop MariaDB database $d" >&2
  done
}

# setup DATABASE: new tenants; writes $work/loop.urls (set l) and sets fleet_args (set f).
setup() {
  : >"$work/loop.urls"
  case $1 in
    postgres)
      psql_do postgres "DROP DATABASE IF EXISTS fleet_bench WITH (FORCE)"
      psql_do postgres "CREATE DATABASE fleet_bench"
      psql_do fleet_bench "DO \$\$ BEGIN FOR i IN 1..$n LOOP EXECUTE format('CREATE SCHEMA l_%s; CREATE SCHEMA f_%s', i, i); END LOOP; END \$\$"
      for i in $(seq 1 "$n"); do echo "$pg/fleet_bench?options=-csearch_path%3Dl_$i"; done >"$work/loop.urls"
      fleet_args=(--database-url "$pg/fleet_bench" --schemas 'f_*')
      ;;
    mariadb)
      drop_mariadb
      local sql="" prefix="fbench_$$_r${run}"
      for i in $(seq 1 "$n"); do sql+="CREATE DATABASE ${prefix}_l_$i; CREATE DATABASE ${prefix}_f_$i;"; done
      mysql_do "$sql"
      for i in $(seq 1 "$n"); do echo "$my/${prefix}_l_$i"; done >"$work/loop.urls"
      fleet_args=(--database-url "$my/mysql" --mysql-databases "${prefix}_f_*")
      ;;
    sqlite)
      rm -rf "$work/sqlite"
      mkdir -p "$work/sqlite"
      for i in $(seq 1 "$n"); do
        : >"$work/sqlite/l_$i.db"
        : >"$work/sqlite/f_$i.db"
        echo "sqlite://$work/sqlite/l_$i.db"
      done >"$work/loop.urls"
      fleet_args=(--sqlite-files "$work/sqlite/f_*.db")
      ;;
  esac
}

time_loop() {
  local start url
  start=$(now)
  while read -r url; do
    "$bin" --database-url "$url" up >/dev/null
  done <"$work/loop.urls"
  awk "BEGIN { print $(now) - $start }"
}

time_fleet() {
  local start
  start=$(now)
  "$bin" fleet up "${fleet_args[@]}" --jobs "$jobs" >/dev/null
  awk "BEGIN { print $(now) - $start }"
}

# check ARGS...: every tenant the fleet options name is at migration 10.
check() {
  local at10
  at10=$("$bin" fleet status "$@" --json | python3 -c 'import json,sys; print(sum(1 for d in json.load(sys.stdin) if (d["at"] or {}).get("id") == 10))')
  if [ "$at10" != "$n" ]; then
    echo "only $at10 of $n tenants are at migration 10 ($*)" >&2
    exit 1
  fi
}

printf '%-9s %3s %8s %8s %7s\n' database run loop_s fleet_s ratio >"$work/results.txt"
for db in $databases; do
  for run in $(seq 1 "$runs"); do
    setup "$db"
    if [ $((run % 2)) -eq 1 ]; then
      loop_s=$(time_loop); fleet_s=$(time_fleet)
    else
      fleet_s=$(time_fleet); loop_s=$(time_loop)
    fi
    check --url-file "$work/loop.urls"
    check "${fleet_args[@]}"
    ratio=$(awk "BEGIN { printf \"%.1f\", $loop_s / $fleet_s }")
    printf '%-9s %3s %8.1f %8.1f %6sx\n' "$db" "$run" "$loop_s" "$fleet_s" "$ratio" | tee -a "$work/results.txt" >&2
  done
done
echo "$n tenants per database, fleet --jobs $jobs, $profile build, $(nproc) cores"
cat "$work/results.txt"
