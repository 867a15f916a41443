package org.sipcharge.charging.infrastructure.jms;

import jakarta.ejb.Asynchronous;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.Schedule;
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

    @Schedule(hour = "*", minute = "*", second = "*", persistent = false, info = "sipcharge CDR outbox")
    void everySecond() {
        drain();
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
                do {
                    n = relay.publishBatch(BATCH_SIZE);
                    published.addAndGet(n);
                } while (n == BATCH_SIZE);
                lastSuccess = Instant.now();
                if (failing) {
                    LOG.info("CDF-043 CDR publication to JMS works again");
                    failing = false;
                }
            } catch (RuntimeException e) {
                lastError.set(Instant.now() + " " + rootMessage(e));
                if (!failing) {
                    // Logged once per outage, not every second; the CDRs stay in the outbox and are retried.
                    LOG.log(Level.SEVERE, "CDF-042 CDR publication to JMS failed, CDRs stay in the outbox and are retried every second", e);
                    failing = true;
                }
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

    public boolean healthy() {
        return !failing;
    }

    public String lastError() {
        return lastError.get();
    }

    public Instant lastSuccess() {
        return lastSuccess;
    }
}
