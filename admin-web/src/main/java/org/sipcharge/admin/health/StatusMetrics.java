package org.sipcharge.admin.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.sipcharge.admin.SystemStatus;
import org.sipcharge.charging.application.ChargingStatus;
import org.sipcharge.status.BillingConnectorStatus;
import org.sipcharge.status.SipTierStatus;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Gauges in the application registry ({@code /metrics?scope=application}), named sipcharge_*; each reads the
 * same figures as the status API. A part that is not available reads -1.
 */
@ApplicationScoped
public class StatusMetrics {

    @Inject
    SystemStatus status;

    @Inject
    MetricRegistry registry;

    void register(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        sip("sipcharge.sip.listening", r -> r.listening() ? 1 : 0);
        sip("sipcharge.calls.invites", SipTierStatus.Report::invitesReceived);
        sip("sipcharge.calls.answered", SipTierStatus.Report::callsAnswered);
        sip("sipcharge.calls.completed", SipTierStatus.Report::callsCompleted);
        sip("sipcharge.calls.failed", SipTierStatus.Report::callsFailed);
        sip("sipcharge.calls.active", SipTierStatus.Report::activeCalls);
        sip("sipcharge.sip.malformed", SipTierStatus.Report::malformedRejected);
        charging("sipcharge.diameter.cdf.listening", r -> r.cdfListening() ? 1 : 0);
        charging("sipcharge.diameter.rf.open", r -> r.rfPeerOpen() ? 1 : 0);
        charging("sipcharge.acr.received", ChargingStatus.Report::acrsReceived);
        charging("sipcharge.acr.answered.ok", ChargingStatus.Report::acrsAnsweredOk);
        charging("sipcharge.acr.answered.error", ChargingStatus.Report::acrsAnsweredError);
        charging("sipcharge.cdr.committed", ChargingStatus.Report::cdrsCommitted);
        charging("sipcharge.acr.buffer.backlog", ChargingStatus.Report::rfBufferBacklog);
        charging("sipcharge.cdr.outbox.backlog", ChargingStatus.Report::outboxBacklog);
        charging("sipcharge.acr.sessions.active", r -> r.rfSessions() == null ? 0 : r.rfSessions().active());
        charging("sipcharge.acr.sessions.owned", r -> r.rfSessions() == null ? 0 : r.rfSessions().ownedHere());
        charging("sipcharge.acr.interims.sent", r -> r.rfSessions() == null ? 0 : r.rfSessions().interimsSent());
        charging("sipcharge.acr.interims.takeovers", r -> r.rfSessions() == null ? 0 : r.rfSessions().takeovers());
        charging("sipcharge.acr.interims.late.p99.ms", r -> r.rfSessions() == null ? 0 : r.rfSessions().latenessP99Ms());
        charging("sipcharge.acr.out.of.sequence", r -> r.cdfRecords() == null ? 0 : r.cdfRecords().outOfSequence());
        charging("sipcharge.jms.healthy", r -> r.jmsHealthy() ? 1 : 0);
        charging("sipcharge.database.ok", r -> r.databaseError() == null ? 1 : 0);
        billing("sipcharge.billing.delivered", BillingConnectorStatus.Report::delivered);
        billing("sipcharge.billing.deadlettered", BillingConnectorStatus.Report::deadLettered);
        billing("sipcharge.billing.connected", r -> r.connected() ? 1 : 0);
        billing("sipcharge.billing.coordinator.self", r -> r.coordinator().isCoordinator() ? 1 : 0);
        billing("sipcharge.billing.coordinator.epoch", r -> r.coordinator().holderEpoch());
        billing("sipcharge.billing.fenced", r -> r.coordinator().fenced());
        billing("sipcharge.billing.backlog", r -> r.systems().stream().mapToLong(b -> Math.max(0, b.backlog())).sum());
    }

    // One scrape reads every gauge; each report costs JNDI lookups and, for charging, database counts. The reports
    // are therefore read once per second at most and shared by all gauges of a scrape.
    private final Cached<SipTierStatus.Report> sip = new Cached<>(() -> status.sip());
    private final Cached<ChargingStatus.Report> charging = new Cached<>(() -> status.charging());
    private final Cached<BillingConnectorStatus.Report> billing = new Cached<>(() -> status.billing());

    private void sip(String name, Function<SipTierStatus.Report, Number> f) {
        gauge(name, sip, f);
    }

    private void charging(String name, Function<ChargingStatus.Report, Number> f) {
        gauge(name, charging, f);
    }

    private void billing(String name, Function<BillingConnectorStatus.Report, Number> f) {
        gauge(name, billing, f);
    }

    /** A report read at most once per second. */
    private static final class Cached<R> implements Supplier<R> {
        private static final long MAX_AGE_NANOS = 1_000_000_000L;
        private final Supplier<R> source;
        private R value;
        private long readAt;
        private boolean read;

        Cached(Supplier<R> source) {
            this.source = source;
        }

        @Override
        public synchronized R get() {
            long now = System.nanoTime();
            if (!read || now - readAt > MAX_AGE_NANOS) {
                value = source.get();
                readAt = now;
                read = true;
            }
            return value;
        }
    }

    private <R> void gauge(String name, Supplier<R> report, Function<R, Number> f) {
        registry.gauge(name, () -> {
            R r = report.get();
            return r == null ? -1L : f.apply(r).longValue();
        });
    }
}
