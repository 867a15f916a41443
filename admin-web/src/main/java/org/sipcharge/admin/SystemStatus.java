package org.sipcharge.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import org.sipcharge.charging.application.ChargingStatus;
import org.sipcharge.status.BillingConnectorStatus;
import org.sipcharge.status.SipTierStatus;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every figure of this node, gathered from the EJB modules by JNDI (a module that failed to start shows as
 * unavailable instead of breaking the status page). The names are stable: scripts and runbooks read them.
 */
@ApplicationScoped
public class SystemStatus {

    static final String CHARGING_JNDI = "sipcharge-charging-ejb/DefaultChargingStatus!" + ChargingStatus.class.getName();
    static final String SIP_JNDI = "sipcharge-sip-b2bua/DefaultSipTierStatus!" + SipTierStatus.class.getName();
    static final String CFF_JNDI = "sipcharge-billing-connector/ChargingFilterService!" + org.sipcharge.cff.ChargingFilterAdmin.class.getName();
    static final String BILLING_JNDI = "sipcharge-billing-connector/DefaultBillingConnectorStatus!" + BillingConnectorStatus.class.getName();

    /**
     * The application's deployed name, read while deploying (when java:app is bound). Health checks and metrics
     * are called on the server's own threads, where java:app is not bound, so lookups use java:global with it.
     */
    private static volatile String appName = "sipcharge";

    void started(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        try {
            appName = (String) new InitialContext().lookup("java:app/AppName");
        } catch (NamingException e) {
            // keep the default deploy name
        }
    }

    /** The charging figures, or null when the charging module is not available. */
    public ChargingStatus.Report charging() {
        ChargingStatus s = lookup(CHARGING_JNDI, ChargingStatus.class);
        return s == null ? null : s.report();
    }

    /** One accounting session and the member that owns it, or null (no such session, or charging unavailable). */
    public ChargingStatus.SessionView session(String sessionKey) {
        ChargingStatus s = lookup(CHARGING_JNDI, ChargingStatus.class);
        return s == null ? null : s.session(sessionKey);
    }

    public SipTierStatus.Report sip() {
        SipTierStatus s = lookup(SIP_JNDI, SipTierStatus.class);
        return s == null ? null : s.report();
    }

    /** The charging filtering function's administration, or null when the billing module is not available. */
    public org.sipcharge.cff.ChargingFilterAdmin chargingFilter() {
        return lookup(CFF_JNDI, org.sipcharge.cff.ChargingFilterAdmin.class);
    }

    public BillingConnectorStatus.Report billing() {
        BillingConnectorStatus s = lookup(BILLING_JNDI, BillingConnectorStatus.class);
        return s == null ? null : s.report();
    }

