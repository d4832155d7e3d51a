#!/usr/bin/env bash
# Prepares a fresh machine: installs the MySQL/MariaDB and PostgreSQL client libraries Diesel
# links against (SQLite is compiled in) and, with --services, starts the local PostgreSQL and
# MariaDB servers the tests use if they are down. Safe to run again: it only does what is missing.
set -euo pipefail

want_services=false
for arg in "$@"; do
  case "$arg" in
    --services) want_services=true ;;
    *) echo "usage: $0 [--services]" >&2; exit 2 ;;
  esac
done

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: need root to run: $*" >&2; exit 1
  fi
}

missing=()
command -v pkg-config >/dev/null || missing+=(pkg-config)
pkg-config --exists libmariadb 2>/dev/null || pkg-config --exists mysqlclient 2>/dev/null \
  || missing+=(libmariadb-dev libmariadb-dev-compat)
pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

$want_services || exit 0

wait_for() { # name, command...
  local name=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "setup: $name did not come up" >&2
  exit 1
}

postgres_up() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }
if ! postgres_up; then
  [ -d /etc/postgresql ] || { echo "setup: PostgreSQL is not installed; the tests need it at 127.0.0.1:5432 (or set MIGRATE_TEST_POSTGRES_URL)" >&2; exit 1; }
  echo "setup: starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  wait_for PostgreSQL postgres_up
fi

mariadb_up() { mariadb-admin --protocol=tcp -h 127.0.0.1 -P 3306 -u root ping >/dev/null 2>&1; }
if ! mariadb_up; then
  [ -x /usr/sbin/mariadbd ] || { echo "setup: MariaDB is not installed; the tests need it at 127.0.0.1:3306 (or set MIGRATE_TEST_MYSQL_URL)" >&2; exit 1; }
  echo "setup: starting MariaDB"
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_for MariaDB mariadb_up
fi
