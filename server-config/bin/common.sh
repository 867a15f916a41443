# shellcheck shell=bash
# Settings shared by every server-config script. Source it; do not run it.
# Every knob is an environment variable with a default that runs on one machine.
# See server-config/README.md for the full list.

SIPCHARGE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export SIPCHARGE_ROOT

# Where runtime state lives (Payara install and domain, Artemis broker instance, logs, pids).
# Not under target/ so that `mvn clean` never deletes a running server.
: "${SIPCHARGE_RUN_DIR:=$SIPCHARGE_ROOT/.run}"
: "${SIPCHARGE_DOMAIN:=sipcharge}"
# When SIPCHARGE_PORTBASE is set, Payara takes all its ports from it (admin = base+48,
# http = base+80, Hazelcast = base+49/+59); otherwise the usual 4848/8080.
: "${SIPCHARGE_PORTBASE:=}"
if [ -n "$SIPCHARGE_PORTBASE" ]; then
  : "${SIPCHARGE_ADMIN_PORT:=$((SIPCHARGE_PORTBASE + 48))}"
  : "${SIPCHARGE_HTTP_PORT:=$((SIPCHARGE_PORTBASE + 80))}"
else
  : "${SIPCHARGE_ADMIN_PORT:=4848}"
  : "${SIPCHARGE_HTTP_PORT:=8080}"
fi
: "${SIPCHARGE_HOST:=127.0.0.1}"
: "${SIPCHARGE_SIP_PORT:=5060}"
: "${SIPCHARGE_DIAMETER_PORT:=3868}"
: "${SIPCHARGE_ARTEMIS_PORT:=61616}"
: "${SIPCHARGE_BILLING_PORT:=7070}"
# The billing-system simulator behind the terminal-server simulator (which listens on SIPCHARGE_BILLING_PORT).
: "${SIPCHARGE_BILLING_LINE_PORT:=$((SIPCHARGE_BILLING_PORT + 1))}"
: "${SIPCHARGE_TERMINAL_IDLE_SECONDS:=30}"
# Where the Rf client finds its CDF: the CDF of this server by default; another host/port to charge elsewhere.
: "${SIPCHARGE_CTF_CDF_HOST:=$SIPCHARGE_HOST}"
: "${SIPCHARGE_CTF_CDF_PORT:=$SIPCHARGE_DIAMETER_PORT}"
: "${SIPCHARGE_UAS_PORT:=5070}"
# The CDF database: h2 (embedded in the domain, the default) or postgres (server-config/bin/postgres.sh starts a
# private cluster on SIPCHARGE_PG_PORT unless SIPCHARGE_PG_URL points at an operator's database).
: "${SIPCHARGE_DB:=h2}"
: "${SIPCHARGE_PG_PORT:=5432}"
: "${SIPCHARGE_CLUSTER_NAME:=sipcharge-$(hostname)-${SIPCHARGE_ADMIN_PORT}}"
export SIPCHARGE_RUN_DIR SIPCHARGE_DOMAIN SIPCHARGE_PORTBASE SIPCHARGE_ADMIN_PORT SIPCHARGE_HTTP_PORT \
  SIPCHARGE_HOST SIPCHARGE_SIP_PORT SIPCHARGE_DIAMETER_PORT SIPCHARGE_ARTEMIS_PORT SIPCHARGE_BILLING_PORT \
  SIPCHARGE_UAS_PORT SIPCHARGE_CLUSTER_NAME SIPCHARGE_CTF_CDF_HOST SIPCHARGE_CTF_CDF_PORT SIPCHARGE_DB SIPCHARGE_PG_PORT \
  SIPCHARGE_BILLING_LINE_PORT SIPCHARGE_TERMINAL_IDLE_SECONDS

PAYARA_HOME="$SIPCHARGE_RUN_DIR/payara6"
export PAYARA_HOME

# The admin API's password (protected resources: the charging filtering function's rules). Made once per run
# directory with a random value, readable only by its owner; the application reads it at each request.
ADMIN_PASSWORD_FILE="$SIPCHARGE_RUN_DIR/admin-api.password"
ensure_admin_password() {
  [ -s "$ADMIN_PASSWORD_FILE" ] && return 0
  mkdir -p "$SIPCHARGE_RUN_DIR"
  (umask 077; head -c 32 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9' >"$ADMIN_PASSWORD_FILE")
}

log() { printf '%s [sipcharge] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '%s [sipcharge] ERROR: %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# Reads a <property> of the parent POM, so that versions are pinned in one place.
pom_property() {
  sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$SIPCHARGE_ROOT/pom.xml" | head -n 1
}

asadmin() {
  "$PAYARA_HOME/bin/asadmin" --interactive=false --user admin --port "$SIPCHARGE_ADMIN_PORT" "$@"
}

# Polls until a command succeeds or the deadline (seconds) passes.
wait_until() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# Installs Debian packages that are missing (the scripts run as root on a fresh machine).
ensure_packages() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "could not install ${missing[*]}"
}

# Copies an artifact from Maven (the local repository, else Maven Central) into a directory.
maven_fetch() { # groupId:artifactId:version:type[:classifier] outputDir
  mvn -q -N -B -f "$SIPCHARGE_ROOT/pom.xml" dependency:copy -Dartifact="$1" -DoutputDirectory="$2" -Dmdep.useBaseVersion=true \
    || die "could not get $1 from Maven"
}
