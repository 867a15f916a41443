#!/usr/bin/env bash
# The clustered layout of sipcharge on one machine: a Payara deployment group of N instances behind Kamailio.
#   cluster.sh create              deployment group, instances, per-instance properties, resource and RA references
#                                  (the domain must run and be configured: payara.sh start; resources.sh)
#   cluster.sh deploy [--schema]   deploy the EAR to the deployment group (--schema: through the DAS, which creates
#                                  or updates the tables in the shared database; automatic the first time)
#   cluster.sh start               start every instance (in parallel), wait until each is ready, start Kamailio
#   cluster.sh up                  create + deploy + start + wait ready + Kamailio (what sipcharge.sh --cluster runs)
#   cluster.sh stop                stop Kamailio and every instance (by PID when asadmin cannot)
#   cluster.sh status              one line per instance and for Kamailio; exit 3 when something is down
#   cluster.sh instances           name sip-port http-port cdf-port hazelcast-port, one instance a line
#   cluster.sh pid NAME            PID of an instance (empty when it does not run)
#   cluster.sh kill-instance NAME  kill -9 that instance (a crash, for failover tests); prints the PID and the time
#   cluster.sh start-instance NAME start one instance and wait until its application is ready
#   cluster.sh stop-instance NAME  stop one instance cleanly
#   cluster.sh partition NAME      cut that instance off the other members' Hazelcast traffic (a network partition of
#                                  the grid; SIP, Diameter, JMS and the database still flow): nftables rules on this host
#   cluster.sh heal                remove the partition's rules (Hazelcast then merges the two sides)
#   cluster.sh lb-start|lb-stop|lb-status   Kamailio only
# Every knob is an environment variable; see server-config/README.md ("Clustered layout").
set -euo pipefail
. "$(dirname "$0")/common.sh"

: "${SIPCHARGE_INSTANCES:=3}"
: "${SIPCHARGE_DEPLOYMENT_GROUP:=sipcharge-dg}"
: "${SIPCHARGE_INSTANCE_PREFIX:=sipcharge-i}"
if [ -n "$SIPCHARGE_PORTBASE" ]; then
  : "${SIPCHARGE_INSTANCE_PORTBASE:=$((SIPCHARGE_PORTBASE + 1000))}"
else
  : "${SIPCHARGE_INSTANCE_PORTBASE:=24000}"
fi
# Space-separated lists, one value per instance; empty: derived (portbase + 100 per instance, SIP/CDF port + i).
: "${SIPCHARGE_INSTANCE_PORTBASES:=}"
: "${SIPCHARGE_INSTANCE_SIP_PORTS:=}"
: "${SIPCHARGE_INSTANCE_CDF_PORTS:=}"
# Source address of each instance's billing link (empty: the system's choice); on one machine, loopback addresses
# such as "127.0.0.11 127.0.0.12 127.0.0.13" tell the instances apart at the terminal server.
: "${SIPCHARGE_INSTANCE_BILLING_SOURCES:=}"
# Maximum heap of each instance (-Xmx, e.g. 2g); empty: what Payara's default-config gives a new instance (512m).
# Every held call keeps its SIP dialogs on one instance and its grid entries (with backups) on the others.
: "${SIPCHARGE_INSTANCE_HEAP:=}"
# own: each instance's Rf client charges the CDF of its own instance (secondary: the next instance's CDF);
# first: every Rf client charges the CDF of instance 1 (secondary: instance 2).
: "${SIPCHARGE_CLUSTER_CTF_CDF:=own}"
# Hazelcast: host-aware partitioning puts every member of one host in one partition group, and then no backup
# can exist; on one machine it must be off.
: "${SIPCHARGE_HZ_HOST_AWARE:=false}"
# Hazelcast failure detection (empty: Hazelcast's defaults, 5 s heartbeats and 60 s before a silent member is removed).
: "${SIPCHARGE_HZ_HEARTBEAT_SECONDS:=1}"
: "${SIPCHARGE_HZ_MAX_NO_HEARTBEAT_SECONDS:=3}"
# How long a write waits for its synchronous backup's acknowledgement (hazelcast.operation.backup.timeout.millis,
# Hazelcast's default 5000). A write whose backup was on a member that just died waits this long; a claimed INTERIM
# record number is then not sent but retried (RF-038), so this bounds its lateness after a kill -9 (100,000-call run
# of 2026-12-06: 5.9 s with the default). Keep it above the CTF's sipcharge.grid.slow-claim-ms (1000): a write that
# cannot reach its backup must still come back slower than that, which is how a member cut off from the others
# knows not to send.
: "${SIPCHARGE_HZ_BACKUP_TIMEOUT_MS:=1500}"
# Split-brain healing: how soon after a partition heals the two sides look for each other and merge
# (hazelcast.merge.first.run.delay.seconds / .next.run.delay.seconds; Hazelcast's defaults are 300 s and 120 s).
: "${SIPCHARGE_HZ_MERGE_DELAY_SECONDS:=10}"
: "${SIPCHARGE_INSTANCE_START_TIMEOUT:=300}"
# With SIPCHARGE_DB=postgres the instances share the PostgreSQL database instead (this setting is then not used).
# shared: every instance and the DAS use one H2 database in the run directory (AUTO_SERVER: the first JVM that
# opens it serves it to the others over TCP; when that JVM dies another one takes over). The first deploy goes to
# the DAS once, so that Flyway (SchemaMigrations) brings the shared schema up before the instances start together,
# and the CDFs of all instances then see every accounting session. per-instance: each instance keeps its own H2 file as a single server
# does (no schema is created on the instances: not usable today, kept for PostgreSQL work).
: "${SIPCHARGE_CLUSTER_DB:=shared}"
# Kamailio
: "${SIPCHARGE_LB_HOST:=$SIPCHARGE_HOST}"
: "${SIPCHARGE_LB_PORT:=$SIPCHARGE_SIP_PORT}"
: "${SIPCHARGE_LB_ALGORITHM:=0}"
: "${SIPCHARGE_LB_PING_INTERVAL:=1}"
: "${SIPCHARGE_LB_FR_TIMER_MS:=1000}"
# Unanswered probes in a row before an instance is taken out (dispatcher's ds_probing_threshold). 1 notices a dead
# instance fastest (about ping interval + fr_timer); on a saturated host probes answered late then take out live
# instances too, all at once, so load benchmarks raise it.
: "${SIPCHARGE_LB_PROBING_THRESHOLD:=1}"
: "${SIPCHARGE_LB_INVITE_FR_TIMER_MS:=4000}"
# An in-dialog request (BYE, re-INVITE's ACK...) retried on another instance after the first one failed: that instance
# waits for the grid to give up the dead member (SIPCHARGE_HZ_MAX_NO_HEARTBEAT_SECONDS) and promote its backups.
: "${SIPCHARGE_LB_DIALOG_RETRY_FR_TIMER_MS:=10000}"
: "${SIPCHARGE_LB_CHILDREN:=4}"

