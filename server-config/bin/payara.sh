#!/usr/bin/env bash
# Payara Server lifecycle for sipcharge: install | create | start | stop | status | deploy EAR | undeploy | asadmin ARGS
# Payara comes from Maven Central (fish.payara.distributions:payara), unpacked under $SIPCHARGE_RUN_DIR.
set -euo pipefail
. "$(dirname "$0")/common.sh"

domain_dir() { echo "$PAYARA_HOME/glassfish/domains/$SIPCHARGE_DOMAIN"; }
domain_pid() { cat "$(domain_dir)/config/pid" 2>/dev/null || true; }

install_payara() {
  [ -x "$PAYARA_HOME/bin/asadmin" ] && return 0
  local v; v=$(pom_property payara.version)
  log "unpacking Payara Server $v into $PAYARA_HOME"
  mkdir -p "$SIPCHARGE_RUN_DIR/dist"
  maven_fetch "fish.payara.distributions:payara:$v:zip" "$SIPCHARGE_RUN_DIR/dist"
  (cd "$SIPCHARGE_RUN_DIR" && unzip -q -o "dist/payara-$v.zip")
  rm -f "$SIPCHARGE_RUN_DIR/dist/payara-$v.zip"
}

# The admin port written in an existing domain's domain.xml (first admin-listener with a literal port).
domain_admin_port() {
  grep -o '<network-listener protocol="admin-listener" port="[0-9]*"' "$(domain_dir)/config/domain.xml" 2>/dev/null \
    | head -n 1 | sed 's/.*port="\([0-9]*\)"/\1/'
}

create_domain() {
  install_payara
  if [ -d "$(domain_dir)" ]; then
    local existing; existing=$(domain_admin_port)
    if [ -n "$existing" ] && [ "$existing" != "$SIPCHARGE_ADMIN_PORT" ]; then
      die "domain $SIPCHARGE_DOMAIN in $(domain_dir) was created with admin port $existing, but this run wants $SIPCHARGE_ADMIN_PORT (SIPCHARGE_PORTBASE/SIPCHARGE_ADMIN_PORT changed): use the same ports, another SIPCHARGE_RUN_DIR, or delete that domain directory"
    fi
    return 0
  fi
  log "creating domain $SIPCHARGE_DOMAIN (admin port $SIPCHARGE_ADMIN_PORT, http port $SIPCHARGE_HTTP_PORT)"
  local ports
  if [ -n "$SIPCHARGE_PORTBASE" ]; then
    ports=(--portbase "$SIPCHARGE_PORTBASE")
  else
    ports=(--adminport "$SIPCHARGE_ADMIN_PORT" --instanceport "$SIPCHARGE_HTTP_PORT")
  fi
  "$PAYARA_HOME/bin/asadmin" --interactive=false create-domain --nopassword "${ports[@]}" "$SIPCHARGE_DOMAIN" >"$SIPCHARGE_RUN_DIR/create-domain.log" 2>&1 \
    || die "create-domain failed, see $SIPCHARGE_RUN_DIR/create-domain.log"
}

# The PostgreSQL JDBC driver goes into the domain's lib directory (read at start), only when PostgreSQL is used.
ensure_database_driver() {
  [ "$SIPCHARGE_DB" = postgres ] || return 0
  local version; version=$(pom_property postgresql.version)
  [ -f "$(domain_dir)/lib/postgresql-$version.jar" ] && return 0
  log "adding the PostgreSQL JDBC driver $version to the domain"
  maven_fetch "org.postgresql:postgresql:$version:jar" "$(domain_dir)/lib"
}

start_domain() {
  create_domain
  ensure_database_driver
  if [ -n "$(domain_pid)" ] && kill -0 "$(domain_pid)" 2>/dev/null; then log "domain already running (pid $(domain_pid))"; return 0; fi
  log "starting domain $SIPCHARGE_DOMAIN"
  "$PAYARA_HOME/bin/asadmin" start-domain "$SIPCHARGE_DOMAIN" >"$SIPCHARGE_RUN_DIR/start-domain.log" 2>&1 \
    || die "start-domain failed, see $SIPCHARGE_RUN_DIR/start-domain.log and $(domain_dir)/logs/server.log"
  wait_until 60 asadmin uptime || die "admin port $SIPCHARGE_ADMIN_PORT did not answer"
}

stop_domain() {
  local pid; pid=$(domain_pid)
  [ -n "$pid" ] || { log "domain not running"; return 0; }
  log "stopping domain $SIPCHARGE_DOMAIN (pid $pid)"
  "$PAYARA_HOME/bin/asadmin" stop-domain --kill=false "$SIPCHARGE_DOMAIN" >/dev/null 2>&1 || true
  if kill -0 "$pid" 2>/dev/null; then
    wait_until 20 bash -c "! kill -0 $pid" || { log "domain did not stop, killing pid $pid"; kill -9 "$pid" 2>/dev/null || true; }
  fi
}

case "${1:-}" in
  install) install_payara ;;
  create) create_domain ;;
  start) start_domain ;;
  stop) stop_domain ;;
  pid) domain_pid ;;
  status) pid=$(domain_pid); if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "running (pid $pid)"; else echo "stopped"; exit 3; fi ;;
  asadmin) shift; asadmin "$@" ;;
  *) echo "usage: $0 install|create|start|stop|status|pid|asadmin ARGS" >&2; exit 2 ;;
esac
