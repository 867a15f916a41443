#!/usr/bin/env bash
# CDF throughput: a private system (fresh domain, H2, Artemis) and the Rf load generator on loopback, START and
# STOP for many sessions with many ACRs in flight; every ACR is committed before its 2001 (group commit).
#
#   bench/cdf-load.sh [--sessions 20000] [--in-flight 256] [--connections 1] [--warmup 20000] [--records session|event]
#                     [--billing-after] [--billing-drain] [--runs 1] [--keep]
#
# --records event: one EVENT ACR (a SIP MESSAGE) per "session" instead of START and STOP, so one CDR per ACR.
# --billing-drain: afterwards, wait (up to 30 min) until the billing connector has routed every CDR of the measured run
#   to the billing systems' queues and delivered them over the legacy link, and print those rates too. Without it the
#   script prints how far the billing connector got while the run was measured (it runs on the same cores).
# --billing-after: the billing connector gets the measured run's CDRs only after the run: delivery from the CDR queue is
#   paused at the broker from the start of the measured run until every CDR of it is published (the outbox relay still
#   sends them; the queue keeps them), then resumed. In production the billing connector runs on instances of its own;
#   this measures the CDF tier's commit and publication without it on the same two cores.
#
# --runs N: N measured runs one after the other on the same server (after one warm-up): the first figures are those of a
#   server just started; the JIT keeps compiling the hot path for minutes under load, and the later runs show the
#   steadier state.
#
# "Published" is counted by the broker (the CDR queue's messages-added figure, read every 50 ms through its management
# address), not by the server's status page, whose database counts would take CPU from the run being measured.
#
# Prints ACRs per second and answer latency, the generator's own CPU, the load average before and after (other work on
# the machine shares the cores), Payara's and the broker's CPU per ACR, and Payara's peak RSS. The warm-up (sessions sent
# before the measured run, same in-flight and connections) lets the JIT finish compiling the hot path; the measured run
# starts once the outbox has published the warm-up's CDRs.
set -euo pipefail
cd "$(dirname "$0")/.."
SESSIONS=20000; IN_FLIGHT=256; CONNECTIONS=1; WARMUP=20000; RECORDS=session; BILLING_AFTER=false; BILLING_DRAIN=false
RUNS=1; KEEP=false
while [ $# -gt 0 ]; do
  case "$1" in
    --sessions) SESSIONS=$2; shift 2 ;;
    --in-flight) IN_FLIGHT=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --records) RECORDS=$2; shift 2 ;;
    --billing-after) BILLING_AFTER=true; shift ;;
    --runs) RUNS=$2; shift 2 ;;
    --billing-drain) BILLING_DRAIN=true; shift ;;
    --keep) KEEP=true; shift ;;
    *) echo "usage: $0 [--sessions N] [--in-flight N] [--connections N] [--warmup N] [--records session|event] [--billing-after] [--billing-drain] [--runs N] [--keep]" >&2; exit 2 ;;
  esac
