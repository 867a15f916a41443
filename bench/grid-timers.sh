#!/usr/bin/env bash
# Interim timers in the grid at scale (issue 4's 100,000 sessions): three Hazelcast members in one JVM, each with the
# product's AccountingSessions and timer scan, a stand-in CDF answering after 1 ms. Prints replicated bytes per
# session, INTERIM lateness, interims per second, and lateness after one member is terminated abruptly.
#
#   bench/grid-timers.sh [sessions 100000] [interval seconds 30] [rounds 3]
#
# Needs no server. The product's cost per Hazelcast operation inside Payara is higher (see BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp -pl charging-ejb -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/grid-bench.classpath >/dev/null
CP="charging-ejb/target/test-classes:charging-ejb/target/classes:$(cat charging-ejb/target/grid-bench.classpath)"
exec java -Xmx4g -cp "$CP" org.sipcharge.charging.bench.GridTimerBench "$@"
