#!/usr/bin/env bash
# CDF throughput: a private system (fresh domain, H2, Artemis) and the Rf load generator on loopback, START and
# STOP for many sessions with many ACRs in flight; every ACR is committed before its 2001 (group commit).
#
#   bench/cdf-load.sh [--sessions 20000] [--in-flight 256] [--connections 1] [--warmup 20000] [--records session|event]
#                     [--keep]
#
# --records event: one EVENT ACR (a SIP MESSAGE) per "session" instead of START and STOP, so one CDR per ACR.
# --billing-drain: afterwards, wait (up to 30 min) until the billing connector has routed every CDR of the measured run
#   to the billing systems' queues and delivered them over the legacy link, and print those rates too. Without it the
#   script prints how far the billing connector got while the run was measured (it runs on the same cores).
#
# Prints ACRs per second and answer latency, the generator's own CPU, the load average before and after (other work on
# the machine shares the cores), the CDF's group-commit figures, and Payara's peak RSS. The warm-up (sessions sent
# before the measured run, same in-flight and connections) lets the JIT finish compiling the hot path; the measured run
# starts once the outbox has published the warm-up's CDRs.
set -euo pipefail
cd "$(dirname "$0")/.."
SESSIONS=20000; IN_FLIGHT=256; CONNECTIONS=1; WARMUP=20000; RECORDS=session; BILLING_DRAIN=false; KEEP=false
while [ $# -gt 0 ]; do
  case "$1" in
    --sessions) SESSIONS=$2; shift 2 ;;
    --in-flight) IN_FLIGHT=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --records) RECORDS=$2; shift 2 ;;
    --billing-drain) BILLING_DRAIN=true; shift ;;
    --keep) KEEP=true; shift ;;
    *) echo "usage: $0 [--sessions N] [--in-flight N] [--connections N] [--warmup N] [--records session|event] [--billing-drain] [--keep]" >&2; exit 2 ;;
  esac
done
. bench/lib.sh
SIM_JAR=simulators/target/sipcharge-simulators-0.1.0-SNAPSHOT.jar
STATUS_URL="http://127.0.0.1:$SIPCHARGE_HTTP_PORT/sipcharge/api/status"
status_value() { curl -fsS -H 'Accept: text/plain' "$STATUS_URL" | sed -n "s/^$1=//p"; }
# CDRs the billing connector's router has decided on since the server started (routed, held or filtered; each billing
# system decides on every CDR, so the figure of the system furthest behind).
has_legacy_link() { local s; s=$(curl -fsS -H 'Accept: text/plain' "$STATUS_URL") && grep -q '^billing\.system\..*\.legacyLink=true' <<<"$s"; }
billing_routed() {
  curl -fsS -H 'Accept: text/plain' "$STATUS_URL" | awk -F= '/^billing\.system\..*\.(routed|held|filtered)=/ {
    split($1, k, "."); n[k[3]] += $2 } END { m = -1; for (s in n) if (m < 0 || n[s] < m) m = n[s]; print (m < 0 ? 0 : m) }'
}
cleanup() { if [ "$KEEP" != true ]; then server-config/bin/sipcharge.sh stop >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT
OUT="$SIPCHARGE_RUN_DIR/cdf-load-$(date +%Y%m%d-%H%M%S)"; mkdir -p "$OUT"
server-config/bin/sipcharge.sh start >"$OUT/start.log" 2>&1 || { tail -30 "$OUT/start.log" >&2; exit 1; }
PAYARA_PID=$(server-config/bin/payara.sh pid)
# Warm-up (JIT, pools), then the measured run.
java -cp "$SIM_JAR" org.sipcharge.simulators.ctf.RfLoadGenerator --port "$SIPCHARGE_DIAMETER_PORT" --sessions "$WARMUP" \
  --in-flight "$IN_FLIGHT" --connections "$CONNECTIONS" --records "$RECORDS" >"$OUT/warmup.txt" 2>&1 || true
# The outbox publishes the warm-up's CDRs after the warm-up's last answer; the measured run starts when it has (the
# billing connector may still be delivering them: it runs alongside, as in production).
deadline=$(( $(date +%s) + 600 ))
while [ "$(status_value cdr.outboxBacklog)" != 0 ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
if [ "$BILLING_DRAIN" = true ]; then
  # The drain figures are for the measured run's CDRs only: first let the billing connector finish the warm-up's.
  deadline=$(( $(date +%s) + 1800 ))
  while [ "$(billing_routed)" -lt "$(status_value cdr.committed)" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 1; done
  while has_legacy_link && [ "$(status_value billing.delivered)" -lt "$(status_value cdr.committed)" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 1; done
fi
received0=$(status_value acr.received)
committed0=$(status_value cdr.committed)
published0=$(status_value cdr.published)
routed0=$(billing_routed)
delivered0=$(status_value billing.delivered)
t0=$(date +%s%3N)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -cp "$SIM_JAR" org.sipcharge.simulators.ctf.RfLoadGenerator --port "$SIPCHARGE_DIAMETER_PORT" --sessions "$SESSIONS" \
  --in-flight "$IN_FLIGHT" --connections "$CONNECTIONS" --records "$RECORDS" | tee "$OUT/load.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "CDF: $(( $(status_value acr.received) - received0 )) ACRs received in the measured run; CDRs committed in all: $(status_value cdr.committed)"
# Issue 5's figure: CDRs committed and published to Artemis per second, end to end (from the first START of the
# measured run until the outbox has published every CDR of it).
t1=$(date +%s%3N)
committed=$(( $(status_value cdr.committed) - committed0 ))
deadline=$(( $(date +%s) + 600 ))
while [ "$(( $(status_value cdr.published) - published0 ))" -lt "$committed" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
t2=$(date +%s%3N)
published=$(( $(status_value cdr.published) - published0 ))
echo "CDRs: $committed committed in $(( t1 - t0 )) ms ($(( committed * 1000 / (t1 - t0 > 0 ? t1 - t0 : 1) ))/s); all $published published to Artemis after $(( t2 - t0 )) ms ($(( published * 1000 / (t2 - t0 > 0 ? t2 - t0 : 1) )) CDR/s committed and published, end to end)"
routed=$(( $(billing_routed) - routed0 )); delivered=$(( $(status_value billing.delivered) - delivered0 ))
echo "billing connector meanwhile (same cores): $routed CDRs routed to billing queues, $delivered delivered over the legacy link"
if [ "$BILLING_DRAIN" = true ]; then
  deadline=$(( $(date +%s) + 1800 ))
  while [ "$(( $(billing_routed) - routed0 ))" -lt "$committed" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 1; done
  t3=$(date +%s%3N); routed=$(( $(billing_routed) - routed0 ))
  while has_legacy_link && [ "$(( $(status_value billing.delivered) - delivered0 ))" -lt "$committed" ] \
      && [ "$(date +%s)" -lt "$deadline" ]; do sleep 1; done
  t4=$(date +%s%3N); delivered=$(( $(status_value billing.delivered) - delivered0 ))
  echo "billing drain: $routed routed after $(( t3 - t0 )) ms ($(( routed * 1000 / (t3 - t0) ))/s), $delivered delivered over the legacy link after $(( t4 - t0 )) ms ($(( delivered * 1000 / (t4 - t0) ))/s), from the first ACR"
fi
echo "Payara peak RSS: $(awk '/VmHWM/{print $2" "$3}' "/proc/$PAYARA_PID/status" 2>/dev/null || echo n/a); $(nproc) cores shared by the load generator, Payara, H2 and Artemis"
echo "details: $OUT"