EAR="$SIPCHARGE_ROOT/ear/target/sipcharge.ear"
CLUSTER_DIR="$SIPCHARGE_RUN_DIR/cluster"
LB_DIR="$SIPCHARGE_RUN_DIR/kamailio"
NODE="localhost-$SIPCHARGE_DOMAIN"
NODE_DIR="$PAYARA_HOME/glassfish/nodes/$NODE"

# ------------------------------------------------------------------ the instances and their ports

instance_names() { local i; for ((i = 1; i <= SIPCHARGE_INSTANCES; i++)); do echo "$SIPCHARGE_INSTANCE_PREFIX$i"; done; }
# nth_of "list" i default: the i-th word of a list (1-based), or the default when the list is empty.
nth_of() {
  local list=$1 i=$2 dflt=$3
  if [ -z "$list" ]; then echo "$dflt"; return; fi
  local words; read -r -a words <<<"$list"
  [ "${#words[@]}" -ge "$i" ] || die "list '$list' has fewer than $i values (SIPCHARGE_INSTANCES=$SIPCHARGE_INSTANCES)"
  echo "${words[$((i - 1))]}"
}
index_of() { # NAME -> i
  local n=${1#"$SIPCHARGE_INSTANCE_PREFIX"}
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le "$SIPCHARGE_INSTANCES" ] || die "no instance named $1 (instances: $(instance_names | xargs))"
  echo "$n"
}
portbase_of() { nth_of "$SIPCHARGE_INSTANCE_PORTBASES" "$1" $((SIPCHARGE_INSTANCE_PORTBASE + 100 * ($1 - 1))); }
http_port_of() { echo $(($(portbase_of "$1") + 80)); }
admin_port_of() { echo $(($(portbase_of "$1") + 48)); }
hz_port_of() { echo $(($(portbase_of "$1") + 90)); }
sip_port_of() { nth_of "$SIPCHARGE_INSTANCE_SIP_PORTS" "$1" $((SIPCHARGE_SIP_PORT + $1)); }
cdf_port_of() { nth_of "$SIPCHARGE_INSTANCE_CDF_PORTS" "$1" $((SIPCHARGE_DIAMETER_PORT + $1)); }
status_url_of() { echo "http://$SIPCHARGE_HOST:$(http_port_of "$1")/sipcharge/api/status"; }

