package org.sipcharge.charging.application.internal;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.Schedule;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import org.sipcharge.charging.domain.model.accounting.AccountingAnswer;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.domain.model.accounting.PendingAccountingRequest;
import org.sipcharge.charging.infrastructure.diameter.RfClient;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps ACRs that no CDF answered, durably, and sends them again, oldest first, once a CDF answers again
 * (TS 32.299 6.1.2; RFC 6733 9.4 for the T flag on a record that may have reached the CDF before).
 *
 * <p>Order per session: once a session has a buffered record, its later records are buffered too rather than
 * sent ({@link #holdsBackLogFor}), so a CDF never sees record n+1 before record n. The set of such sessions is
 * rebuilt from the database at start, so the rule holds across a restart.
 */
@Singleton
@Startup
@DependsOn("SchemaMigrations")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class AcrBuffer {

    private static final Logger LOG = Logger.getLogger(AcrBuffer.class.getName());
    /** Records sent per drain round; the round stops at the first failure. */
    static final int DRAIN_BATCH = 100;
    private static final long ANSWER_WAIT_SECONDS = 10;

    @EJB
    private AcrBufferStore store;
    @EJB
    private RfClient rf;

    /**
     * Sessions with buffered records. Read without a lock by every send; changed only under the session's stripe of
     * {@link #stripes}, together with the database write that makes it true or false. One lock for all sessions made
     * every send wait behind each buffered record's commit: after a CDF outage under load, thousands of sends queued
     * behind the buffer's writes one by one and the interim timers' threads with them (INTERIMs sent 30 s and more
     * late, 100,000-call benchmark, 2026-12-06). Only the records of one session must keep their order.
     */
    private final Set<String> sessionsWithBacklog = ConcurrentHashMap.newKeySet();
    private final Object[] stripes = new Object[64];

    {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    private Object stripeOf(String sessionId) {
        return stripes[Math.floorMod(sessionId.hashCode(), stripes.length)];
    }
    private final ReentrantLock draining = new ReentrantLock();
    private final AtomicLong buffered = new AtomicLong();
    private final AtomicLong drained = new AtomicLong();

    @PostConstruct
    void load() {
        try {
            List<String> sessions = store.sessions();
            sessionsWithBacklog.addAll(sessions);
            if (!sessions.isEmpty()) {
                LOG.log(Level.WARNING, "RF-043 {0} accounting sessions have ACRs buffered from before this start; they are sent when a CDF answers",
                        sessions.size());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "RF-044 could not read the ACR buffer at start", e);
        }
    }

    /** True when the session has buffered records: the caller must then buffer, not send. */
    public boolean holdsBackLogFor(String sessionId) {
        return sessionsWithBacklog.contains(sessionId);
    }

    /**
     * Buffers a record durably. Throws when the database refuses it too: the caller then still has the record and
     * must report it as lost (RF-020), since nothing else can keep it.
     */
    public void add(AccountingRequest request, int endToEnd, String why) {
        synchronized (stripeOf(request.sessionId())) {
            store.add(request, endToEnd, why);
            sessionsWithBacklog.add(request.sessionId());
        }
        buffered.incrementAndGet();
        LOG.log(Level.WARNING, "RF-021 {0} record {1} of session {2} buffered durably until a CDF answers ({3})",
                new Object[]{request.type(), request.recordNumber(), request.sessionId(), why});
    }

    @Schedule(hour = "*", minute = "*", second = "*", persistent = false, info = "sipcharge ACR buffer")
    void drainEverySecond() {
        if (!rf.peerOpen() || !draining.tryLock()) {
            return;
        }
        try {
            drain();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "RF-042 draining the ACR buffer failed, next try in a second: " + e, e);
        } finally {
            draining.unlock();
        }
    }

    private void drain() {
        List<PendingAccountingRequest> batch;
        if (sessionsWithBacklog.isEmpty()) {
            return;
        }
        batch = store.oldest(DRAIN_BATCH);
        for (PendingAccountingRequest p : batch) {
            AccountingRequest request = p.toRequest();
            AccountingAnswer answer;
            String error;
            try {
                answer = rf.send(request, p.endToEnd(), 1).toCompletableFuture().get(ANSWER_WAIT_SECONDS, TimeUnit.SECONDS);
                error = answer.success() ? null : "Result-Code " + answer.resultCode();
                if (error != null && !answer.retryable()) {
                    // A permanent refusal (5xxx) will not change by sending again; keeping it would block the session forever.
                    LOG.log(Level.SEVERE, "RF-023 the CDF refused buffered {0} record {1} of session {2} permanently ({3}); "
                            + "removed from the buffer, its data is in this log line and in PENDING_ACR history only",
                            new Object[]{request.type(), request.recordNumber(), request.sessionId(), error});
                    error = null;
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                error = e.toString();
            }
            if (error != null) {
                store.failedAgain(p.id(), error);
                return; // keep the order: nothing after a record that did not go through
            }
            synchronized (stripeOf(p.sessionId())) {
                if (store.remove(p.id(), p.sessionId()) == 0) {
                    sessionsWithBacklog.remove(p.sessionId());
                }
            }
            drained.incrementAndGet();
            LOG.log(Level.INFO, "RF-022 buffered {0} record {1} of session {2} answered by the CDF",
                    new Object[]{request.type(), request.recordNumber(), request.sessionId()});
        }
    }

    public long buffered() {
        return buffered.get();
    }

    public long drained() {
        return drained.get();
    }

    /** Records in the buffer now, or -1 when the database cannot be read. */
    public long backlog() {
        try {
            return store.count();
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
