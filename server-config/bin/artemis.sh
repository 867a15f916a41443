#!/usr/bin/env bash
# ActiveMQ Artemis broker for sipcharge: install | create | start | stop | status | pid
#   install  fetch org.apache.artemis:apache-artemis:<artemis.broker.version>:bin (tar.gz) from Maven and unpack it
#            to $SIPCHARGE_RUN_DIR/apache-artemis-<version>
#   create   create the broker instance $SIPCHARGE_RUN_DIR/artemis-broker (core acceptor on
#            $SIPCHARGE_HOST:$SIPCHARGE_ARTEMIS_PORT only, no web console/Jolokia, queues sipcharge.cdr,
#            sipcharge.cdr.dlq, sipcharge.cdr.expired) and apply sipcharge's address settings to etc/broker.xml
#   start    install + create if needed, start the broker in the background, wait until the port accepts connections
#   stop     stop the broker by PID (TERM, wait, then KILL)
#   status   print "running (pid N)" or "stopped" (exit code 3)
#   pid      print the broker's PID (the java process), if any
# Every step is idempotent. Logs: $SIPCHARGE_RUN_DIR/artemis-broker/log/ (artemis.log; console.out for startup).
set -euo pipefail
. "$(dirname "$0")/common.sh"

# Knobs of this script (besides those of common.sh).
: "${SIPCHARGE_ARTEMIS_MEMORY:=512M}"          # broker heap (-Xms/-Xmx)
: "${SIPCHARGE_ARTEMIS_START_TIMEOUT:=60}"     # seconds to wait for the port after start
: "${SIPCHARGE_ARTEMIS_STOP_TIMEOUT:=30}"      # seconds to wait after TERM before KILL

ARTEMIS_VERSION=$(pom_property artemis.broker.version)
[ -n "$ARTEMIS_VERSION" ] || die "no <artemis.broker.version> in $SIPCHARGE_ROOT/pom.xml"
ARTEMIS_HOME="$SIPCHARGE_RUN_DIR/apache-artemis-$ARTEMIS_VERSION"
INSTANCE="$SIPCHARGE_RUN_DIR/artemis-broker"
BROKER_XML="$INSTANCE/etc/broker.xml"
PID_FILE="$INSTANCE/artemis.pid"
LOG_DIR="$INSTANCE/log"

CDR_QUEUE=sipcharge.cdr
DLQ=sipcharge.cdr.dlq
EXPIRY_QUEUE=sipcharge.cdr.expired
# Per-billing-system queues (billing connector): sipcharge.billing.<system>; the legacy link's queue is read by
# the coordinator only.
BILLING_QUEUES=sipcharge.billing.#
: "${SIPCHARGE_LEGACY_BILLING_SYSTEM:=legacy}"
LEGACY_QUEUE=sipcharge.billing.$SIPCHARGE_LEGACY_BILLING_SYSTEM
# The version in the marker makes configure_instance replace the settings of an older release.
MARKER_PREFIX="sipcharge address settings"
MARKER="$MARKER_PREFIX v2"

install_artemis() {
  [ -x "$ARTEMIS_HOME/bin/artemis" ] && return 0
  ensure_packages tar gzip
  log "unpacking Apache Artemis $ARTEMIS_VERSION into $ARTEMIS_HOME"
  mkdir -p "$SIPCHARGE_RUN_DIR/dist"
  local tgz="$SIPCHARGE_RUN_DIR/dist/apache-artemis-$ARTEMIS_VERSION-bin.tar.gz"
  [ -f "$tgz" ] || maven_fetch "org.apache.artemis:apache-artemis:$ARTEMIS_VERSION:tar.gz:bin" "$SIPCHARGE_RUN_DIR/dist"
  [ -f "$tgz" ] || die "Maven did not deliver $tgz"
  tar -xzf "$tgz" -C "$SIPCHARGE_RUN_DIR" || die "could not unpack $tgz"
  [ -x "$ARTEMIS_HOME/bin/artemis" ] || die "$ARTEMIS_HOME/bin/artemis missing after unpacking $tgz"
  rm -f "$tgz"
}