instance_pid() { # NAME
  local f="$NODE_DIR/$1/config/pid" pid
  pid=$(cat "$f" 2>/dev/null || true)
  # Only a live process whose command line names this instance's directory counts (a stale file after kill -9 does not).
  if [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- "$NODE_DIR/$1"; then echo "$pid"; fi
}

port_busy() { (exec 3<>"/dev/tcp/$SIPCHARGE_HOST/$1") 2>/dev/null; }
udp_busy() { ss -Hlun "sport = :$1" 2>/dev/null | grep -q .; }

instance_ready() { # i
  [ "$(curl -fsS -m 3 -H 'Accept: text/plain' "$(status_url_of "$1")" 2>/dev/null | sed -n 's/^ready=//p')" = true ]
}

# ------------------------------------------------------------------ create

asadmin_quiet() { local out; out=$(asadmin "$@" 2>&1) || { printf '%s\n' "$out" >&2; return 1; }; }
listed() { local out; out=$(asadmin "$1" 2>/dev/null || true); awk '{print $1}' <<<"$out" | grep -qxF -- "$2"; }

configure_grid() {
  # The heartbeat properties are read by Hazelcast when a member starts: set them on the DAS (its member restarts with
  # the dynamic set-hazelcast-configuration below) and on every instance.
  local props=()
  [ -n "$SIPCHARGE_HZ_HEARTBEAT_SECONDS" ] && props+=("hazelcast.heartbeat.interval.seconds=$SIPCHARGE_HZ_HEARTBEAT_SECONDS")
  [ -n "$SIPCHARGE_HZ_MAX_NO_HEARTBEAT_SECONDS" ] && props+=("hazelcast.max.no.heartbeat.seconds=$SIPCHARGE_HZ_MAX_NO_HEARTBEAT_SECONDS")
  [ -n "$SIPCHARGE_HZ_BACKUP_TIMEOUT_MS" ] && props+=("hazelcast.operation.backup.timeout.millis=$SIPCHARGE_HZ_BACKUP_TIMEOUT_MS")
  [ -n "$SIPCHARGE_HZ_MERGE_DELAY_SECONDS" ] && props+=("hazelcast.merge.first.run.delay.seconds=$SIPCHARGE_HZ_MERGE_DELAY_SECONDS" \
    "hazelcast.merge.next.run.delay.seconds=$SIPCHARGE_HZ_MERGE_DELAY_SECONDS")
  GRID_PROPS=("${props[@]}")
  if [ ${#props[@]} -gt 0 ]; then
    asadmin_quiet create-system-properties --target server "$(IFS=:; echo "${props[*]}")"
  fi
  log "Hazelcast: cluster name $SIPCHARGE_CLUSTER_NAME, host-aware partitioning $SIPCHARGE_HZ_HOST_AWARE, heartbeat ${SIPCHARGE_HZ_HEARTBEAT_SECONDS:-default} s, member removed after ${SIPCHARGE_HZ_MAX_NO_HEARTBEAT_SECONDS:-default} s silent, backup acknowledgements awaited ${SIPCHARGE_HZ_BACKUP_TIMEOUT_MS:-default} ms"
  asadmin_quiet set-hazelcast-configuration --clusterName "$SIPCHARGE_CLUSTER_NAME" \
    --hostawarePartitioning "$SIPCHARGE_HZ_HOST_AWARE" --dynamic=true
  # The DAS stays a Hazelcast data member. Payara's DAS cannot start as a lite member when it is the only member
  # (seen 2026-12-05: NoDataMemberInClusterException during start-up, then "Shutdown requested"), and the DAS always
  # starts before its instances. So it owns a share of the calls, accounting sessions and timers without running the
  # application: the instances fire the timers of its partitions (orphaned-partition sharing in
  # HazelcastAccountingSessionStore), and it does not count towards the SIP tier's majority (das-member-port).
  # Earlier versions set --lite true here (dynamically, so it only took effect at the DAS's next start, which then
  # failed): such a setting is undone without touching the running member.
  local lite; lite=$(asadmin get configs.config.server-config.hazelcast-config-specific-configuration.lite 2>/dev/null \
    | sed -n 's/.*\.lite=//p')
  if [ "$lite" = true ]; then
    log "Hazelcast: the DAS was configured as a lite member, which would keep it from starting again: undone"
    asadmin_quiet set-hazelcast-configuration --target server --lite false --dynamic=false
  fi
}

check_free() { # what port
  port_busy "$2" && die "$1 port $2 is in use by another process: choose other ports (see server-config/README.md, Clustered layout)"
  return 0
}

create_cluster() {
  [ -x "$PAYARA_HOME/bin/asadmin" ] || die "Payara is not installed at $PAYARA_HOME (run payara.sh start first)"
  asadmin uptime >/dev/null 2>&1 || die "the domain does not answer on admin port $SIPCHARGE_ADMIN_PORT (run payara.sh start; resources.sh first)"
  mkdir -p "$CLUSTER_DIR"
  configure_grid
  configure_database
  listed list-deployment-groups "$SIPCHARGE_DEPLOYMENT_GROUP" || asadmin_quiet create-deployment-group "$SIPCHARGE_DEPLOYMENT_GROUP"

  local i name n=$SIPCHARGE_INSTANCES
  for ((i = 1; i <= n; i++)); do
    name="$SIPCHARGE_INSTANCE_PREFIX$i"
    if ! listed list-instances "$name"; then
      local base; base=$(portbase_of "$i")
      for off in 9 37 38 39 48 66 76 80 81 86 90; do check_free "instance $name (portbase $base)" $((base + off)); done
      check_free "SIP of $name" "$(sip_port_of "$i")"; udp_busy "$(sip_port_of "$i")" && die "UDP port $(sip_port_of "$i") (SIP of $name) is in use"
      check_free "CDF of $name" "$(cdf_port_of "$i")"
      log "creating instance $name (portbase $base: admin $((base + 48)), HTTP $((base + 80)); SIP $(sip_port_of "$i"), CDF $(cdf_port_of "$i"), Hazelcast $(hz_port_of "$i"))"
      asadmin_quiet create-instance --node "$NODE" --deploymentgroup "$SIPCHARGE_DEPLOYMENT_GROUP" --portbase "$base" \
        --checkports=true "$name"
    fi
    instance_properties "$i" "$name"
    instance_heap "$name"
  done

  # Resources live in the domain; each target that uses one needs a reference to it.
  local r
  for r in jdbc/sipcharge jms/sipcharge/ConnectionFactory jms/sipcharge/CdrQueue jms/sipcharge/CdrDeadLetterQueue; do
    resource_ref_exists "$r" || asadmin_quiet create-resource-ref --target "$SIPCHARGE_DEPLOYMENT_GROUP" "$r"
  done
  # The Artemis resource adapter (deployed to the DAS by jms-resources.sh) must run on the instances too.
  app_ref_exists artemis-ra || asadmin_quiet create-application-ref --target "$SIPCHARGE_DEPLOYMENT_GROUP" artemis-ra
  instance_names >"$CLUSTER_DIR/instances"
  log "deployment group $SIPCHARGE_DEPLOYMENT_GROUP: $(instance_names | xargs)"
}

configure_database() {
  local url
  mkdir -p "$CLUSTER_DIR/database"
  if [ "$SIPCHARGE_DB" = postgres ]; then
    # The pool already points at PostgreSQL (resources.sh): every instance shares that database as it is. The schema
    # is still created by one deploy to the DAS first (deploy_ear). The JDBC driver sits in the domain's lib
    # directory, which the DAS synchronises to the instances when they start.
    log "CDF database for the cluster: PostgreSQL, the pool's database, shared by every instance"
    return 0
  fi
  case "$SIPCHARGE_CLUSTER_DB" in
    shared) mkdir -p "$CLUSTER_DIR/database"; url="jdbc:h2:$CLUSTER_DIR/database/sipcharge;AUTO_SERVER=TRUE;WRITE_DELAY=0" ;;
    per-instance) url='jdbc:h2:${com.sun.aas.instanceRoot}/lib/databases/sipcharge;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0' ;;
    *) die "SIPCHARGE_CLUSTER_DB must be shared or per-instance, not $SIPCHARGE_CLUSTER_DB" ;;
  esac
  local current; current=$(asadmin get resources.jdbc-connection-pool.SipchargePool.property.url 2>/dev/null | sed -n 's/^[^=]*url=//p')
  if [ "$current" != "$url" ]; then
    log "CDF database for the cluster ($SIPCHARGE_CLUSTER_DB): $url"
    asadmin_quiet set "resources.jdbc-connection-pool.SipchargePool.property.url=$url"
  fi
}

