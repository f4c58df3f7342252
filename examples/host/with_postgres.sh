#!/bin/sh
# Run a command with a throw-away local PostgreSQL server (the binaries on PATH or in
# /usr/local/bin: initdb, pg_ctl; installed with apt-get when missing), then stop it.
# The server runs as an unprivileged user (`nobody` when started as root), in a
# temporary data directory, listening on a unix socket only; HOST_POSTGRES_DSN points
# at it. Usage: with_postgres.sh COMMAND [ARGS...]
set -eu
PATH="$PATH:/usr/local/bin:$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tr '\n' ':')"
if ! command -v initdb >/dev/null 2>&1; then
    # A fresh Debian or Ubuntu machine: install the server (as root, or with sudo).
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq postgresql >/dev/null
    PATH="$PATH:$(ls -d /usr/lib/postgresql/*/bin | tr '\n' ':')"
fi
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
