#!/usr/bin/env bash
# Concurrent calls held by the clustered layout (issue 4's benchmark): N Payara instances behind Kamailio, SIPp placing
# calls at a fixed rate and holding each longer than the run, so that the calls pile up. Every minute it prints the
# calls held (SIPp's count and the grid's), each instance's RSS and replicated entries it owns, the INTERIMs sent and
# how late they left (p50 / p99 / max), failed calls and the load average. It stops at the target number of calls, at
# the time limit, or when calls fail, then stops everything it started.
#
#   bench/cluster-calls.sh [--instances 3] [--rate 30] [--target 100000] [--minutes 20] [--interval 300]
#                          [--plateau 10] [--heap 3g] [--kill-after M] [--db h2|postgres] [--keep]
#
# --interval is the Acct-Interim-Interval the CDFs ask for (seconds); with 100,000 calls and 300 s that is 333
# INTERIMs per second on top of the STARTs. Once the target is held, the run goes on for --plateau minutes (every
# held call then sends its INTERIMs) before it stops. --heap is each instance's -Xmx. --kill-after M kills the last
# instance with SIGKILL M minutes into the plateau (failover under load: watch the survivors' lateness after it).
# --db postgres: the CDFs share a fresh private PostgreSQL (postgres.sh, deleted afterwards unless --keep) instead of
# the H2 file the DAS serves over TCP (the default, as in the system tests); see BENCHMARKS.md for why.
# Kamailio takes an instance out only after 3 unanswered probes of 2 s each (the product's defaults are 1 and 1 s,
# for fast failover): on a saturated 2-core host, late probe answers otherwise take every instance out at once.
set -euo pipefail
cd "$(dirname "$0")/.."
INSTANCES=3; RATE=30; TARGET=100000; MINUTES=20; INTERVAL=300; PLATEAU=10; HEAP=3g; KILL_AFTER=""; KEEP=false; DB=h2
while [ $# -gt 0 ]; do
  case "$1" in
    --instances) INSTANCES=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --target) TARGET=$2; shift 2 ;;
    --minutes) MINUTES=$2; shift 2 ;;
    --interval) INTERVAL=$2; shift 2 ;;
    --plateau) PLATEAU=$2; shift 2 ;;
    --heap) HEAP=$2; shift 2 ;;
    --kill-after) KILL_AFTER=$2; shift 2 ;;
    --db) DB=$2; shift 2 ;;
    --keep) KEEP=true; shift ;;
    *) echo "usage: $0 [--instances N] [--rate CPS] [--target CALLS] [--minutes M] [--interval S] [--plateau M] [--heap SIZE] [--kill-after M] [--db h2|postgres] [--keep]" >&2; exit 2 ;;
  esac
done
export SIPCHARGE_INSTANCES=$INSTANCES SIPCHARGE_INSTANCE_HEAP=$HEAP
export SIPCHARGE_LB_PROBING_THRESHOLD=${SIPCHARGE_LB_PROBING_THRESHOLD:-3} SIPCHARGE_LB_FR_TIMER_MS=${SIPCHARGE_LB_FR_TIMER_MS:-2000}
export SIPCHARGE_EXTRA_PROPERTIES="sipcharge.cdf.interim-interval-seconds=$INTERVAL"
case "$DB" in
  h2|postgres) export SIPCHARGE_DB=$DB ;;
  *) echo "--db must be h2 or postgres, not $DB" >&2; exit 2 ;;
esac
PG_PORT_GIVEN=${SIPCHARGE_PG_PORT:-}
. bench/lib.sh
[ "$DB" = postgres ] && export SIPCHARGE_PG_PORT=${PG_PORT_GIVEN:-$(free_port)}
# A fresh database for every run, as for H2 (bench/lib.sh): the last run's open sessions would be supervised first.
[ "$DB" = postgres ] && server-config/bin/postgres.sh destroy >/dev/null
OUT="$SIPCHARGE_RUN_DIR/cluster-calls-$(date +%Y%m%d-%H%M%S)"; mkdir -p "$OUT"
UAS_PID=""; UAC_PID=""
cleanup() {
  for p in $UAC_PID $UAS_PID; do kill "$p" 2>/dev/null || true; done
  if [ "$KEEP" != true ]; then
    server-config/bin/sipcharge.sh stop >/dev/null 2>&1 || true
    if [ "$DB" = postgres ]; then server-config/bin/postgres.sh destroy >/dev/null 2>&1 || true; fi
  fi
}
trap cleanup EXIT