# sipcharge's address settings, inserted into <address-settings> before the catch-all "#" entry's closing tag.
address_settings() {
  cat <<EOF
         <!-- $MARKER (server-config/bin/artemis.sh): a CDR that fails 5 deliveries goes to $DLQ;
              redelivery waits 1 s, doubling up to 60 s; an expired CDR goes to $EXPIRY_QUEUE, never dropped. -->
         <address-setting match="$CDR_QUEUE">
            <dead-letter-address>$DLQ</dead-letter-address>
            <auto-create-dead-letter-resources>false</auto-create-dead-letter-resources>
            <expiry-address>$EXPIRY_QUEUE</expiry-address>
            <auto-create-expiry-resources>false</auto-create-expiry-resources>
            <max-delivery-attempts>5</max-delivery-attempts>
            <redelivery-delay>1000</redelivery-delay>
            <redelivery-delay-multiplier>2.0</redelivery-delay-multiplier>
            <redelivery-collision-avoidance-factor>0.1</redelivery-collision-avoidance-factor>
            <max-redelivery-delay>60000</max-redelivery-delay>
            <address-full-policy>PAGE</address-full-policy>
            <auto-delete-queues>false</auto-delete-queues>
            <auto-delete-addresses>false</auto-delete-addresses>
         </address-setting>
         <address-setting match="$DLQ">
            <!-- Dead CDRs wait here for an operator; they are never redelivered elsewhere or expired. -->
            <max-delivery-attempts>-1</max-delivery-attempts>
            <address-full-policy>PAGE</address-full-policy>
            <auto-delete-queues>false</auto-delete-queues>
            <auto-delete-addresses>false</auto-delete-addresses>
         </address-setting>
         <address-setting match="$EXPIRY_QUEUE">
            <max-delivery-attempts>-1</max-delivery-attempts>
            <address-full-policy>PAGE</address-full-policy>
            <auto-delete-queues>false</auto-delete-queues>
            <auto-delete-addresses>false</auto-delete-addresses>
         </address-setting>
         <address-setting match="$BILLING_QUEUES">
            <!-- One queue per billing system, created on first use and kept (its backlog stays visible). A billing
                 system's consumer that fails a CDR 10 times sends it to $DLQ. -->
            <dead-letter-address>$DLQ</dead-letter-address>
            <auto-create-dead-letter-resources>false</auto-create-dead-letter-resources>
            <expiry-address>$EXPIRY_QUEUE</expiry-address>
            <auto-create-expiry-resources>false</auto-create-expiry-resources>
            <max-delivery-attempts>10</max-delivery-attempts>
            <redelivery-delay>1000</redelivery-delay>
            <redelivery-delay-multiplier>2.0</redelivery-delay-multiplier>
            <max-redelivery-delay>60000</max-redelivery-delay>
            <address-full-policy>PAGE</address-full-policy>
            <auto-create-queues>true</auto-create-queues>
            <auto-create-addresses>true</auto-create-addresses>
            <auto-delete-queues>false</auto-delete-queues>
            <auto-delete-addresses>false</auto-delete-addresses>
         </address-setting>
         <address-setting match="$LEGACY_QUEUE">
            <!-- Read only by the billing coordinator, which dead-letters a bad CDR itself (with the reason) and rolls
                 back only when the link fails: a link outage must never send CDRs to the dead-letter queue, so
                 redelivery is unlimited, and immediate (the coordinator paces its own retries). -->
            <dead-letter-address>$DLQ</dead-letter-address>
            <auto-create-dead-letter-resources>false</auto-create-dead-letter-resources>
            <expiry-address>$EXPIRY_QUEUE</expiry-address>
            <auto-create-expiry-resources>false</auto-create-expiry-resources>
            <max-delivery-attempts>-1</max-delivery-attempts>
            <redelivery-delay>0</redelivery-delay>
            <address-full-policy>PAGE</address-full-policy>
            <auto-create-queues>true</auto-create-queues>
            <auto-create-addresses>true</auto-create-addresses>
            <auto-delete-queues>false</auto-delete-queues>
            <auto-delete-addresses>false</auto-delete-addresses>
         </address-setting>
         <!-- end of $MARKER -->
EOF
}

# Applies sipcharge's changes to broker.xml; safe to repeat (and picks up a changed host/port).
configure_instance() {
  [ -f "$BROKER_XML" ] || die "$BROKER_XML missing"
  if ! grep -q "$MARKER" "$BROKER_XML"; then
    # Settings of an older release go first.
    sed -i "/<!-- $MARKER_PREFIX/,/<!-- end of $MARKER_PREFIX/d" "$BROKER_XML"
    local snippet; snippet=$(mktemp)
    address_settings >"$snippet"
    awk -v f="$snippet" '/<\/address-settings>/ && !done { while ((getline l < f) > 0) print l; done=1 } { print }' \
      "$BROKER_XML" >"$BROKER_XML.new"
    rm -f "$snippet"
    grep -q "$MARKER" "$BROKER_XML.new" || die "could not insert the address settings into $BROKER_XML"
    mv "$BROKER_XML.new" "$BROKER_XML"
  fi
  # Only the core acceptor, on the configured host and port (the instance may have been created with others).
  sed -i -E "s#(<acceptor name=\"artemis\">tcp://)[^:/?]+:[0-9]+#\1$SIPCHARGE_HOST:$SIPCHARGE_ARTEMIS_PORT#" "$BROKER_XML"
  grep -q "<acceptor name=\"artemis\">tcp://$SIPCHARGE_HOST:$SIPCHARGE_ARTEMIS_PORT?" "$BROKER_XML" \
    || die "no core acceptor on $SIPCHARGE_HOST:$SIPCHARGE_ARTEMIS_PORT in $BROKER_XML"
  local acceptors; acceptors=$(grep -c '^[[:space:]]*<acceptor ' "$BROKER_XML" || true)
  [ "$acceptors" = 1 ] || die "expected exactly one acceptor in $BROKER_XML, found $acceptors"
  # No embedded web server (console, Jolokia): nothing may listen on 8161.
  if grep -q '<web ' "$INSTANCE/etc/bootstrap.xml"; then
    die "$INSTANCE/etc/bootstrap.xml starts the web console; recreate the instance (artemis.sh stop; rm -r $INSTANCE)"
  fi
}

