#!/usr/bin/env bash
# The product's one entry point for an admin on one machine.
#   sipcharge.sh run      build if needed, start broker, billing simulator and Payara, configure, deploy,
#                         drive a short SIPp load, print a summary, leave everything running
#   sipcharge.sh start    the same without the SIPp demo
#   sipcharge.sh demo [CALLS]  drive CALLS SIPp calls (default 20) through the running system and print the summary
#   sipcharge.sh status   summary of the running system
#   sipcharge.sh stop     stop everything this script started, by PID
# Clustered layout: `sipcharge.sh run|start --cluster N` (or SIPCHARGE_INSTANCES=N) runs N Payara instances in a
# deployment group behind Kamailio (cluster.sh), which takes the SIP port; without it, one server as before.
set -euo pipefail
. "$(dirname "$0")/common.sh"

# The verb is the first word that is not an option (./run.sh --cluster 3 means run --cluster 3).
verb=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cluster) [ -n "${2:-}" ] || { echo "--cluster needs a number of instances" >&2; exit 2; }; SIPCHARGE_INSTANCES=$2; shift 2 ;;
    --cluster=*) SIPCHARGE_INSTANCES=${1#--cluster=}; shift ;;
    *) if [ -z "$verb" ]; then verb=$1; else args+=("$1"); fi; shift ;;
  esac
done
verb=${verb:-run}
set -- "${args[@]}"
: "${SIPCHARGE_INSTANCES:=0}"
# A run directory whose cluster was created stays clustered for status, demo and stop.
if [ "$SIPCHARGE_INSTANCES" = 0 ] && [ -s "$SIPCHARGE_RUN_DIR/cluster/instances" ]; then
  SIPCHARGE_INSTANCES=$(wc -l <"$SIPCHARGE_RUN_DIR/cluster/instances")
fi
[[ "$SIPCHARGE_INSTANCES" =~ ^[0-9]+$ ]] || { echo "the number of instances must be a number, not $SIPCHARGE_INSTANCES" >&2; exit 2; }
export SIPCHARGE_INSTANCES
clustered() { [ "$SIPCHARGE_INSTANCES" -gt 0 ]; }
CLUSTER="$(dirname "$0")/cluster.sh"

EAR="$SIPCHARGE_ROOT/ear/target/sipcharge.ear"
SIM_JAR="$SIPCHARGE_ROOT/simulators/target/sipcharge-simulators-0.1.0-SNAPSHOT.jar"
BILLING_DIR="$SIPCHARGE_RUN_DIR/billing"
STATUS_URL="http://$SIPCHARGE_HOST:$SIPCHARGE_HTTP_PORT/sipcharge/api/status"
if clustered; then
  # The application runs on the instances, not on the DAS: the first instance answers for the summary.
  STATUS_URL=$("$CLUSTER" instances | awk -v h="$SIPCHARGE_HOST" 'NR==1 {print "http://" h ":" $3 "/sipcharge/api/status"}')
fi

build_if_needed() {
  if [ "${SIPCHARGE_NO_BUILD:-}" = 1 ]; then
    # Set by the system tests: Maven built everything before them, and a build from here would `mvn install` into
    # the local repository (shared with other checkouts) whenever a source file changed during the test run.
    [ -f "$EAR" ] && [ -f "$SIM_JAR" ] || die "SIPCHARGE_NO_BUILD=1 but $EAR or $SIM_JAR is missing"
    return 0
  fi
  if [ -f "$EAR" ] && [ -f "$SIM_JAR" ] && [ -z "$(find "$SIPCHARGE_ROOT" -path '*/src/*' -newer "$EAR" -print -quit 2>/dev/null)" ] \
      && [ "$SIPCHARGE_ROOT/pom.xml" -ot "$EAR" ]; then
    return 0
  fi
  log "building (mvn install, tests skipped here; run the test command for them)"
  (cd "$SIPCHARGE_ROOT" && mvn -B -q install -DskipTests) || die "build failed"
}

billing_pid() { cat "$BILLING_DIR/simulator.pid" 2>/dev/null || true; }
terminal_pid() { cat "$BILLING_DIR/terminal-server.pid" 2>/dev/null || true; }

