#!/usr/bin/env bash
# A private PostgreSQL cluster for sipcharge (Debian's postgresql package): its own data directory, port and
# password, prepared transactions enabled for XA. Used when SIPCHARGE_DB=postgres; the production database of an
# operator is configured instead with SIPCHARGE_PG_URL/USER/PASSWORD_FILE (see server-config/README.md).
#
#   postgres.sh start | stop | status | pid | psql [args] | destroy (stop, then delete the data directory)
set -euo pipefail
. "$(dirname "$0")/common.sh"

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
# PostgreSQL refuses to run as root and its user must reach the data directory: it lives outside the run
# directory (which may sit under a home directory the postgres user cannot enter), named after the run directory and
# the port, and recorded in the run directory.
PG_DATA="${SIPCHARGE_PG_DATA:-/var/tmp/sipcharge-pg-$(printf %s "$SIPCHARGE_RUN_DIR" | md5sum | cut -c1-8)-$SIPCHARGE_PG_PORT}"
PG_LOG="$SIPCHARGE_RUN_DIR/postgres.log"
PW_FILE="$SIPCHARGE_RUN_DIR/postgres.password"

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_pid() { [ -f "$PG_DATA/postmaster.pid" ] && head -n 1 "$PG_DATA/postmaster.pid"; }

running() { local p; p=$(pg_pid) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

start() {
  ensure_packages postgresql
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  mkdir -p "$SIPCHARGE_RUN_DIR"
  if running; then log "PostgreSQL already running (pid $(pg_pid), port $SIPCHARGE_PG_PORT)"; return 0; fi
  if [ ! -s "$PW_FILE" ]; then
    (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$PW_FILE")
  fi
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "creating a PostgreSQL cluster in $PG_DATA (port $SIPCHARGE_PG_PORT)"
    mkdir -p "$PG_DATA"; chmod 700 "$PG_DATA"; echo "$PG_DATA" >"$SIPCHARGE_RUN_DIR/postgres.datadir"
    [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$PG_DATA"
    as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 \
      >"$SIPCHARGE_RUN_DIR/postgres-initdb.log" 2>&1 || die "initdb failed, see $SIPCHARGE_RUN_DIR/postgres-initdb.log"
    # XA (the CDR row and its JMS message commit together) needs prepared transactions; fsync stays on: a CDR
    # answered 2001 must survive a power cut.
    as_postgres tee -a "$PG_DATA/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $SIPCHARGE_PG_PORT
unix_socket_directories = '$PG_DATA'
max_prepared_transactions = 64
# The clustered layout: the DAS and every instance each have a pool of up to 32 connections.
max_connections = 200
fsync = on
synchronous_commit = on
CONF
  fi
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 start >"$PG_LOG" 2>&1 \
    || die "PostgreSQL did not start, see $PG_DATA/server.log"
  local pw; pw=$(cat "$PW_FILE")
  as_postgres "$PG_BIN/psql" -h "$PG_DATA" -p "$SIPCHARGE_PG_PORT" -U postgres -v ON_ERROR_STOP=1 -q postgres >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sipcharge') THEN CREATE ROLE sipcharge LOGIN; END IF;
END \$\$;
ALTER ROLE sipcharge PASSWORD '$pw';
SELECT 'CREATE DATABASE sipcharge OWNER sipcharge' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'sipcharge')\gexec
SQL
  log "PostgreSQL running: pid $(pg_pid), 127.0.0.1:$SIPCHARGE_PG_PORT, database sipcharge, data $PG_DATA"
}

stop() {
  if ! running; then log "PostgreSQL not running"; return 0; fi
  local p; p=$(pg_pid)
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >>"$PG_LOG" 2>&1 || { log "pg_ctl stop failed; stopping pid $p"; kill "$p"; }
  wait_until 30 bash -c "! kill -0 $p" || die "PostgreSQL (pid $p) did not stop"
  log "PostgreSQL stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running pid $(pg_pid) port $SIPCHARGE_PG_PORT data $PG_DATA"; else echo "stopped"; exit 3; fi ;;
  pid) pg_pid ;;
  destroy) stop; rm -rf "$PG_DATA"; log "PostgreSQL data directory $PG_DATA deleted" ;;
  psql) shift; PGPASSWORD=$(cat "$PW_FILE") exec psql -h 127.0.0.1 -p "$SIPCHARGE_PG_PORT" -U sipcharge sipcharge "$@" ;;
  *) echo "usage: $0 start|stop|status|pid|psql [args]|destroy" >&2; exit 2 ;;
esac