t0=$(date +%s)
server-config/bin/sipcharge.sh start --cluster "$INSTANCES" >"$OUT/start.log" 2>&1 || { tail -30 "$OUT/start.log" >&2; exit 1; }
echo "cluster of $INSTANCES instances up in $(( $(date +%s) - t0 )) s; offering $RATE calls/s, target $TARGET held calls, at most $MINUTES min, interim interval $INTERVAL s"
mapfile -t NAMES < <(server-config/bin/cluster.sh instances | awk '{print $1}')
mapfile -t HTTP < <(server-config/bin/cluster.sh instances | awk '{print $3}')
# A dead instance answers nothing: its figures print empty (not an error that would end the run).
value() { { curl -fsS -m 5 -H 'Accept: text/plain' "http://127.0.0.1:$1/sipcharge/api/status" 2>/dev/null || true; } | sed -n "s/^$2=//p"; }

HOLD_MS=$(( (MINUTES + PLATEAU + 10) * 60 * 1000 ))
SCEN=system-tests/src/test/resources/sipp/uac-dialog.xml
sipp -sn uas -i 127.0.0.1 -p "$SIPCHARGE_UAS_PORT" -nostdin -max_socket 1024 >"$OUT/uas.out" 2>&1 &
UAS_PID=$!
# The offered rate rises in six steps over the first minute: freshly started instances (JIT still compiling) that get
# the full rate at once may answer Kamailio's probes late enough to be taken out all together (seen with PostgreSQL).
STEP=$(( (RATE + 5) / 6 ))
(cd "$OUT" && exec sipp -sf "$OLDPWD/$SCEN" -i 127.0.0.1 -p "$(free_port)" -r "$STEP" -rate_increase "$STEP" -rate_interval 10 \
   -rate_max "$RATE" -no_rate_quit -m "$TARGET" -l "$TARGET" -d "$HOLD_MS" \
   -nostdin -recv_timeout 30000 -trace_stat -stf stats.csv -fd 10 -trace_err -error_file uac-errors.log \
   "127.0.0.1:$SIPCHARGE_SIP_PORT" >uac.out 2>&1) &