resource_ref_exists() { local out; out=$(asadmin list-resource-refs "$SIPCHARGE_DEPLOYMENT_GROUP" 2>/dev/null || true); grep -qxF -- "$1" <<<"$out"; }
app_ref_exists() { local out; out=$(asadmin list-application-refs "$SIPCHARGE_DEPLOYMENT_GROUP" 2>/dev/null || true); grep -qxF -- "$1" <<<"$out"; }

# Per-instance system properties: its own SIP and CDF ports, its own Diameter identities and CDR id prefix,
# its own Hazelcast port, and the settings every instance shares (what resources.sh gives the single server).
instance_properties() { # i name
  local i=$1 name=$2 next=$(( $1 % SIPCHARGE_INSTANCES + 1 ))
  local primary secondary
  case "$SIPCHARGE_CLUSTER_CTF_CDF" in
    own) primary=$(cdf_port_of "$i"); secondary=$(cdf_port_of "$next") ;;
    first) primary=$(cdf_port_of 1); secondary=$(cdf_port_of 2) ;;
    *) die "SIPCHARGE_CLUSTER_CTF_CDF must be own or first, not $SIPCHARGE_CLUSTER_CTF_CDF" ;;
  esac
  ensure_admin_password
  local das_hz; das_hz=$(das_hz_port); das_hz=${das_hz:-0}
  local props=(
    "HZ_LISTENER_PORT=$(hz_port_of "$i")"
    "sipcharge.sip.host=$SIPCHARGE_HOST"
    "sipcharge.sip.port=$(sip_port_of "$i")"
    "sipcharge.b2bua.next-hop=$SIPCHARGE_HOST\\:$SIPCHARGE_UAS_PORT"
    "sipcharge.b2bua.outbound-proxy=$SIPCHARGE_LB_HOST\\:$SIPCHARGE_LB_PORT"
    "sipcharge.cdf.listen-host=$SIPCHARGE_HOST"
    "sipcharge.cdf.listen-port=$(cdf_port_of "$i")"
    "sipcharge.cdf.node-id=cdf$i"
    "sipcharge.cdf.origin-host=cdf$i.sipcharge.local"
    "sipcharge.ctf.origin-host=ctf$i.sipcharge.local"
    "sipcharge.ctf.cdf-host=$SIPCHARGE_HOST"
    "sipcharge.ctf.cdf-port=$primary"
    "sipcharge.billing.host=$SIPCHARGE_HOST"
    "sipcharge.billing.port=$SIPCHARGE_BILLING_PORT"
    "sipcharge.cdr-files.directory=$SIPCHARGE_RUN_DIR/cdr-files"
    "sipcharge.admin.password-file=$ADMIN_PASSWORD_FILE"
    "sipcharge.grid.expected-members=$SIPCHARGE_INSTANCES"
    "sipcharge.grid.das-member-port=$das_hz"
    "${GRID_PROPS[@]}"
  )
  local source; source=$(nth_of "$SIPCHARGE_INSTANCE_BILLING_SOURCES" "$i" "")
  [ -z "$source" ] || props+=("sipcharge.billing.local-address=$source")
  if [ "$SIPCHARGE_INSTANCES" -gt 1 ]; then
    props+=("sipcharge.ctf.cdf-secondary-host=$SIPCHARGE_HOST" "sipcharge.ctf.cdf-secondary-port=$secondary")
  fi
  if [ -n "${SIPCHARGE_EXTRA_PROPERTIES:-}" ]; then
    local extra; read -r -a extra <<<"$SIPCHARGE_EXTRA_PROPERTIES"
    props+=("${extra[@]}")
  fi
  asadmin_quiet create-system-properties --target "$name" "$(IFS=:; echo "${props[*]}")"
}