create_instance() {
  install_artemis
  if [ ! -f "$BROKER_XML" ]; then
    log "creating Artemis broker instance $INSTANCE (core acceptor $SIPCHARGE_HOST:$SIPCHARGE_ARTEMIS_PORT)"
    # An admin user for the artemis CLI (queue stat, browse ...); its password is only stored in
    # etc/sipcharge-admin.credentials (mode 600). Anonymous access stays allowed: the broker listens on
    # the loopback host by default and Payara's resource adapter connects without credentials.
    local password; password=$(head -c 48 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9')
    mkdir -p "$SIPCHARGE_RUN_DIR"
    "$ARTEMIS_HOME/bin/artemis" create \
      --silent --force \
      --name sipcharge \
      --host "$SIPCHARGE_HOST" --default-port "$SIPCHARGE_ARTEMIS_PORT" \
      --user sipcharge-admin --password "$password" --allow-anonymous \
      --no-web --no-amqp-acceptor --no-mqtt-acceptor --no-stomp-acceptor --no-hornetq-acceptor \
      --nio --java-memory "$SIPCHARGE_ARTEMIS_MEMORY" \
      --queues "$CDR_QUEUE:anycast,$DLQ:anycast,$EXPIRY_QUEUE:anycast,$LEGACY_QUEUE:anycast" \
      "$INSTANCE" >"$SIPCHARGE_RUN_DIR/artemis-create.log" 2>&1 \
      || { rm -rf "$INSTANCE"; die "artemis create failed, see $SIPCHARGE_RUN_DIR/artemis-create.log"; }
    (umask 077; printf 'user=sipcharge-admin\npassword=%s\n' "$password" >"$INSTANCE/etc/sipcharge-admin.credentials")
  fi
  configure_instance
}

# PID of the broker if it is running; verifies that the PID really is this instance's java process.
broker_pid() {
  local pid; pid=$(cat "$PID_FILE" 2>/dev/null || true)
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$INSTANCE"; then
    echo "$pid"
  fi
}

port_open() { (exec 3<>"/dev/tcp/$SIPCHARGE_HOST/$SIPCHARGE_ARTEMIS_PORT") 2>/dev/null; }

start_broker() {
  create_instance
  local pid; pid=$(broker_pid)
  if [ -n "$pid" ]; then
    wait_until "$SIPCHARGE_ARTEMIS_START_TIMEOUT" port_open \
      || die "broker (pid $pid) runs but port $SIPCHARGE_ARTEMIS_PORT does not accept connections, see $LOG_DIR"
    log "Artemis broker already running (pid $pid, port $SIPCHARGE_ARTEMIS_PORT)"
    return 0
  fi
  rm -f "$PID_FILE"
  port_open && die "port $SIPCHARGE_HOST:$SIPCHARGE_ARTEMIS_PORT is already in use by another process (set SIPCHARGE_ARTEMIS_PORT)"
  mkdir -p "$LOG_DIR"
  log "starting Artemis broker on $SIPCHARGE_HOST:$SIPCHARGE_ARTEMIS_PORT (logs in $LOG_DIR)"
  # bin/artemis execs java, so $! is the broker's own PID.
  nohup "$INSTANCE/bin/artemis" run >"$LOG_DIR/console.out" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  local deadline=$(( $(date +%s) + SIPCHARGE_ARTEMIS_START_TIMEOUT ))
  until port_open; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      tail -n 20 "$LOG_DIR/console.out" >&2 || true
      die "the Artemis broker exited during startup, see $LOG_DIR/console.out"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      stop_broker
      die "the Artemis broker did not open port $SIPCHARGE_ARTEMIS_PORT within ${SIPCHARGE_ARTEMIS_START_TIMEOUT}s, see $LOG_DIR"
    fi
    sleep 0.5
  done
  log "Artemis broker running (pid $pid)"
}

stop_broker() {
  local pid; pid=$(broker_pid)
  if [ -z "$pid" ]; then
    rm -f "$PID_FILE"
    log "Artemis broker not running"
    return 0
  fi
  log "stopping Artemis broker (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_until "$SIPCHARGE_ARTEMIS_STOP_TIMEOUT" bash -c "! kill -0 $pid"; then
    log "Artemis broker did not stop within ${SIPCHARGE_ARTEMIS_STOP_TIMEOUT}s, killing pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
    wait_until 10 bash -c "! kill -0 $pid" || die "could not kill pid $pid"
  fi
  rm -f "$PID_FILE"
}

case "${1:-}" in
  install) install_artemis ;;
  create) create_instance ;;
  start) start_broker ;;
  stop) stop_broker ;;
  pid) broker_pid ;;
  status) pid=$(broker_pid); if [ -n "$pid" ]; then echo "running (pid $pid)"; else echo "stopped"; exit 3; fi ;;
  *) echo "usage: $0 install|create|start|stop|status|pid" >&2; exit 2 ;;
esac
