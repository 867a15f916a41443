#!/usr/bin/env bash
# Load benchmark of the whole path: SIPp UAC -> B2BUA (Payara) -> SIPp UAS, Rf to the CDF, CDR commit, Artemis,
# billing connector, billing simulator. Starts its own system on free ports in its own run directory, drives
# SIPp at a fixed rate, prints the figures, stops everything it started.
#
#   bench/run.sh [--rate CPS] [--duration SECONDS] [--hold MILLIS] [--keep]
#
# Prints: calls/s achieved, failed calls, INVITE-to-200 latency p50/p95/p99 (SIPp response-time trace),
# ACRs answered, CDRs delivered versus calls, and the Payara JVM's peak RSS (VmHWM).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RATE=20; DURATION=30; HOLD=1000; KEEP=false
while [ $# -gt 0 ]; do
  case "$1" in
    --rate) RATE=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --hold) HOLD=$2; shift 2 ;;
    --keep) KEEP=true; shift ;;
    *) echo "usage: $0 [--rate CPS] [--duration SECONDS] [--hold MILLIS] [--keep]" >&2; exit 2 ;;
  esac
done

. bench/lib.sh

OUT="$SIPCHARGE_RUN_DIR/bench-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
STATUS_URL="http://127.0.0.1:$SIPCHARGE_HTTP_PORT/sipcharge/api/status"
status_value() { curl -fsS -H 'Accept: text/plain' "$STATUS_URL" | sed -n "s/^$1=//p"; }

cleanup() {
  [ -n "${UAS_PID:-}" ] && kill "$UAS_PID" 2>/dev/null || true
  if [ "$KEEP" != true ]; then server-config/bin/sipcharge.sh stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

server-config/bin/sipcharge.sh start >"$OUT/start.log" 2>&1 || { tail -30 "$OUT/start.log" >&2; exit 1; }
PAYARA_PID=$(server-config/bin/payara.sh pid)
acr0=$(status_value acr.answeredOk); del0=$(status_value billing.delivered)

CALLS=$((RATE * DURATION))
sipp -sn uas -i 127.0.0.1 -p "$SIPCHARGE_UAS_PORT" -nostdin >"$OUT/uas.out" 2>&1 &
UAS_PID=$!
start_ns=$(date +%s%N)
set +e
(cd "$OUT" && sipp -sn uac -i 127.0.0.1 -p "$(free_port)" -r "$RATE" -m "$CALLS" -d "$HOLD" -nostdin \
   -timeout "$((DURATION + 120))s" -timeout_error -recv_timeout 10000 \
   -trace_stat -stf stats.csv -trace_rtt -rtt_freq 1 -trace_err -error_file uac-errors.log \
   "127.0.0.1:$SIPCHARGE_SIP_PORT" >uac.out 2>&1)
set -e
end_ns=$(date +%s%N)

stats_field() { awk -F';' -v f="$1" 'NR==1{for(i=1;i<=NF;i++) if($i==f) c=i} END{print $c}' "$OUT/stats.csv"; }
ok=$(stats_field 'SuccessfulCall(C)'); failed=$(stats_field 'FailedCall(C)')
# Let the last STOPs and CDRs drain (poll with a deadline): one CDR per successful call is expected.
want=$((del0 + ok))
deadline=$(( $(date +%s) + 120 ))
while [ "$(status_value billing.delivered)" -lt "$want" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 1; done

elapsed_ms=$(( (end_ns - start_ns) / 1000000 ))
# SIPp's uac scenario measures response time 1 from the INVITE to the 200 (rtd). The trace holds one line per call.
rtt_file=$(ls "$OUT"/*_rtt.csv 2>/dev/null | head -1 || true)
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END{if(NR==0){print "n/a"; exit} i=int((NR*p+99)/100); if(i<1)i=1; print a[i]}'; }
lat() { [ -n "$rtt_file" ] && awk -F';' 'NR>1 && $3==1 {print $2}' "$rtt_file" | pct "$1" || echo n/a; }
acr=$(( $(status_value acr.answeredOk) - acr0 )); del=$(( $(status_value billing.delivered) - del0 ))
rss=$(awk '/VmHWM/{print $2" "$3}' "/proc/$PAYARA_PID/status" 2>/dev/null || echo n/a)
cores=$(nproc)

cat <<REPORT | tee "$OUT/report.txt"
----- sipcharge benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $cores cores, SIPp and every server on this machine) -----
offered:                 $RATE calls/s for $DURATION s ($CALLS calls), hold $HOLD ms, UDP
calls/s achieved:        $(awk -v n="$ok" -v ms="$elapsed_ms" -v h="$HOLD" 'BEGIN{ t=(ms-h)/1000; if(t<=0)t=ms/1000; printf "%.1f", n/t }')
successful / failed:     $ok / $failed
INVITE->200 latency ms:  p50 $(lat 50)  p95 $(lat 95)  p99 $(lat 99)
ACRs answered 2001:      $acr (2 per call expected: START + STOP)
CDRs delivered/calls:    $del / $CALLS offered, $ok successful
Payara peak RSS:         $rss
details:                 $OUT
REPORT