# The instance's own configuration (NAME-config, copied from default-config by create-instance) gets -Xmx.
instance_heap() { # name
  [ -n "$SIPCHARGE_INSTANCE_HEAP" ] || return 0
  [[ "$SIPCHARGE_INSTANCE_HEAP" =~ ^[0-9]+[mMgG]$ ]] || die "SIPCHARGE_INSTANCE_HEAP must look like 512m or 2g, not $SIPCHARGE_INSTANCE_HEAP"
  local target="$1-config" old
  old=$(asadmin list-jvm-options --target "$target" 2>/dev/null | grep -o -- '^-Xmx[0-9]*[mMgGkK]' || true)
  [ "$old" = "-Xmx$SIPCHARGE_INSTANCE_HEAP" ] && return 0
  [ -z "$old" ] || asadmin_quiet delete-jvm-options --target "$target" -- "$old"
  asadmin_quiet create-jvm-options --target "$target" -- "-Xmx$SIPCHARGE_INSTANCE_HEAP"
  log "instance $1: heap -Xmx$SIPCHARGE_INSTANCE_HEAP (was ${old:-unset})"
}

# ------------------------------------------------------------------ deploy, start, stop

deploy_ear() { # [--schema]
  [ -f "$EAR" ] || die "$EAR is missing: build first (mvn -B -ntp -DskipTests package)"
  local marker="$CLUSTER_DIR/database/schema-created"
  if { [ "$SIPCHARGE_CLUSTER_DB" = shared ] || [ "$SIPCHARGE_DB" = postgres ]; } && { [ ! -f "$marker" ] || [ "${1:-}" = --schema ]; }; then
    # Flyway migrates the schema when the application starts. Instances starting together on an empty shared
    # database would race to create it, so the first deploy goes to the DAS once (one migration), then the
    # application moves to the deployment group. The DAS briefly runs the application on the domain's own ports.
    log "creating the CDF schema in the shared database: deploying $EAR to the DAS once"
    asadmin deploy --force=true --target server --name sipcharge "$EAR" >"$SIPCHARGE_RUN_DIR/deploy-cluster.log" 2>&1 \
      || die "schema deploy to the DAS failed, see $SIPCHARGE_RUN_DIR/deploy-cluster.log and the domain's server.log"
    app_ref_exists sipcharge || asadmin_quiet create-application-ref --target "$SIPCHARGE_DEPLOYMENT_GROUP" sipcharge
    asadmin_quiet delete-application-ref --target server sipcharge
    touch "$marker"
    log "EAR deployed to deployment group $SIPCHARGE_DEPLOYMENT_GROUP"
    return 0
  fi
  log "deploying $EAR to deployment group $SIPCHARGE_DEPLOYMENT_GROUP"
  asadmin deploy --force=true --target "$SIPCHARGE_DEPLOYMENT_GROUP" --name sipcharge "$EAR" >"$SIPCHARGE_RUN_DIR/deploy-cluster.log" 2>&1 \
    || die "deploy to $SIPCHARGE_DEPLOYMENT_GROUP failed, see $SIPCHARGE_RUN_DIR/deploy-cluster.log and the instances' server.log"
}

wait_instance_ready() { # i
  local name="$SIPCHARGE_INSTANCE_PREFIX$1"
  wait_until "$SIPCHARGE_INSTANCE_START_TIMEOUT" instance_ready "$1" \
    || die "instance $name did not become ready at $(status_url_of "$1") within ${SIPCHARGE_INSTANCE_START_TIMEOUT} s, see $NODE_DIR/$name/logs/server.log"
}

