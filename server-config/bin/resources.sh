#!/usr/bin/env bash
# Configures a running Payara domain for sipcharge: Hazelcast cluster name, JVM options, system properties
# (ports and peers), the CDF database (jdbc/sipcharge) and the JMS resources (jms-resources.sh).
# Idempotent: safe to run again; values that exist are updated, resources that exist are kept.
set -euo pipefail
. "$(dirname "$0")/common.sh"

# A cluster name of our own, so that two runs on one machine never join each other's grid (PLATFORM.md).
asadmin set-hazelcast-configuration --clusterName "$SIPCHARGE_CLUSTER_NAME" --dynamic=true >/dev/null

# System properties read by the application through MicroProfile Config (see server-config/README.md).
# A ':' inside a value must be escaped for asadmin.
ensure_admin_password
props=(
  "sipcharge.admin.password-file=$ADMIN_PASSWORD_FILE"
  "sipcharge.sip.host=$SIPCHARGE_HOST"
  "sipcharge.sip.port=$SIPCHARGE_SIP_PORT"
  "sipcharge.b2bua.next-hop=$SIPCHARGE_HOST\\:$SIPCHARGE_UAS_PORT"
  "sipcharge.cdf.listen-host=$SIPCHARGE_HOST"
  "sipcharge.cdf.listen-port=$SIPCHARGE_DIAMETER_PORT"
  "sipcharge.ctf.cdf-host=$SIPCHARGE_CTF_CDF_HOST"
  "sipcharge.ctf.cdf-port=$SIPCHARGE_CTF_CDF_PORT"
  "sipcharge.billing.host=$SIPCHARGE_HOST"
  "sipcharge.billing.port=$SIPCHARGE_BILLING_PORT"
)
if [ -n "${SIPCHARGE_EXTRA_PROPERTIES:-}" ]; then
  # e.g. SIPCHARGE_EXTRA_PROPERTIES="sipcharge.cdf.interim-interval-seconds=2 sipcharge.cdf.node-id=cdf7"
  read -r -a extra <<<"$SIPCHARGE_EXTRA_PROPERTIES"
  props+=("${extra[@]}")
fi
joined=$(IFS=:; echo "${props[*]}")
asadmin create-system-properties "$joined" >/dev/null

# XA recovery at start: after a crash (kill -9, power loss) between the two phases of an outbox publication, the
# CDR row stays locked by the prepared branch in the database and the message by the one in Artemis until the
# transaction manager resolves them from its log. Payara does that only with automatic recovery on (off by
# default); without it the outbox stops at the locked row for good (found by CdrNoLossIT).
asadmin set configs.config.server-config.transaction-service.automatic-recovery=true >/dev/null
asadmin set configs.config.default-config.transaction-service.automatic-recovery=true >/dev/null 2>&1 || true

# The CDF database. Default: embedded H2 in the domain directory, through its XA data source, so that a CDR
# row and its JMS message can commit in one XA transaction. For PostgreSQL see server-config/README.md.
# WRITE_DELAY=0: H2's MVStore otherwise writes committed changes to its file up to a second later (its
# autoCommitDelay, 1000 ms), so a crash of the server right after a commit loses transactions already answered 2001
# (measured: 18,432 of 20,000 committed rows survived a halt). With 0 each commit is written to the file before it
# returns (the OS page cache: it survives the process, not a power cut; H2 does not fsync per commit).
# --sqltracelisteners null: Payara gives a new pool its SilentSqlTraceListener, which does nothing but makes the
# resource adapter wrap every connection and statement in a profiling proxy (each JDBC call, a setString or setLong of
# the CDF's group commit, through reflection). "null" is the value Payara's jdbc-ra reads as no listener; a listener
# can still be set later (asadmin set resources.jdbc-connection-pool.SipchargePool.sql-trace-listeners=...).
if ! asadmin list-jdbc-connection-pools 2>/dev/null | grep -qx SipchargePool; then
  if [ "$SIPCHARGE_DB" = postgres ]; then
    # An operator's database (SIPCHARGE_PG_URL, _USER, _PASSWORD_FILE), else the private cluster of postgres.sh.
    if [ -z "${SIPCHARGE_PG_URL:-}" ]; then
      "$(dirname "$0")/postgres.sh" start
      pg_host=127.0.0.1; pg_port=$SIPCHARGE_PG_PORT; pg_db=sipcharge; pg_user=sipcharge
      pg_password=$(cat "$SIPCHARGE_RUN_DIR/postgres.password")
    else
      # jdbc:postgresql://host:port/database
      pg_rest=${SIPCHARGE_PG_URL#jdbc:postgresql://}
      pg_host=${pg_rest%%[:/]*}; pg_db=${pg_rest##*/}
      pg_port=$(printf %s "$pg_rest" | sed -n 's|^[^:/]*:\([0-9]*\)/.*|\1|p'); pg_port=${pg_port:-5432}
      pg_user=${SIPCHARGE_PG_USER:?SIPCHARGE_PG_USER is required with SIPCHARGE_PG_URL}
      pg_password=$(cat "${SIPCHARGE_PG_PASSWORD_FILE:?SIPCHARGE_PG_PASSWORD_FILE is required with SIPCHARGE_PG_URL}")
    fi
    log "creating JDBC pool SipchargePool (PostgreSQL $pg_host:$pg_port/$pg_db, XA)"
    asadmin create-jdbc-connection-pool \
      --datasourceclassname org.postgresql.xa.PGXADataSource --restype javax.sql.XADataSource \
      --steadypoolsize 4 --maxpoolsize 32 --isconnectvalidatereq=true --validationmethod auto-commit \
      --sqltracelisteners null \
      --property "serverName=$pg_host:portNumber=$pg_port:databaseName=$pg_db:user=$pg_user:password=$pg_password" \
      SipchargePool >/dev/null
  else
    log "creating JDBC pool SipchargePool (H2, embedded in the domain)"
    # The embedded database gets a password of its own, made on first use and kept in the run directory (mode 600).
    pwfile="$SIPCHARGE_RUN_DIR/h2-database.password"
    if [ ! -s "$pwfile" ]; then
      (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$pwfile")
    fi
    asadmin create-jdbc-connection-pool \
      --datasourceclassname org.h2.jdbcx.JdbcDataSource --restype javax.sql.XADataSource \
      --steadypoolsize 4 --maxpoolsize 32 --isconnectvalidatereq=true --validationmethod auto-commit \
      --sqltracelisteners null \
      --property 'url=jdbc\:h2\:${com.sun.aas.instanceRoot}/lib/databases/sipcharge;DB_CLOSE_ON_EXIT\=FALSE;WRITE_DELAY\=0:user=sipcharge:password='"$(cat "$pwfile")" \
      SipchargePool >/dev/null
  fi
fi
if ! asadmin list-jdbc-resources 2>/dev/null | grep -qx jdbc/sipcharge; then
  asadmin create-jdbc-resource --connectionpoolid SipchargePool jdbc/sipcharge >/dev/null
fi
asadmin ping-connection-pool SipchargePool >/dev/null || die "database pool SipchargePool does not answer"

"$(dirname "$0")/jms-resources.sh"
log "domain resources configured"