    public Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        SipTierStatus.Report sip = sip();
        ChargingStatus.Report ch = charging();
        BillingConnectorStatus.Report bill = billing();
        boolean ready = sip != null && sip.listening() && ch != null && ch.cdfListening() && ch.rfPeerOpen()
                && ch.databaseError() == null && bill != null;
        // bill.consuming() turns true when the container creates the first consumer instance, which Payara does
        // lazily (MDB steady pool 0), so it is reported, not required.
        m.put("ready", ready);
        if (sip == null) {
            m.put("sip.available", false);
        } else {
            m.put("sip.listening", sip.listening());
            m.put("sip.address", sip.listenAddress());
            m.put("sip.error", sip.startError());
            m.put("sip.malformedRejected", sip.malformedRejected());
            m.put("calls.invites", sip.invitesReceived());
            m.put("calls.answered", sip.callsAnswered());
            m.put("calls.completed", sip.callsCompleted());
            m.put("calls.failed", sip.callsFailed());
            m.put("calls.cancelled", sip.callsCancelled());
            m.put("calls.active", sip.activeCalls());
        }
        if (ch == null) {
            m.put("diameter.available", false);
        } else {
            m.put("diameter.cdf.listening", ch.cdfListening());
            m.put("diameter.cdf.address", ch.cdfAddress());
            m.put("diameter.cdf.error", ch.cdfError());
            m.put("diameter.rf.peerOpen", ch.rfPeerOpen());
            m.put("diameter.rf.peerState", ch.rfPeerState());
            m.put("diameter.rf.peer", ch.rfPeerAddress());
            m.put("acr.sent", ch.rfAcrsSent());
            m.put("acr.answeredOkAtClient", ch.rfAcasOk());
            m.put("acr.failedAtClient", ch.rfFailures());
            m.put("acr.bufferedAtClient", ch.rfBuffered());
            m.put("acr.bufferBacklog", ch.rfBufferBacklog());
            m.put("acr.retransmittedAtClient", ch.rfRetransmissions());
            m.put("acr.received", ch.acrsReceived());
            m.put("acr.answeredOk", ch.acrsAnsweredOk());
            m.put("acr.answeredError", ch.acrsAnsweredError());
            m.put("acr.duplicates", ch.acrDuplicates());
            m.put("acr.recordsStored", ch.acrRecordsStored());
            if (ch.cdfRecords() != null) {
                m.put("acr.recorded.start", ch.cdfRecords().starts());
                m.put("acr.recorded.interim", ch.cdfRecords().interims());
                m.put("acr.recorded.stop", ch.cdfRecords().stops());
                m.put("acr.recorded.event", ch.cdfRecords().events());
                m.put("acr.outOfSequence", ch.cdfRecords().outOfSequence());
                m.put("acr.sessionsClosedSilent", ch.cdfRecords().sessionsClosedSilent());
                m.put("acr.duplicatesWithoutTFlag", ch.cdfRecords().duplicatesWithoutRetransmissionFlag());
                m.put("acr.groupCommits", ch.cdfRecords().groupCommits());
                m.put("acr.groupsReadAgain", ch.cdfRecords().groupsReadAgain());
                m.put("acr.groupsOneByOne", ch.cdfRecords().groupsOneByOne());
            }
            m.put("acr.activeSessions", ch.activeAccountingSessions());
            ChargingStatus.RfSessions rs = ch.rfSessions();
            if (rs != null) {
                m.put("acr.sessions.store", rs.store());
                m.put("acr.sessions.ownedHere", rs.ownedHere());
                m.put("acr.sessions.timersArmed", rs.timersArmed());
                m.put("acr.interims.sent", rs.interimsSent());
                m.put("acr.interims.takeovers", rs.takeovers());
                m.put("acr.interims.lateP50Ms", rs.latenessP50Ms());
                m.put("acr.interims.lateP99Ms", rs.latenessP99Ms());
                m.put("acr.interims.lateMaxMs", rs.latenessMaxMs());
            }
            m.put("cdr.committed", ch.cdrsCommitted());
            m.put("cdr.outboxBacklog", ch.outboxBacklog());
            m.put("cdr.published", ch.cdrsPublished());
            m.put("cdr.databaseError", ch.databaseError());
            m.put("jms.healthy", ch.jmsHealthy());
            m.put("jms.lastError", ch.jmsLastError());
        }
        if (bill == null) {
            m.put("billing.available", false);
        } else {
            m.put("billing.address", bill.billingAddress());
            m.put("billing.connected", bill.connected());
            m.put("billing.consuming", bill.consuming());
            m.put("billing.delivered", bill.delivered());
            m.put("billing.rejected", bill.rejected());
            m.put("billing.deadLettered", bill.deadLettered());
            m.put("billing.lastError", bill.lastError());
            BillingConnectorStatus.Coordinator c = bill.coordinator();
            m.put("billing.instance", c.instance());
            m.put("billing.coordinator", c.holder());
            m.put("billing.coordinator.epoch", c.holderEpoch());
            m.put("billing.coordinator.self", c.isCoordinator());
            m.put("billing.coordinator.participating", c.participating());
            m.put("billing.link", c.linkState());
            m.put("billing.fenced", c.fenced());
            m.put("billing.elections", c.elections());
            m.put("billing.resignations", c.resignations());
            m.put("billing.coordinator.storeError", c.storeError());
            m.put("billing.cdrFiles", c.cdrFiles());
            for (BillingConnectorStatus.Member member : c.members()) {
                m.put("billing.member." + member.instance(), member.role() + " epoch=" + member.epoch()
                        + " heartbeat=" + member.millisSinceHeartbeat() + "ms ago");
            }
            for (BillingConnectorStatus.BillingSystem b : bill.systems()) {
                String k = "billing.system." + b.name() + ".";
                m.put(k + "queue", b.queue());
                m.put(k + "legacyLink", b.legacyLink());
                m.put(k + "routed", b.routed());
                m.put(k + "held", b.held());
                m.put(k + "filtered", b.filtered());
                m.put(k + "backlog", b.backlog());
            }
        }
        return m;
    }

    private static <T> T lookup(String moduleName, Class<T> type) {
        try {
            return type.cast(new InitialContext().lookup("java:global/" + appName + "/" + moduleName));
        } catch (NamingException | RuntimeException e) {
            return null;
        }
    }
}