start_instances() {
  local t0; t0=$(date +%s)
  log "starting deployment group $SIPCHARGE_DEPLOYMENT_GROUP ($SIPCHARGE_INSTANCES instances, in parallel)"
  asadmin start-deployment-group "$SIPCHARGE_DEPLOYMENT_GROUP" >"$SIPCHARGE_RUN_DIR/start-deployment-group.log" 2>&1 \
    || die "start-deployment-group failed, see $SIPCHARGE_RUN_DIR/start-deployment-group.log"
  log "instances started in $(( $(date +%s) - t0 )) s"
}

wait_all_ready() {
  local t0 i; t0=$(date +%s)
  for ((i = 1; i <= SIPCHARGE_INSTANCES; i++)); do wait_instance_ready "$i"; done
  log "every instance ready (waited $(( $(date +%s) - t0 )) s)"
}

start_instance() { # NAME
  local i; i=$(index_of "$1")
  if [ -n "$(instance_pid "$1")" ]; then log "instance $1 already running (pid $(instance_pid "$1"))"; else
    log "starting instance $1"
    asadmin start-instance "$1" >"$CLUSTER_DIR/start-$1.log" 2>&1 || die "start-instance $1 failed, see $CLUSTER_DIR/start-$1.log"
  fi
  wait_instance_ready "$i"
  log "instance $1 ready (pid $(instance_pid "$1"))"
}

stop_instance() { # NAME
  local pid; pid=$(instance_pid "$1")
  [ -n "$pid" ] || { log "instance $1 not running"; return 0; }
  log "stopping instance $1 (pid $pid)"
  asadmin stop-instance "$1" >/dev/null 2>&1 || true
  if kill -0 "$pid" 2>/dev/null; then
    wait_until 30 bash -c "! kill -0 $pid" || { log "instance $1 did not stop, killing pid $pid"; kill -9 "$pid" 2>/dev/null || true; }
  fi
}

kill_instance() { # NAME
  index_of "$1" >/dev/null
  local pid; pid=$(instance_pid "$1")
  [ -n "$pid" ] || die "instance $1 is not running"
  kill -9 "$pid"
  echo "killed $1 pid $pid at $(date +%s%3N)"
}

# ------------------------------------------------------------------ network partition (failure drills and tests)

PARTITION_TABLE="sipcharge_partition_$(printf '%s' "$SIPCHARGE_CLUSTER_NAME" | tr -c 'A-Za-z0-9_' '_' | tail -c 40)"

# The DAS's Hazelcast port (Payara's das-port); the DAS may be a data member but is not of the SIP tier.
das_hz_port() {
  sed -n 's/.*hazelcast-runtime-configuration[^>]* das-port="\([0-9]*\)".*/\1/p' \
    "$PAYARA_HOME/glassfish/domains/$SIPCHARGE_DOMAIN/config/domain.xml" | head -1
}

# The cgroup v2 hierarchy's mount point, and the path nftables' "socket cgroupv2" takes (relative to /sys/fs/cgroup).
cgroup2_mount() { awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts; }