# The legacy billing system as the product meets it: the billing-system simulator on SIPCHARGE_BILLING_LINE_PORT,
# behind a terminal-server simulator on SIPCHARGE_BILLING_PORT that admits one connection at a time (the billing
# coordinator's). Both check what they receive (epochs, duplicates, gaps, a second connection). Creating the file
# billing/terminal-server.stall swallows the billing system's answers to the connection holding the line (tests).
start_billing_simulator() {
  mkdir -p "$BILLING_DIR"
  local pid; pid=$(billing_pid)
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
    log "starting billing-system simulator on port $SIPCHARGE_BILLING_LINE_PORT (records to $BILLING_DIR/received.tsv)"
    nohup java -jar "$SIM_JAR" --port "$SIPCHARGE_BILLING_LINE_PORT" --out "$BILLING_DIR/received.tsv" \
      >"$BILLING_DIR/simulator.log" 2>&1 &
    echo $! >"$BILLING_DIR/simulator.pid"
    wait_until 20 bash -c "exec 3<>/dev/tcp/$SIPCHARGE_HOST/$SIPCHARGE_BILLING_LINE_PORT" \
      || die "billing simulator did not open port $SIPCHARGE_BILLING_LINE_PORT, see $BILLING_DIR/simulator.log"
  fi
  pid=$(terminal_pid)
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
    log "starting terminal-server simulator on port $SIPCHARGE_BILLING_PORT (one connection at a time, line to port $SIPCHARGE_BILLING_LINE_PORT)"
    nohup java -cp "$SIM_JAR" org.sipcharge.simulators.terminal.TerminalServerSimulator --host "$SIPCHARGE_HOST" \
      --port "$SIPCHARGE_BILLING_PORT" --target "$SIPCHARGE_HOST:$SIPCHARGE_BILLING_LINE_PORT" \
      --idle-timeout "$SIPCHARGE_TERMINAL_IDLE_SECONDS" --control-file "$BILLING_DIR/terminal-server.stall" \
      >"$BILLING_DIR/terminal-server.log" 2>&1 &
    echo $! >"$BILLING_DIR/terminal-server.pid"
    # A probe connection would hold the line: wait for the log line instead.
    wait_until 20 grep -q TSS-000 "$BILLING_DIR/terminal-server.log" \
      || die "terminal-server simulator did not start, see $BILLING_DIR/terminal-server.log"
  fi
}

stop_billing_simulator() {
  local f pid
  for f in terminal-server.pid simulator.pid; do
    pid=$(cat "$BILLING_DIR/$f" 2>/dev/null || true)
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || true
    wait_until 10 bash -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
    rm -f "$BILLING_DIR/$f"
  done
}

# CDRs delivered to billing: the node's counter, or in the clustered layout the simulator's record (every instance delivers).
delivered() {
  if clustered; then
    wc -l <"$BILLING_DIR/received.tsv" 2>/dev/null || echo 0
  else
    status_value billing.delivered
  fi
}

status_text() { curl -fsS -H 'Accept: text/plain' "$STATUS_URL" 2>/dev/null; }
status_value() { status_text | sed -n "s/^$1=//p"; }

deploy() {
  log "deploying $EAR"
  "$(dirname "$0")/payara.sh" asadmin deploy --force=true --name sipcharge "$EAR" >"$SIPCHARGE_RUN_DIR/deploy.log" 2>&1 \
    || die "deploy failed, see $SIPCHARGE_RUN_DIR/deploy.log and the domain's server.log"
  wait_until 60 status_text || die "the application did not come up at $STATUS_URL"
  wait_until 30 bash -c "[ \"\$(curl -fsS -H 'Accept: text/plain' '$STATUS_URL' | sed -n 's/^ready=//p')\" = true ]" \
    || { status_text >&2 || true; die "the application is deployed but not ready (status above)"; }
}

start_all() {
  ensure_packages curl unzip
  build_if_needed
  "$(dirname "$0")/artemis.sh" start
  start_billing_simulator
  "$(dirname "$0")/payara.sh" start
  "$(dirname "$0")/resources.sh"
  if clustered; then
    "$CLUSTER" up
  else
    deploy
  fi
}

