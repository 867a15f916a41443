#!/usr/bin/env bash
# The CDF's store alone (issue 3's group commit and issue 5's outbox, without Payara, Diameter or JMS): the product's
# JDBC group commit on committer threads and the outbox relay's read and marking, on an H2 file with the product's
# migrations and WRITE_DELAY=0. Prints ACRs per second, CPU per ACR and the file's size per round, then the relay's
# drain rate for a backlog (as after a broker outage).
#
#   bench/cdf-store.sh [rounds 4] [sessions per round 60000] [committers 2] [ACRs per commit 100] [backlog 40000] \
#     [H2 URL settings, default WRITE_DELAY=0 as the product sets it]
#
# Needs no server. The figures are the store's floor, not the product's throughput (bench/cdf-load.sh, BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -ntp -pl charging-ejb -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/cdf-store-bench.classpath >/dev/null
CP="charging-ejb/target/test-classes:charging-ejb/target/classes:$(cat charging-ejb/target/cdf-store-bench.classpath)"
mkdir -p target
status=0
java -Xmx512m -cp "$CP" org.sipcharge.charging.bench.CdfStoreBench "$@" || status=$?
rm -rf target/cdf-store-bench*
exit $status
