#!/bin/sh
# Throw-away PostgreSQL cluster on 127.0.0.1:PORT, socket directory WORKDIR. Usage: start.sh WORKDIR [PORT]
# Needs package postgresql-15 (tests/install-peers.sh). initdb refuses root: as root the cluster
# is created and run as user 'postgres' (WORKDIR is chowned to it).
# Default: trust authentication (check_pgsql -H 127.0.0.1 -P PORT -l postgres -d postgres).
# EUCA_HBA=1: pg_hba.conf as Eucalyptus writes it (setup_db.groovy): peer on the socket for the
# OS user running this script (Eucalyptus: root), password for everyone else and over TCP; the
# role 'postgres' keeps trust on the socket so the test can build its layout with psql.
# HBA_TCP=hostssl: TCP only over TLS, as Eucalyptus has it (give PG_OPTS='-c ssl=on ...').
set -eu
W=$1; PORT=${2:-15432}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
mkdir -p "$W"; W=$(cd "$W" && pwd)
ME=$(id -un)
RUN=""; if [ "$(id -u)" = 0 ]; then chown postgres "$W"; RUN="runuser -u postgres --"; fi
if [ ! -f "$W/data/PG_VERSION" ]; then
  $RUN "$BIN/initdb" -D "$W/data" -U postgres -A trust --no-sync -E UTF8 > "$W/initdb.log" 2>&1
  if [ "${EUCA_HBA:-}" = 1 ]; then
    printf 'local all postgres trust\nlocal all %s peer\nlocal all all password\n%s all all 127.0.0.1/32 password\n' "$ME" "${HBA_TCP:-host}" > "$W/pg_hba.conf"
    $RUN cp "$W/pg_hba.conf" "$W/data/pg_hba.conf"
  fi
fi
$RUN "$BIN/pg_ctl" -D "$W/data" -l "$W/postgres.log" -w -t 30 \
  -o "-p $PORT -k $W -c listen_addresses=127.0.0.1 -c fsync=off ${PG_OPTS:-}" start > "$W/pg_ctl.out" 2>&1
# pid file: WORKDIR/data/postmaster.pid (first line)
head -1 "$W/data/postmaster.pid" > "$W/postgres.pid"
echo "$PORT" > "$W/port"
