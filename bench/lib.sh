# shellcheck shell=bash
# Shared by the benchmark scripts: a private system on free ports in bench/target/run, started fresh.
# Source it from the repository root after parsing options.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
free_base() { # a Payara port base whose +0..+99 range is free
  for _ in $(seq 1 50); do
    local b=$(( (RANDOM % 300 + 200) * 100 ))
    if ! ss -Htan "sport >= :$b and sport <= :$((b + 99))" 2>/dev/null | grep -q .; then echo "$b"; return; fi
  done
  echo 31000
}
export SIPCHARGE_RUN_DIR="$(pwd)/bench/target/run"
export SIPCHARGE_PORTBASE=${SIPCHARGE_PORTBASE:-$(free_base)}
export SIPCHARGE_SIP_PORT=$(free_port) SIPCHARGE_UAS_PORT=$(free_port) SIPCHARGE_DIAMETER_PORT=$(free_port)
export SIPCHARGE_ARTEMIS_PORT=$(free_port) SIPCHARGE_BILLING_PORT=$(free_port)
export SIPCHARGE_CLUSTER_NAME="sipcharge-bench-$$"
. server-config/bin/common.sh
ensure_packages sip-tester curl python3
# Every run starts from a fresh domain, broker and database (the unpacked distributions are kept).
# The clustered layout's shared database and instance directories too: a run on the last run's 100,000 open sessions
# spent its start-up with the CDFs' supervision closing them (the H2 file was 7 GB).
rm -rf "$PAYARA_HOME/glassfish/domains/$SIPCHARGE_DOMAIN" "$SIPCHARGE_RUN_DIR/artemis-broker" "$SIPCHARGE_RUN_DIR/billing" \
  "$SIPCHARGE_RUN_DIR/h2-database.password" "$SIPCHARGE_RUN_DIR/cluster" "$PAYARA_HOME/glassfish/nodes/localhost-$SIPCHARGE_DOMAIN"