UAC_PID=$!
start=$(date +%s); reached=""
stats_field() { awk -F';' -v f="$1" 'NR==1{for(i=1;i<=NF;i++) if($i==f) c=i} END{if(c) print $c; else print 0}' "$OUT/stats.csv" 2>/dev/null || echo 0; }
printf '%-5s %-9s %-9s %-7s %-40s %-28s %-22s %s\n' min sipp-held grid-held failed "RSS MB per instance" "owned sessions per instance" "INTERIM late p50/p99/max" "load"
while :; do
  sleep 60
  m=$(( ($(date +%s) - start) / 60 ))
  held=$(stats_field 'CurrentCall'); failed=$(stats_field 'FailedCall(C)')
  grid=$(value "${HTTP[0]}" acr.activeSessions); rss=""; owned=""; late=""
  for i in "${!NAMES[@]}"; do
    pid=$(server-config/bin/cluster.sh pid "${NAMES[$i]}" 2>/dev/null || true)
    rss+="$(awk '/VmRSS/{printf "%d", $2/1024}' "/proc/$pid/status" 2>/dev/null || echo -) "
    owned+="$(value "${HTTP[$i]}" acr.sessions.ownedHere) "
    late+="$(value "${HTTP[$i]}" acr.interims.lateP50Ms)/$(value "${HTTP[$i]}" acr.interims.lateP99Ms)/$(value "${HTTP[$i]}" acr.interims.lateMaxMs) "
  done
  printf '%-5s %-9s %-9s %-7s %-40s %-28s %-22s %s\n' "$m" "$held" "$grid" "$failed" "$rss" "$owned" "$late" "$(cut -d' ' -f1 /proc/loadavg)"
  # SIPp has placed every call once held + failed reaches the target (a failed call is not placed again).
  if [ -z "$reached" ] && [ $(( ${held:-0} + ${failed:-0} )) -ge "$TARGET" ]; then
    reached=$m; echo "all $TARGET calls placed after $m min ($held held); holding them $PLATEAU min"
  fi
  if [ -n "$reached" ] && [ -n "$KILL_AFTER" ] && [ $(( m - reached )) -eq "$KILL_AFTER" ]; then
    victim=${NAMES[$(( ${#NAMES[@]} - 1 ))]}
    KILLED_MS=$(date +%s%3N)
    echo "kill -9 of $victim under load: $(server-config/bin/cluster.sh kill-instance "$victim" 2>&1 | tail -1)"
    KILL_AFTER=""
    # Thread dumps of every Payara JVM of this run (the DAS too: it holds a share of the grid and serves the shared
    # H2 database) 5 s and 20 s after the kill, for what they wait on while the grid reorganises.
    (for t in 5 20; do
       sleep $(( t == 5 ? 5 : 15 ))
       for p in $(pgrep -f ASMain || true); do
         tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF "$SIPCHARGE_RUN_DIR/payara6" || continue
         jcmd "$p" Thread.print >"$OUT/threads-pid$p-kill+${t}s.txt" 2>&1 || true
         echo "$p $(readlink "/proc/$p/cwd")" >>"$OUT/jvms-kill+${t}s.txt"
         jcmd "$p" GC.heap_info >"$OUT/heap-pid$p-kill+${t}s.txt" 2>&1 || true
       done
       # Which JVM serves the shared H2 database (AUTO_SERVER writes its address into the lock file).
       cat "$SIPCHARGE_RUN_DIR/cluster/database/sipcharge.lock.db" >"$OUT/h2-lock-kill+${t}s.txt" 2>&1 || true
     done) &
    # PostgreSQL's view every 2 s for 60 s after the kill: what its sessions wait on, blocked locks, and transactions
    # left prepared: to see whether the database, too, holds anything up after a member's death.
    if [ "$DB" = postgres ]; then
      (for _ in $(seq 1 30); do
         server-config/bin/postgres.sh psql -At -F ' | ' -c "select clock_timestamp(), pid, state, wait_event_type,
           wait_event, now() - xact_start as in_xact, left(regexp_replace(query, '\s+', ' ', 'g'), 100)
           from pg_stat_activity where datname = 'sipcharge' and state <> 'idle' and pid <> pg_backend_pid()" \
           -c "select 'blocked locks', count(*) from pg_locks where not granted" \
           -c "select 'prepared', gid, prepared from pg_prepared_xacts" >>"$OUT/pg-activity-after-kill.txt" 2>&1 || true
         sleep 2
       done) &
    fi
  fi
  if [ -n "$reached" ] && [ $(( m - reached )) -ge "$PLATEAU" ]; then break; fi
  if [ "$m" -ge $(( MINUTES + PLATEAU )) ] || [ "${failed:-0}" -gt 100 ] || ! kill -0 "$UAC_PID" 2>/dev/null; then break; fi
done
sent=0
for h in "${HTTP[@]}"; do v=$(value "$h" acr.interims.sent); sent=$(( sent + ${v:-0} )); done
# Each instance's server log (rotated files included), for the RF-041 reports of late INTERIMs and what led to them.
for n in "${NAMES[@]}"; do
  cp -p "$SIPCHARGE_RUN_DIR"/payara6/glassfish/nodes/*/"$n"/logs/server.log* "$OUT/" 2>/dev/null \
    && for f in "$OUT"/server.log*; do [ -f "$f" ] && mv "$f" "$OUT/$n-${f##*/}"; done
done
# With PostgreSQL: how late the INTERIMs reached the CDF by their sessions' rhythm (bench/interim-spacing.sql), which
# the instances' own figures above do not count when an answer or its settlement came late.
if [ "$DB" = postgres ]; then
  echo "INTERIM spacing beyond the $INTERVAL s interval as the CDF stored them (phase | INTERIMs | p50 | p99 | max ms | over 2 s):"
  server-config/bin/postgres.sh psql -At -F ' | ' -v interval_s="$INTERVAL" -v kill_ms="${KILLED_MS:-0}" \
    -f bench/interim-spacing.sql 2>&1 | tee "$OUT/interim-spacing.txt"
fi
echo "stopped after $m min: $(stats_field 'CurrentCall') calls held by SIPp, $(value "${HTTP[0]}" acr.activeSessions) accounting sessions in the grid, $(stats_field 'FailedCall(C)') failed calls, $sent INTERIMs sent in all; details: $OUT"
