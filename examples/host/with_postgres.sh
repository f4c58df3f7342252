#!/bin/sh
# Run a command with a throw-away local PostgreSQL server (the binaries on PATH or in
# /usr/local/bin: initdb, pg_ctl), then stop it. The server runs as an unprivileged user
# (`nobody` when started as root), in a temporary data directory, listening on a unix
# socket only; HOST_POSTGRES_DSN points at it. Usage: with_postgres.sh COMMAND [ARGS...]
set -eu
PATH="$PATH:/usr/local/bin:/usr/lib/postgresql/15/bin"
DATA=$(mktemp -d /tmp/host-postgres.XXXXXX)
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}
[ "$(id -u)" = 0 ] && chown nobody "$DATA"
stop() {
    as_owner pg_ctl -D "$DATA/db" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$DATA"
}
trap stop EXIT INT TERM
as_owner initdb -D "$DATA/db" -U postgres -A trust --no-sync >"$DATA/initdb.log"
as_owner pg_ctl -D "$DATA/db" -l "$DATA/server.log" -w \
    -o "-c listen_addresses= -k $DATA -c fsync=off -c max_connections=50" start >/dev/null
HOST_POSTGRES_DSN="host=$DATA user=postgres dbname=postgres"
export HOST_POSTGRES_DSN
"$@"