partition_instance() { # NAME
  local n pid hz das_hz others=() i mnt cg rel ports
  n=$(index_of "$1"); pid=$(instance_pid "$1")
  [ -n "$pid" ] || die "instance $1 is not running"
  ensure_packages nftables iproute2
  hz=$(hz_port_of "$n")
  das_hz=$(das_hz_port)
  for i in $(seq 1 "$SIPCHARGE_INSTANCES"); do [ "$i" = "$n" ] || others+=("$(hz_port_of "$i")"); done
  [ -n "$das_hz" ] && others+=("$das_hz")
  local set; set=$(IFS=,; echo "${others[*]}")
  # New sockets of the instance carry its cgroup: move it into one of its own, so that its reconnection attempts to
  # the other members are dropped too (nftables "socket cgroupv2" matches the cgroup a socket was created in).
  mnt=$(cgroup2_mount)
  [ -n "$mnt" ] || die "no cgroup v2 hierarchy mounted: cannot tell the instance's new connections apart"
  cg="$mnt/$PARTITION_TABLE"
  mkdir -p "$cg"
  echo "$pid" >"$cg/cgroup.procs"
  rel=${mnt#/sys/fs/cgroup}; rel=${rel#/}; rel="${rel:+$rel/}$PARTITION_TABLE"
  {
    echo "table inet $PARTITION_TABLE {"
    echo "  chain out {"
    echo "    type filter hook output priority 0; policy accept;"
    # connections the other members opened to the instance's Hazelcast port, both directions
    echo "    tcp dport $hz drop"
    echo "    tcp sport $hz drop"
    # new connections the instance opens to the other members
    echo "    socket cgroupv2 level 1 \"$rel\" tcp dport { $set } drop"
    echo "  }"
    echo "}"
  } | nft -f - || die "nft could not load the partition rules"
  # Connections the instance opened before it was moved: known by their local ports, dropped both directions.
  ports=$(ss -Htn state established 2>/dev/null | awk -v others=",$set," '{
      split($3, l, ":"); split($4, r, ":"); lp = l[length(l)]; rp = r[length(r)];
      if (index(others, "," rp ",") > 0) print lp }' | sort -u)
  local p own=()
  for p in $ports; do
    # only sockets of this instance's process
    if ss -Htnp state established "sport = :$p" 2>/dev/null | grep -q "pid=$pid,"; then own+=("$p"); fi
  done
  if [ ${#own[@]} -gt 0 ]; then
    local oset; oset=$(IFS=,; echo "${own[*]}")
    nft add rule inet "$PARTITION_TABLE" out tcp sport "{ $oset }" tcp dport "{ $set }" drop
    nft add rule inet "$PARTITION_TABLE" out tcp dport "{ $oset }" tcp sport "{ $set }" drop
  fi
  echo "partitioned $1 (pid $pid, Hazelcast port $hz) from ports $set at $(date +%s%3N); its open connections from ports: ${own[*]:-none}"
}

heal_partition() {
  local mnt cg p
  if nft list table inet "$PARTITION_TABLE" >/dev/null 2>&1; then nft delete table inet "$PARTITION_TABLE"; fi
  mnt=$(cgroup2_mount); cg="$mnt/$PARTITION_TABLE"
  if [ -n "$mnt" ] && [ -d "$cg" ]; then
    for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do echo "$p" >"$mnt/cgroup.procs" 2>/dev/null || true; done
    rmdir "$cg" 2>/dev/null || true
  fi
  echo "healed at $(date +%s%3N)"
}

stop_instances() {
  [ -x "$PAYARA_HOME/bin/asadmin" ] || return 0
  local name pids=()
  for name in $(instance_names); do
    local pid; pid=$(instance_pid "$name")
    [ -n "$pid" ] && pids+=("$name:$pid")
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  log "stopping instances: ${pids[*]}"
  # Each running instance through asadmin, in parallel and bounded (stop-deployment-group waits minutes for an
  # instance that was killed); whatever still runs afterwards gets TERM, then KILL, by its PID.
  local np
  for np in "${pids[@]}"; do
    timeout 60 "$PAYARA_HOME/bin/asadmin" --interactive=false --user admin --port "$SIPCHARGE_ADMIN_PORT" \
      stop-instance --kill=false "${np%%:*}" >/dev/null 2>&1 &
  done
  wait
  for np in "${pids[@]}"; do
    local pid=${np#*:}
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  done
  for np in "${pids[@]}"; do
    local pid=${np#*:}
    wait_until 30 bash -c "! kill -0 $pid" || { log "instance ${np%%:*} did not stop, killing pid $pid"; kill -9 "$pid" 2>/dev/null || true; }
  done
}

# ------------------------------------------------------------------ Kamailio

lb_pid() {
  local pid; pid=$(cat "$LB_DIR/kamailio.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- "$LB_DIR/kamailio.cfg"; then echo "$pid"; fi
}

write_lb_config() {
  mkdir -p "$LB_DIR"
  local i list="$LB_DIR/dispatcher.list"
  {
    echo "# set destination flags priority attrs -- generated by cluster.sh, one line per instance"
    for ((i = 1; i <= SIPCHARGE_INSTANCES; i++)); do
      echo "1 sip:$SIPCHARGE_HOST:$(sip_port_of "$i") 0 0 name=$SIPCHARGE_INSTANCE_PREFIX$i"
    done
  } >"$list"
  sed -e "s|@LB_HOST@|$SIPCHARGE_LB_HOST|g" -e "s|@LB_PORT@|$SIPCHARGE_LB_PORT|g" \
      -e "s|@DS_LIST@|$list|g" -e "s|@DS_SET@|1|g" -e "s|@DS_ALGORITHM@|$SIPCHARGE_LB_ALGORITHM|g" \
      -e "s|@PING_INTERVAL@|$SIPCHARGE_LB_PING_INTERVAL|g" -e "s|@FR_TIMER_MS@|$SIPCHARGE_LB_FR_TIMER_MS|g" \
      -e "s|@INVITE_FR_TIMER_MS@|$SIPCHARGE_LB_INVITE_FR_TIMER_MS|g" -e "s|@DIALOG_RETRY_FR_TIMER_MS@|$SIPCHARGE_LB_DIALOG_RETRY_FR_TIMER_MS|g" -e "s|@CHILDREN@|$SIPCHARGE_LB_CHILDREN|g" \
      -e "s|@PROBING_THRESHOLD@|$SIPCHARGE_LB_PROBING_THRESHOLD|g" "$SIPCHARGE_ROOT/server-config/kamailio/kamailio.cfg.template" >"$LB_DIR/kamailio.cfg"
  if grep -v '^#' "$LB_DIR/kamailio.cfg" | grep -q '@[A-Z_]\+@'; then die "unreplaced markers in $LB_DIR/kamailio.cfg"; fi
  kamailio -c -f "$LB_DIR/kamailio.cfg" -L "$(kamailio_modules)" >"$LB_DIR/check.log" 2>&1 \
    || die "Kamailio rejects $LB_DIR/kamailio.cfg, see $LB_DIR/check.log"
}

kamailio_modules() { kamailio -h 2>&1 | sed -n 's/.*Modules search path (default: \(.*\)).*/\1/p'; }

lb_start() {
  ensure_packages kamailio
  if [ -n "$(lb_pid)" ]; then log "Kamailio already running (pid $(lb_pid))"; return 0; fi
  check_free "Kamailio (SIPCHARGE_LB_PORT)" "$SIPCHARGE_LB_PORT"
  udp_busy "$SIPCHARGE_LB_PORT" && die "UDP port $SIPCHARGE_LB_PORT (Kamailio) is in use"
  write_lb_config
  log "starting Kamailio on $SIPCHARGE_LB_HOST:$SIPCHARGE_LB_PORT (udp, tcp) in front of $SIPCHARGE_INSTANCES instances"
  mkdir -p "$LB_DIR/runtime"
  # -DD: the main process stays in the foreground, so $! is its PID; -E: log to stderr (our log file).
  nohup kamailio -DD -E -f "$LB_DIR/kamailio.cfg" -P "$LB_DIR/runtime/kamailio.pid" -Y "$LB_DIR/runtime" -w "$LB_DIR" \
    -m 64 -M 8 >>"$LB_DIR/kamailio.log" 2>&1 &
  echo $! >"$LB_DIR/kamailio.pid"
  wait_until 20 port_busy "$SIPCHARGE_LB_PORT" || die "Kamailio did not open port $SIPCHARGE_LB_PORT, see $LB_DIR/kamailio.log"
  [ -n "$(lb_pid)" ] || die "Kamailio exited, see $LB_DIR/kamailio.log"
}

lb_stop() {
  local pid; pid=$(lb_pid)
  [ -n "$pid" ] || return 0
  log "stopping Kamailio (pid $pid)"
  kill "$pid" 2>/dev/null || true
  wait_until 15 bash -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
  rm -f "$LB_DIR/kamailio.pid"
}

# ------------------------------------------------------------------ status

status() {
  local i name rc=0
  for ((i = 1; i <= SIPCHARGE_INSTANCES; i++)); do
    name="$SIPCHARGE_INSTANCE_PREFIX$i"
    local pid; pid=$(instance_pid "$name")
    local ready=no; [ -n "$pid" ] && instance_ready "$i" && ready=yes
    printf '%s %s pid=%s ready=%s sip=%s http=%s cdf=%s\n' "$name" "$([ -n "$pid" ] && echo running || echo stopped)" \
      "${pid:--}" "$ready" "$(sip_port_of "$i")" "$(http_port_of "$i")" "$(cdf_port_of "$i")"
    [ "$ready" = yes ] || rc=3
  done
  local lp; lp=$(lb_pid)
  printf 'kamailio %s pid=%s sip=%s:%s\n' "$([ -n "$lp" ] && echo running || echo stopped)" "${lp:--}" "$SIPCHARGE_LB_HOST" "$SIPCHARGE_LB_PORT"
  [ -n "$lp" ] || rc=3
  return $rc
}

instances() {
  local i
  for ((i = 1; i <= SIPCHARGE_INSTANCES; i++)); do
    echo "$SIPCHARGE_INSTANCE_PREFIX$i $(sip_port_of "$i") $(http_port_of "$i") $(cdf_port_of "$i") $(hz_port_of "$i")"
  done
}

case "${1:-}" in
  create) create_cluster ;;
  deploy) deploy_ear "${2:-}" ;;
  start) start_instances; wait_all_ready; lb_start ;;
  up)
    t0=$(date +%s)
    create_cluster
    deploy_ear
    start_instances
    wait_all_ready
    lb_start
    log "cluster up in $(( $(date +%s) - t0 )) s: $SIPCHARGE_INSTANCES instances behind Kamailio at $SIPCHARGE_LB_HOST:$SIPCHARGE_LB_PORT"
    ;;
  stop) heal_partition >/dev/null 2>&1 || true; lb_stop; stop_instances ;;
  status) status ;;
  instances) instances ;;
  pid) [ -n "${2:-}" ] || die "usage: $0 pid NAME"; index_of "$2" >/dev/null; instance_pid "$2" ;;
  kill-instance) [ -n "${2:-}" ] || die "usage: $0 kill-instance NAME"; kill_instance "$2" ;;
  start-instance) [ -n "${2:-}" ] || die "usage: $0 start-instance NAME"; start_instance "$2" ;;
  stop-instance) [ -n "${2:-}" ] || die "usage: $0 stop-instance NAME"; index_of "$2" >/dev/null; stop_instance "$2" ;;
  partition) [ -n "${2:-}" ] || die "usage: $0 partition NAME"; partition_instance "$2" ;;
  heal) heal_partition ;;
  lb-start) lb_start ;;
  lb-stop) lb_stop ;;
  lb-status) p=$(lb_pid); if [ -n "$p" ]; then echo "running (pid $p)"; else echo stopped; exit 3; fi ;;
  *) echo "usage: $0 create|deploy|start|up|stop|status|instances|pid NAME|kill-instance NAME|start-instance NAME|stop-instance NAME|lb-start|lb-stop|lb-status" >&2; exit 2 ;;
esac
