package org.sipcharge.billing.routing;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.EJB;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import org.sipcharge.billing.cff.ChargingFilterService;
import org.sipcharge.billing.cff.FilterDecision;
import org.sipcharge.billing.jms.CdrMessages;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The routing's configuration, filter and figures, shared by the router's message-driven bean instances. The
 * figures count since this instance started and include routings whose transaction later rolled back.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.SUPPORTS)
public class CdrRouter {

    private static final Logger LOG = Logger.getLogger(CdrRouter.class.getName());

    @EJB
    private ChargingFilterService cff;

    private BillingSystems systems;
    private RoutingFilter filter;
    private final Map<String, Counters> counters = new LinkedHashMap<>();
    private final AtomicLong deadLettered = new AtomicLong();
    private volatile boolean consuming;
    private volatile String lastError;

    /** Per billing system: CDRs sent to its queue at once, held for a window, kept from it by a rule. */
    public record Figures(long routed, long held, long filtered) {
    }

    private static final class Counters {
        final AtomicLong routed = new AtomicLong();
        final AtomicLong held = new AtomicLong();
        final AtomicLong filtered = new AtomicLong();
    }

    @PostConstruct
    void configure() {
        systems = BillingSystems.fromConfig();
        for (String s : systems.names()) {
            counters.put(s, new Counters());
        }
        filter = (system, cdr, now) -> {
            FilterDecision d = cff.decide(system, cdr, now);
            return new RoutingFilter.Decision(RoutingFilter.Action.valueOf(d.action().name()), d.releaseAt(), d.explanation());
        };
        LOG.info(() -> "BIL-051 CDRs are routed to " + systems.names() + " (queues " + BillingSystems.QUEUE_PREFIX
                + "<system>); " + (systems.legacy() == null ? "no legacy link" : systems.legacy() + " is behind the legacy link"));
    }

    public BillingSystems systems() {
        return systems;
    }

    public RoutingFilter.Decision decide(String system, CdrMessages.Checked checked, Instant now) {
        return filter.decide(system, checked.cdr(), now);
    }

    public void routed(String system) {
        counters.get(system).routed.incrementAndGet();
    }

    public void held(String system) {
        counters.get(system).held.incrementAndGet();
    }

    public void filtered(String system) {
        counters.get(system).filtered.incrementAndGet();
    }

    public void deadLettered(String reason) {
        deadLettered.incrementAndGet();
        lastError = reason;
    }

    public void consumerStarted() {
        consuming = true;
    }

    public void recordError(String error) {
        lastError = error;
    }

    public Map<String, Figures> figures() {
        Map<String, Figures> m = new LinkedHashMap<>();
        counters.forEach((k, c) -> m.put(k, new Figures(c.routed.get(), c.held.get(), c.filtered.get())));
        return m;
    }

    public long deadLetteredCount() {
        return deadLettered.get();
    }

    public boolean isConsuming() {
        return consuming;
    }

    public String lastError() {
        return lastError;
    }
}
