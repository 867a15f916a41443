package org.sipcharge.charging.infrastructure.jms;

import jakarta.ejb.Asynchronous;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.Schedule;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drives the outbox relay: at once after each committed CDR ({@link #kick}) and every second as a safety net,
 * so a CDR left behind by a broker outage or a restart is published when the broker is back.
 * One drain runs at a time; a kick during a drain makes that drain go round once more.
 */
@Singleton
@Startup
@DependsOn("SchemaMigrations")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class CdrOutboxScheduler {

    private static final Logger LOG = Logger.getLogger(CdrOutboxScheduler.class.getName());
    /** CDRs per JMS/database transaction: batching is what makes the journal fast (PLATFORM.md figures). */
    static final int BATCH_SIZE = 200;

    @EJB
    private CdrOutboxRelay relay;

    private final ReentrantLock draining = new ReentrantLock();
    private final AtomicBoolean again = new AtomicBoolean();
    private final AtomicLong published = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private volatile Instant lastSuccess;
    private volatile boolean failing;

    @Asynchronous
    public void kick() {
        drain();
    }

    private final AtomicLong ticks = new AtomicLong();
    /** How long without a successful probe or publication before JMS counts as unhealthy (probe every 5 s). */
    static final java.time.Duration STALE_AFTER = java.time.Duration.ofSeconds(20);

    @Schedule(hour = "*", minute = "*", second = "*", persistent = false, info = "sipcharge CDR outbox")
    void everySecond() {
        drain();
        // With nothing to publish the broker is not touched; probe it every 5 s so health reflects an outage.
        if ((ticks.incrementAndGet() % 5 == 0 || lastSuccess == null) && draining.tryLock()) {
            try {
                relay.probeBroker();
                recovered();
            } catch (RuntimeException e) {
                failed(e);
            } finally {
                draining.unlock();
            }
        }
    }

    private void recovered() {
        lastSuccess = Instant.now();
        if (failing) {
            LOG.info("CDF-043 CDR publication to JMS works again");
            failing = false;
        }
    }

    private void failed(RuntimeException e) {
        lastError.set(Instant.now() + " " + rootMessage(e));
        if (!failing) {
            // Logged once per outage, not every second; the CDRs stay in the outbox and are retried.
            LOG.log(Level.SEVERE, "CDF-042 the JMS broker cannot be used; CDRs stay in the outbox and are retried every second", e);
            failing = true;
        }
    }

    private void drain() {
        again.set(true);
        while (again.get()) {
            if (!draining.tryLock()) {
                return; // the running drain sees 'again' and goes round once more
            }
            try {
                again.set(false);
                int n;
                long total = 0;
                do {
                    n = relay.publishBatch(BATCH_SIZE);
                    published.addAndGet(n);
                    total += n;
                } while (n == BATCH_SIZE);
                if (total > 0) {
                    recovered(); // only a real publication proves the broker works; an empty outbox proves nothing
                }
            } catch (RuntimeException e) {
                failed(e);
                return;
            } finally {
                draining.unlock();
            }
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }

    public long published() {
        return published.get();
    }

    /**
     * The broker was usable within the last {@link #STALE_AFTER}: a probe or publication succeeded. A call that
     * hangs (the resource adapter reconnects forever while the broker is away) makes the figure go stale, so health
     * turns DOWN during an outage even when no call has failed yet.
     */
    public boolean healthy() {
        Instant ok = lastSuccess;
        return !failing && ok != null && ok.isAfter(Instant.now().minus(STALE_AFTER));
    }

    public String lastError() {
        return lastError.get();
    }

    public Instant lastSuccess() {
        return lastSuccess;
    }
}