done
. bench/lib.sh
SIM_JAR=simulators/target/sipcharge-simulators-0.1.0-SNAPSHOT.jar
STATUS_URL="http://127.0.0.1:$SIPCHARGE_HTTP_PORT/sipcharge/api/status"
status() { curl -fsS -H 'Accept: text/plain' "$STATUS_URL"; }
status_value() { status | sed -n "s/^$1=//p"; }
has_legacy_link() { local s; s=$(status) && grep -q '^billing\.system\..*\.legacyLink=true' <<<"$s"; }
# CDRs the billing connector's router has decided on since the server started (routed, held or filtered; each billing
# system decides on every CDR, so the figure of the system furthest behind).
billing_routed() {
  status | awk -F= '/^billing\.system\..*\.(routed|held|filtered)=/ {
    split($1, k, "."); n[k[3]] += $2 } END { m = -1; for (s in n) if (m < 0 || n[s] < m) m = n[s]; print (m < 0 ? 0 : m) }'
}
OUT="$SIPCHARGE_RUN_DIR/cdf-load-$(date +%Y%m%d-%H%M%S)"; mkdir -p "$OUT"
# The broker's management address, as the administrator that artemis.sh creates (server-config/bin/artemis.sh);
# QUEUE_CONTROL is set once the broker runs.
queue_control() { "${QUEUE_CONTROL[@]}" "$@" 2>>"$OUT/queue-control.log"; }
CDR_QUEUE=sipcharge.cdr
WATCH_PID=; PAUSED=false
cleanup() {
  if [ -n "$WATCH_PID" ]; then kill "$WATCH_PID" 2>/dev/null || true; fi
  if [ "$PAUSED" = true ]; then queue_control resume "$CDR_QUEUE" >/dev/null || true; fi
  if [ "$KEEP" != true ]; then server-config/bin/sipcharge.sh stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
server-config/bin/sipcharge.sh start >"$OUT/start.log" 2>&1 || { tail -30 "$OUT/start.log" >&2; exit 1; }
PAYARA_PID=$(server-config/bin/payara.sh pid)
CREDENTIALS="$SIPCHARGE_RUN_DIR/artemis-broker/etc/sipcharge-admin.credentials"
QUEUE_CONTROL=(java -cp "$SIM_JAR" org.sipcharge.simulators.broker.QueueControl
  --broker "tcp://${SIPCHARGE_HOST:-127.0.0.1}:$SIPCHARGE_ARTEMIS_PORT"
  --user "$(sed -n 's/^user=//p' "$CREDENTIALS")" --password "$(sed -n 's/^password=//p' "$CREDENTIALS")")
# The generator's JVM compiles with C1 only: it runs for seconds, and C2 compiling it would take CPU from the CDF on the
# same cores (measured: 1.7 s of its CPU for 60,000 EVENT ACRs instead of 2.4 s). The serial collector: its heap is
# small and short-lived, and G1's threads took more of the shared cores (1.2-1.3 s against 1.0 s for 60,000 ACRs).
GENERATOR=(java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$SIM_JAR" org.sipcharge.simulators.ctf.RfLoadGenerator)
# Warm-up (JIT, pools), then the measured run.
"${GENERATOR[@]}" --port "$SIPCHARGE_DIAMETER_PORT" --sessions "$WARMUP" \
  --in-flight "$IN_FLIGHT" --connections "$CONNECTIONS" --records "$RECORDS" >"$OUT/warmup.txt" 2>&1 || true
# CPU time of a process so far, in milliseconds (user plus system, from /proc/PID/stat).
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print int(($12 + $13) * 1000 / hz) }' "/proc/$1/stat" 2>/dev/null || echo 0; }
BROKER_PID=$(server-config/bin/artemis.sh pid)
for run in $(seq 1 "$RUNS"); do
  [ "$RUNS" -gt 1 ] && echo "--- measured run $run of $RUNS"
  # The outbox publishes the earlier CDRs (warm-up, run before) after their last answer; a measured run starts when it has
  # (the billing connector may still be delivering them: it runs alongside, as in production).
  deadline=$(( $(date +%s) + 600 ))
  while [ "$(status_value cdr.outboxBacklog)" != 0 ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
  if [ "$BILLING_DRAIN" = true ] || [ "$BILLING_AFTER" = true ]; then
    # The drain figures are for the measured run's CDRs only, and with --billing-after the billing connector must not work
    # during the run: first let it finish the earlier CDRs.
    deadline=$(( $(date +%s) + 1800 ))
    while [ "$(billing_routed)" -lt "$(status_value cdr.committed)" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 1; done
    while has_legacy_link && [ "$(status_value billing.delivered)" -lt "$(status_value cdr.committed)" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 1; done
  fi
  received0=$(status_value acr.received)
  committed0=$(status_value cdr.committed)
  routed0=$(billing_routed)
  delivered0=$(status_value billing.delivered)
  if [ "$BILLING_AFTER" = true ]; then queue_control pause "$CDR_QUEUE" >/dev/null; PAUSED=true; fi
  "${QUEUE_CONTROL[@]}" watch "$CDR_QUEUE" >"$OUT/cdr-queue-added-$run.txt" 2>>"$OUT/queue-control.log" & WATCH_PID=$!
  until [ -s "$OUT/cdr-queue-added-$run.txt" ]; do
    kill -0 "$WATCH_PID" 2>/dev/null || { echo "cannot read the CDR queue's figures: $OUT/queue-control.log" >&2; exit 1; }
    sleep 0.1
  done
  added0=$(tail -1 "$OUT/cdr-queue-added-$run.txt" | cut -d' ' -f2)
  payara_cpu0=$(cpu_ms "$PAYARA_PID"); broker_cpu0=$(cpu_ms "$BROKER_PID")
  t0=$(date +%s%3N)
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  "${GENERATOR[@]}" --port "$SIPCHARGE_DIAMETER_PORT" --sessions "$SESSIONS" \
    --in-flight "$IN_FLIGHT" --connections "$CONNECTIONS" --records "$RECORDS" | tee "$OUT/load-$run.txt"
  t1=$(date +%s%3N)
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  committed=$(( $(status_value cdr.committed) - committed0 ))
  echo "CDF: $(( $(status_value acr.received) - received0 )) ACRs received in the measured run; CDRs committed in all: $(( committed0 + committed ))"
  # Issue 5's figure: CDRs committed and published to Artemis per second, end to end (from the first ACR of the measured
  # run until the broker's CDR queue has taken every CDR of it).
  deadline=$(( $(date +%s) + 600 ))
  published_at() { awk -v n="$(( added0 + committed ))" '$2 >= n { print $1; exit }' "$OUT/cdr-queue-added-$run.txt"; }
  while [ -z "$(published_at)" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
  t2=$(published_at); t2=${t2:-$(date +%s%3N)}
  kill "$WATCH_PID"; WATCH_PID=
  payara_cpu=$(( $(cpu_ms "$PAYARA_PID") - payara_cpu0 )); broker_cpu=$(( $(cpu_ms "$BROKER_PID") - broker_cpu0 ))
  published=$(( $(tail -1 "$OUT/cdr-queue-added-$run.txt" | cut -d' ' -f2) - added0 ))
  if [ "$published" -lt "$committed" ]; then
    echo "WARNING: only $published of the run's $committed CDRs reached the CDR queue within 10 minutes (status: $STATUS_URL)" >&2
  fi
  echo "CDRs: $committed committed in $(( t1 - t0 )) ms ($(( committed * 1000 / (t1 - t0 > 0 ? t1 - t0 : 1) ))/s); all $published published to Artemis after $(( t2 - t0 )) ms ($(( published * 1000 / (t2 - t0 > 0 ? t2 - t0 : 1) )) CDR/s committed and published, end to end)"
  acrs=$(( SESSIONS * $([ "$RECORDS" = event ] && echo 1 || echo 2) ))
  echo "CPU until then: Payara $payara_cpu ms ($(( payara_cpu * 1000 / acrs )) us per ACR), broker $broker_cpu ms ($(( broker_cpu * 1000 / acrs )) us per ACR)"
  routed=$(( $(billing_routed) - routed0 )); delivered=$(( $(status_value billing.delivered) - delivered0 ))
  if [ "$BILLING_AFTER" = true ]; then
    echo "billing connector meanwhile: $routed CDRs routed, $delivered delivered (delivery from $CDR_QUEUE paused); resuming it"
    queue_control resume "$CDR_QUEUE" >/dev/null; PAUSED=false
    t0=$(date +%s%3N) # the drain below is timed from the resumption
  else
    echo "billing connector meanwhile (same cores): $routed CDRs routed to billing queues, $delivered delivered over the legacy link"
  fi
  if [ "$BILLING_DRAIN" = true ]; then
    deadline=$(( $(date +%s) + 1800 ))
    while [ "$(( $(billing_routed) - routed0 ))" -lt "$committed" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 1; done
    t3=$(date +%s%3N); routed=$(( $(billing_routed) - routed0 ))
    while has_legacy_link && [ "$(( $(status_value billing.delivered) - delivered0 ))" -lt "$committed" ] \
        && [ "$(date +%s)" -lt "$deadline" ]; do sleep 1; done
    t4=$(date +%s%3N); delivered=$(( $(status_value billing.delivered) - delivered0 ))
    echo "billing drain: $routed routed after $(( t3 - t0 )) ms ($(( routed * 1000 / (t3 - t0) ))/s), $delivered delivered over the legacy link after $(( t4 - t0 )) ms ($(( delivered * 1000 / (t4 - t0) ))/s), from $([ "$BILLING_AFTER" = true ] && echo "the resumption" || echo "the first ACR")"
  fi
done
echo "Payara peak RSS: $(awk '/VmHWM/{print $2" "$3}' "/proc/$PAYARA_PID/status" 2>/dev/null || echo n/a); $(nproc) cores shared by the load generator, Payara, H2 and Artemis"
echo "details: $OUT"
