#!/usr/bin/env bash
# JMS resources of a running Payara domain for sipcharge (called by resources.sh; can be run alone):
#   - the Artemis resource adapter server-config/target/artemis-rar.rar deployed as "artemis-ra"
#   - its resource-adapter-config: Netty connector to $SIPCHARGE_HOST:$SIPCHARGE_ARTEMIS_PORT
#   - connector connection pool SipchargeJmsPool (XATransaction) and connection factory jms/sipcharge/ConnectionFactory
#   - admin objects jms/sipcharge/CdrQueue (sipcharge.cdr) and jms/sipcharge/CdrDeadLetterQueue (sipcharge.cdr.dlq)
# Idempotent: existing resources are kept; a broker host/port or queue address that changed is updated.
# Names must match org.sipcharge.cdr.CdrJmsContract.
set -euo pipefail
. "$(dirname "$0")/common.sh"

RA_NAME=artemis-ra
RAR="$SIPCHARGE_ROOT/server-config/target/artemis-rar.rar"
POOL=SipchargeJmsPool
CF_JNDI=jms/sipcharge/ConnectionFactory
CONNECTOR_CLASS=org.apache.activemq.artemis.core.remoting.impl.netty.NettyConnectorFactory
CONNECTION_PARAMETERS="host=$SIPCHARGE_HOST;port=$SIPCHARGE_ARTEMIS_PORT"
: "${SIPCHARGE_JMS_POOL_MAX:=32}"   # maximum JMS connections (managed sessions) in SipchargeJmsPool

[ -x "$PAYARA_HOME/bin/asadmin" ] || die "Payara is not installed at $PAYARA_HOME (run payara.sh start first)"
asadmin uptime >/dev/null 2>&1 || die "the Payara domain does not answer on admin port $SIPCHARGE_ADMIN_PORT (run payara.sh start first)"

# asadmin --property syntax: name=value pairs separated by ':'; '=' and ':' inside a value are escaped.
escape_value() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/=/\\=/g' -e 's/:/\\:/g'; }
# Value of a dotted name, empty if it does not exist.
get_value() { local out; out=$(asadmin get "$1" 2>/dev/null) || return 0; sed -n "s|^$1=||p" <<<"$out" | sed -n 1p; }
# Whether a list-* command names an item (its output is read whole first: no SIGPIPE games under pipefail).
listed() { local out; out=$(asadmin "$1" 2>/dev/null || true); grep -qxF -- "$2" <<<"$out"; }
ra_deployed() {
  local out; out=$(asadmin list-applications --type connector 2>/dev/null || true)
  awk '{print $1}' <<<"$out" | grep -qxF -- "$RA_NAME"
}

# 1. The resource adapter configuration (before the deployment, so that the adapter starts with it).
ra_props="ConnectorClassName=$(escape_value "$CONNECTOR_CLASS"):ConnectionParameters=$(escape_value "$CONNECTION_PARAMETERS")"
ra_config_changed=false
if listed list-resource-adapter-configs "$RA_NAME"; then
  current=$(get_value "resources.resource-adapter-config.$RA_NAME.property.ConnectionParameters")
  current_class=$(get_value "resources.resource-adapter-config.$RA_NAME.property.ConnectorClassName")
  if [ "$current" != "$CONNECTION_PARAMETERS" ] || [ "$current_class" != "$CONNECTOR_CLASS" ]; then
    log "updating resource adapter config $RA_NAME: ConnectionParameters '$current' -> '$CONNECTION_PARAMETERS'"
    asadmin delete-resource-adapter-config "$RA_NAME" >/dev/null
    asadmin create-resource-adapter-config --property "$ra_props" "$RA_NAME" >/dev/null
    ra_config_changed=true
  fi
else
  log "creating resource adapter config $RA_NAME (broker $SIPCHARGE_HOST:$SIPCHARGE_ARTEMIS_PORT)"
  asadmin create-resource-adapter-config --property "$ra_props" "$RA_NAME" >/dev/null
fi

# 2. The resource adapter. A rebuilt RAR (other checksum than the deployed one) is redeployed in place;
#    the pools and admin objects that use it stay.
RAR_SUM_FILE="$PAYARA_HOME/glassfish/domains/$SIPCHARGE_DOMAIN/config/sipcharge-$RA_NAME.sha256"
rar_sum=none
if [ -f "$RAR" ]; then
  rar_sum=$(sha256sum "$RAR" | cut -d' ' -f1)
elif ! ra_deployed; then
  die "$RAR is missing: build it with 'mvn -B -f $SIPCHARGE_ROOT/server-config/pom.xml install' (or the whole project)"
else
  log "$RAR is missing; keeping the deployed $RA_NAME"
fi
if ! ra_deployed; then
  log "deploying $RAR as $RA_NAME"
  asadmin deploy --type rar --name "$RA_NAME" "$RAR" >/dev/null || die "could not deploy $RAR (see the domain's server.log)"
  echo "$rar_sum" >"$RAR_SUM_FILE"
elif [ "$rar_sum" != none ] && [ "$(cat "$RAR_SUM_FILE" 2>/dev/null || true)" != "$rar_sum" ]; then
  log "redeploying $RA_NAME ($RAR changed)"
  asadmin deploy --force=true --type rar --name "$RA_NAME" "$RAR" >/dev/null || die "could not redeploy $RAR (see the domain's server.log)"
  echo "$rar_sum" >"$RAR_SUM_FILE"
elif [ "$ra_config_changed" = true ]; then
  # The adapter reads its configuration when it starts: restart it so that it connects to the new broker address.
  log "restarting resource adapter $RA_NAME to apply its new configuration"
  { asadmin disable "$RA_NAME" >/dev/null && asadmin enable "$RA_NAME" >/dev/null; } \
    || die "could not restart resource adapter $RA_NAME; restart the domain (payara.sh stop; payara.sh start)"
fi

# 3. Outbound: connection pool and connection factory.
if ! listed list-connector-connection-pools "$POOL"; then
  log "creating connector connection pool $POOL"
  asadmin create-connector-connection-pool --raname "$RA_NAME" \
    --connectiondefinition jakarta.jms.ConnectionFactory --transactionsupport XATransaction \
    --steadypoolsize 1 --maxpoolsize "$SIPCHARGE_JMS_POOL_MAX" \
    "$POOL" >/dev/null
fi
if ! listed list-connector-resources "$CF_JNDI"; then
  log "creating connector resource $CF_JNDI"
  asadmin create-connector-resource --poolname "$POOL" "$CF_JNDI" >/dev/null
fi

# 4. Destinations (admin objects of the adapter).
admin_object() { # jndi-name address
  local jndi=$1 address=$2
  if listed list-admin-objects "$jndi"; then
    local current; current=$(get_value "resources.admin-object-resource.$jndi.property.Address")
    if [ "$current" != "$address" ]; then
      log "updating admin object $jndi: Address '$current' -> '$address'"
      asadmin set "resources.admin-object-resource.$jndi.property.Address=$address" >/dev/null
    fi
  else
    log "creating admin object $jndi (queue $address)"
    asadmin create-admin-object --raname "$RA_NAME" --restype jakarta.jms.Queue \
      --property "Address=$(escape_value "$address")" "$jndi" >/dev/null
  fi
}
admin_object jms/sipcharge/CdrQueue sipcharge.cdr
admin_object jms/sipcharge/CdrDeadLetterQueue sipcharge.cdr.dlq

log "JMS resources configured (resource adapter $RA_NAME -> broker $SIPCHARGE_HOST:$SIPCHARGE_ARTEMIS_PORT)"
