#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL cluster: Debian's PostgreSQL (installed when absent and root),
# a fresh cluster in a temp dir listening on 127.0.0.1 only, a free port, trust auth. The command sees
# PROMPTUNE_TEST_PG_URL; the cluster is stopped and deleted however the command ends.
#   bash scripts/with-postgres.sh npx vitest run src/store
# Also a role promptune_auth (password "promptune-auth") that must use its password, for the auth-failure test.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: bash scripts/with-postgres.sh <command…>" >&2
  exit 2
fi

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin="$(find_bin)"
if [ -z "$bin" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "promptune: PostgreSQL not found under /usr/lib/postgresql/*/bin" >&2
    echo "  run: sudo apt-get install -y postgresql   (or: bash scripts/setup.sh as root)" >&2
    exit 3
  fi
  echo "promptune: apt-get install postgresql" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  bin="$(find_bin)"
fi

# PostgreSQL refuses to run as root: the cluster belongs to the postgres user then.
dir="$(mktemp -d "${TMPDIR:-/tmp}/promptune-pg.XXXXXX")"
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd "$dir" && runuser -u postgres -- "$@"); else (cd "$dir" && "$@"); fi
}
[ "$(id -u)" -ne 0 ] || chown postgres "$dir"

cleanup() {
  as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

as_pg "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null
# Durability is pointless for a throw-away cluster; turning it off makes schema set-up several times faster.
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 60
CONF
{
  echo "host all promptune_auth 127.0.0.1/32 scram-sha-256"
  echo "host all all 127.0.0.1/32 trust"
  echo "local all all trust"
} >"$dir/data/pg_hba.conf"

# Another process may take the free port before the server binds it: try a few.
started=0
for _ in 1 2 3 4 5; do
  port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
  if as_pg "$bin/pg_ctl" -D "$dir/data" -o "-p $port" -l "$dir/server.log" -w -t 30 start >/dev/null; then
    started=1
    break
  fi
done
if [ "$started" -ne 1 ]; then
  echo "promptune: the test PostgreSQL did not start; its log:" >&2
  cat "$dir/server.log" >&2 || true
  exit 1
fi
as_pg "$bin/psql" -h "$dir" -p "$port" -U postgres -d postgres -qAt \
  -c "CREATE ROLE promptune_auth LOGIN PASSWORD 'promptune-auth'" >/dev/null

export PROMPTUNE_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
"$@"
