#!/usr/bin/env bash
# Diameter codec micro-benchmark (JMH): encode and decode of a typical IMS Rf ACR, one thread, so the figures are
# per core. Builds the diameter module and diameter-bench, runs the JMH uber jar, prints ops/s per benchmark and
# the conditions of the run (cores, CPU, JVM, load average before and after).
#
#   bench/diameter-codec.sh [JMH options]     default options: -f 1 -wi 3 -i 5 -t 1
#
# Benchmarks (diameter-bench/src/main/java/org/sipcharge/diameter/bench/AcrCodecBenchmark.java): encode,
# decode (whole tree), encodeDecode (the issue's goal: at least 500,000 per second per core), decodeValidate
# (with DictionaryValidator), buildEncode (RfMessageMapper-style construction + encode), decodeValidateRead
# (the CDF's path). JMH options narrow the run, e.g. `bench/diameter-codec.sh -f 1 -wi 2 -i 3 -t 1 encodeDecode`.
set -euo pipefail
cd "$(dirname "$0")/.."

mvn -q -B -f diameter/pom.xml install -DskipTests
mvn -q -B -f diameter-bench/pom.xml package

if [ $# -eq 0 ]; then
  set -- -f 1 -wi 3 -i 5 -t 1
fi
RESULT=diameter-bench/target/jmh-result.csv
rm -f "$RESULT"

echo "== conditions"
echo "cores: $(nproc); cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "jvm: $(java -version 2>&1 | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "jmh options: $*"

java -jar diameter-bench/target/benchmarks.jar "$@" -rf csv -rff "$RESULT"

echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== results (ops/s, one thread; +- is JMH's 99.9% confidence half-width)"
# "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit"
awk -F, 'NR > 1 {
  gsub(/"/, "", $1); name = $1; sub(/.*\./, "", name)
  printf "%-22s %12.0f ops/s  +- %9.0f  (%s samples, %s thread)\n", name, $5, $6, $4, $3
  if (name == "encodeDecode") { goal = ($5 >= 500000) ? "met" : "NOT met"; printf "goal 500,000 encode+decode/s per core: %s\n", goal > "/dev/stderr" }
}' "$RESULT"
