# shellcheck shell=bash
# Shared by the benchmark scripts: a private system on free ports in bench/target/run, started fresh.
# Source it from the repository root after parsing options.
# Listening ports come from below Linux's ephemeral range (32768-60999 by default): a port picked free in that range
# can be taken by an outgoing connection's local port before the server binds it (seen: an instance's SIP port, with
# the many database connections of a PostgreSQL run). free_port gives the first of ten free ports (TCP and UDP), so
# that a port and the ones derived from it (an instance's SIP or CDF port is the base + i) are free together.
free_port() {
  python3 - <<'PY'
import random, socket
for _ in range(200):
    base = random.randrange(10000, 19990, 10)
    try:
        socks = []
        for port in range(base, base + 10):
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                s = socket.socket(socket.AF_INET, kind)
                socks.append(s)
                s.bind(("127.0.0.1", port))
        print(base)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
PY
}
free_base() { # a Payara port base whose +0..+499 range (the DAS and instances at +100 each) is free, below 32768
  for _ in $(seq 1 50); do
    local b=$(( (RANDOM % 116 + 200) * 100 ))
    if ! ss -Htan "sport >= :$b and sport <= :$((b + 499))" 2>/dev/null | grep -q .; then echo "$b"; return; fi
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