summary() {
  local s; s=$(status_text) || die "no status from $STATUS_URL: is the system running?"
  printf '%s\n' "----- sipcharge summary -----"
  val() { printf '%s\n' "$s" | sed -n "s/^$1=//p"; }
  printf '  calls completed: %s   ACRs answered 2001: %s   CDRs committed: %s   CDRs delivered to billing: %s\n' \
    "$(val calls.completed)" "$(val acr.answeredOk)" "$(val cdr.committed)" "$(val billing.delivered)"
  printf '%s\n' "  ready: $(val ready)   (details below)"
  printf '%s\n' "$s" | grep -E '^(calls|acr|cdr|billing|jms|diameter|sip)' | sed 's/^/  /'
  if clustered; then
    printf '%s\n' "  clustered: $SIPCHARGE_INSTANCES instances behind Kamailio at $SIPCHARGE_HOST:$SIPCHARGE_SIP_PORT (figures above: first instance only)"
    "$CLUSTER" status | sed 's/^/  /' || true
  fi
  printf '  billing simulator received: %s CDR lines (%s)\n' \
    "$(wc -l <"$BILLING_DIR/received.tsv" 2>/dev/null || echo 0)" "$BILLING_DIR/received.tsv"
  printf '%s\n' "Admin console: http://$SIPCHARGE_HOST:$SIPCHARGE_ADMIN_PORT   (user admin, no password, localhost only)" \
    "Status:        $STATUS_URL" \
    "Health:        ${STATUS_URL%/sipcharge/api/status}/health   Metrics: ${STATUS_URL%/sipcharge/api/status}/metrics" \
    "CFF rules:     ${STATUS_URL%/status}/cff/rules   (HTTP Basic: user admin, password in $ADMIN_PASSWORD_FILE)" \
    "Stop with:     ./run.sh stop"
}

demo() {
  local calls=${1:-20}
  ensure_packages sip-tester
  local before; before=$(delivered); before=${before:-0}
  local dir="$SIPCHARGE_RUN_DIR/sipp"; mkdir -p "$dir"
  log "SIPp: $calls calls through the B2BUA (UAS on $SIPCHARGE_UAS_PORT, hold 1 s)"
  sipp -sn uas -i "$SIPCHARGE_HOST" -p "$SIPCHARGE_UAS_PORT" -nostdin -trace_err \
    -error_file "$dir/uas-errors.log" >"$dir/uas.out" 2>&1 &
  local uas_pid=$!
  set +e
  sipp -sn uac -i "$SIPCHARGE_HOST" -p 0 -m "$calls" -r 10 -d 1000 -nostdin -timeout 60s -timeout_error \
    -trace_stat -stf "$dir/uac-stats.csv" -trace_err -error_file "$dir/uac-errors.log" \
    "$SIPCHARGE_HOST:$SIPCHARGE_SIP_PORT" >"$dir/uac.out" 2>&1
  local rc=$?
  set -e
  kill "$uas_pid" 2>/dev/null || true
  wait "$uas_pid" 2>/dev/null || true
  log "SIPp UAC exit code $rc (0 = all calls succeeded), details in $dir"
  local want=$((before + calls))
  local deadline=$(( $(date +%s) + 30 ))
  until [ "$(delivered)" -ge "$want" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { log "not every CDR reached billing within 30 s (see the summary)"; break; }
    sleep 0.5
  done
  return $rc
}

stop_all() {
  if clustered; then "$CLUSTER" stop || true; fi
  "$(dirname "$0")/payara.sh" stop || true
  stop_billing_simulator
  "$(dirname "$0")/artemis.sh" stop || true
  if [ "$SIPCHARGE_DB" = postgres ] && [ -z "${SIPCHARGE_PG_URL:-}" ]; then
    "$(dirname "$0")/postgres.sh" stop || true
  fi
  log "stopped"
}

# Restarts the Payara domain only (broker, simulator and data stay): the application reloads from the domain.
restart_server() {
  "$(dirname "$0")/payara.sh" stop
  "$(dirname "$0")/payara.sh" start
  wait_until 120 status_text || die "the application did not come back at $STATUS_URL after the restart"
}

case "$verb" in
  run) start_all; demo "${1:-20}" || true; summary ;;
  start) start_all; summary ;;
  demo) demo "${1:-20}" || true; summary ;;
  status) summary ;;
  stop) stop_all ;;
  restart-server) restart_server ;;
  *) echo "usage: $0 run|start|demo [CALLS]|status|restart-server|stop [--cluster N]" >&2; exit 2 ;;
esac
