#!/usr/bin/env bash
# Fresh Payara Server domain for the Arquillian tests, on a port base no other run on this machine uses.
#
#   payara-domain.sh create  PAYARA_HOME DOMAIN PROPERTIES_FILE
#   payara-domain.sh destroy PAYARA_HOME DOMAIN PROPERTIES_FILE
#
# create: stops and deletes what an earlier run of this checkout left, claims a free port base (every port
#   base+0..base+99 free, and a lock directory that other runs respect), creates the domain with
#   `create-domain --nopassword --portbase`, gives its Hazelcast data grid a cluster name of its own, and writes
#   PROPERTIES_FILE (payara.home, payara.domain, payara.adminPort, ...) that failsafe passes to the tests and
#   that arquillian.xml reads.
# destroy: makes sure no process of the domain remains (the managed container stops the domain it started;
#   this is the safety net for a crashed or interrupted test JVM) and releases the port base. The domain
#   directory stays, so that its logs/server.log can be read after a failure.
set -euo pipefail

cmd=${1:?usage: $0 create|destroy PAYARA_HOME DOMAIN PROPERTIES_FILE}
PAYARA_HOME=${2:?PAYARA_HOME}
DOMAIN=${3:?DOMAIN}
PROPS=${4:?PROPERTIES_FILE}

DOMAIN_DIR="$PAYARA_HOME/glassfish/domains/$DOMAIN"
LOCK_ROOT="${TMPDIR:-/tmp}/sipcharge-payara-portbases"
# Port bases 20000..31900: below the Linux ephemeral range (32768+), so outgoing connections do not take them.
BASE_MIN=200
BASE_COUNT=120
# A lock older than this belongs to a run that died without its post-integration-test.
STALE_LOCK_MINUTES=360

log() { printf '%s [payara-domain] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

asadmin() { "$PAYARA_HOME/bin/asadmin" --interactive=false "$@"; }

domain_pid() { cat "$DOMAIN_DIR/config/pid" 2>/dev/null || true; }

prop() { [ -f "$PROPS" ] && sed -n "s/^$1=//p" "$PROPS" | head -n 1 || true; }

# Stops the domain if it runs; kills it if it does not stop in time.
stop_domain() {
  local pid; pid=$(domain_pid)
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
    return 0
  fi
  log "domain $DOMAIN still running (pid $pid): stopping it"
  asadmin stop-domain --kill=false "$DOMAIN" >/dev/null 2>&1 || true
  local deadline=$(( $(date +%s) + 30 ))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "domain $DOMAIN did not stop: killing pid $pid"
      kill -9 "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.5
  done
}

release_port_base() {
  local lock; lock=$(prop payara.portbaseLock)
  if [ -n "$lock" ] && [ -d "$lock" ] && [ "$(cat "$lock/owner" 2>/dev/null)" = "$PROPS" ]; then
    rm -rf "$lock"
  fi
}

# True when no TCP socket listens on base..base+99 (any address).
ports_free() {
  local base=$1
  ! ss -Htln 2>/dev/null | awk '{print $4}' | sed 's/.*://' \
    | awk -v lo="$base" -v hi="$((base + 99))" '$1 >= lo && $1 <= hi { found = 1 } END { exit !found }'
}

claim_port_base() {
  mkdir -p "$LOCK_ROOT"
  find "$LOCK_ROOT" -mindepth 1 -maxdepth 1 -type d -mmin +"$STALE_LOCK_MINUTES" -exec rm -rf {} + 2>/dev/null || true
  local attempt base lock
  for attempt in $(seq 1 200); do
    base=$(( (BASE_MIN + RANDOM % BASE_COUNT) * 100 ))
    lock="$LOCK_ROOT/$base"
    mkdir "$lock" 2>/dev/null || continue          # another run holds this base
    echo "$PROPS" >"$lock/owner"
    if ports_free "$base"; then
      echo "$base"
      return 0
    fi
    rm -rf "$lock"
  done
  die "no free Payara port base found"
}

create() {
  [ -x "$PAYARA_HOME/bin/asadmin" ] || die "no Payara Server in $PAYARA_HOME (the unpack-payara execution runs first)"
  command -v ss >/dev/null || die "ss (iproute2) is needed to find free ports"

  # Leftovers of an earlier run of this checkout.
  stop_domain
  release_port_base
  rm -f "$PROPS"
  if [ -d "$DOMAIN_DIR" ]; then
    asadmin delete-domain "$DOMAIN" >/dev/null 2>&1 || rm -rf "$DOMAIN_DIR"
  fi

  local base; base=$(claim_port_base)
  local admin_port=$((base + 48)) http_port=$((base + 80))
  local cluster_name; cluster_name="sipcharge-arquillian-$(hostname)-$base-$$"
  local logfile; logfile="$(dirname "$PROPS")/create-domain.log"
  log "creating domain $DOMAIN with --portbase $base (admin $admin_port, http $http_port)"
  local t0; t0=$(date +%s)
  if ! asadmin create-domain --nopassword --portbase "$base" "$DOMAIN" >"$logfile" 2>&1; then
    rm -rf "$LOCK_ROOT/$base"
    cat "$logfile" >&2
    die "create-domain failed (see $logfile)"
  fi

  # Two DAS on one machine must never form one Hazelcast cluster (PLATFORM.md): a cluster name of our own.
  local domain_xml="$DOMAIN_DIR/config/domain.xml"
  grep -q '<hazelcast-runtime-configuration ' "$domain_xml" || die "no hazelcast-runtime-configuration in $domain_xml"
  sed -i "s|<hazelcast-runtime-configuration |<hazelcast-runtime-configuration cluster-group-name=\"$cluster_name\" |" "$domain_xml"

  # The DAS saves an archive uploaded for deployment as $java.io.tmpdir/<archive name> (Payara's REST
  # Util.saveFile): two domains deploying cdf-unit-of-work.war at once overwrite and delete each other's file
  # ("File source doesn't exist"). A temporary directory of the domain's own (server-config only, the first
  # java-config in domain.xml).
  mkdir -p "$DOMAIN_DIR/tmp"
  awk -v opt="<jvm-options>-Djava.io.tmpdir=$DOMAIN_DIR/tmp</jvm-options>" \
    '{ print } !done && /<java-config / { print "        " opt; done = 1 }' "$domain_xml" >"$domain_xml.new"
  mv "$domain_xml.new" "$domain_xml"
  grep -q -- "-Djava.io.tmpdir=$DOMAIN_DIR/tmp" "$domain_xml" || die "could not set java.io.tmpdir in $domain_xml"

  mkdir -p "$(dirname "$PROPS")"
  cat >"$PROPS" <<EOF
payara.home=$PAYARA_HOME
payara.domain=$DOMAIN
payara.portbase=$base
payara.adminPort=$admin_port
payara.httpPort=$http_port
payara.clusterName=$cluster_name
payara.portbaseLock=$LOCK_ROOT/$base
EOF
  log "domain $DOMAIN created in $(( $(date +%s) - t0 )) s; settings in $PROPS"
}

destroy() {
  stop_domain
  # Any JVM still running from this domain (e.g. started by a test JVM that was killed) goes too.
  local pids
  pids=$(pgrep -f -- "-Dcom.sun.aas.instanceRoot=$DOMAIN_DIR( |$)" || true)
  if [ -n "$pids" ]; then
    log "killing leftover processes of domain $DOMAIN: $pids"
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null || true
  fi
  release_port_base
  log "domain $DOMAIN stopped, port base $(prop payara.portbase) released"
}

case "$cmd" in
  create) create ;;
  destroy) destroy ;;
  *) die "unknown command $cmd" ;;
esac
