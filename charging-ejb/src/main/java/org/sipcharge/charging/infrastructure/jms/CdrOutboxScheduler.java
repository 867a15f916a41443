package org.sipcharge.charging.infrastructure.jms;

import jakarta.ejb.Asynchronous;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.Schedule;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drives the outbox relay: after each committed CDR ({@link #kick}; at once, or {@link #LINGER_NANOS} after the last
 * batch that emptied the outbox) and every second as a safety net, so a CDR left behind by a broker outage or a
 * restart is published when the broker is back.
 * One drain runs at a time; a kick during a drain makes that drain go round once more.
 *
 * <p>No transaction of its own ({@code NOT_SUPPORTED}): each batch is a transaction of the relay, and a failed
 * batch never rolls back the timer's delivery (Payara expunges a periodic timer whose deliveries keep rolling back,
 * and the outbox would then move only when a new CDR kicks it).
 */
@Singleton
@Startup
@DependsOn("SchemaMigrations")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class CdrOutboxScheduler {

    private static final Logger LOG = Logger.getLogger(CdrOutboxScheduler.class.getName());
    /** CDRs per JMS/database transaction: batching is what makes the journal fast (PLATFORM.md figures). */
    static final int BATCH_SIZE = 200;
    /**
     * After a batch that was not full (the outbox is empty), the next drain waits until this long after it, so that a
     * busy CDF's CDRs leave in batches rather than a few at a time after every group commit: each batch costs two
     * commits (database and broker) and a JMS session whatever its size; this bounds the batches that are not full to
     * 50 a second. (Its own effect on CPU was not measured apart from the changes it came with; BENCHMARKS.md.) A CDR
     * waits at most this much longer for its publication; nothing waits for it before the ACA, which follows the
     * database commit.
     */
    static final long LINGER_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20);

    @EJB
    private CdrOutboxRelay relay;

    private final ReentrantLock draining = new ReentrantLock();
    private final AtomicBoolean again = new AtomicBoolean();
    private final AtomicLong published = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private volatile Instant lastSuccess;
    private volatile boolean failing;
    /** System.nanoTime() when the last batch that was not full ended (read and written under {@link #draining}). */
    private long lastPartialBatch = System.nanoTime() - LINGER_NANOS;

    @Asynchronous
    public void kick() {
        drain();
    }

    private final AtomicLong ticks = new AtomicLong();
    /** How long without a successful probe or publication before JMS counts as unhealthy (probe every 5 s). */
    static final java.time.Duration STALE_AFTER = java.time.Duration.ofSeconds(20);
    /** A CDR older than this still in the outbox is reported (CDF-046), once a minute while it lasts. */
    static final java.time.Duration OUTBOX_WAIT_REPORTED = java.time.Duration.ofSeconds(60);
    private volatile Instant lastWaitReport = Instant.EPOCH;

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
        if (ticks.get() % 15 == 0) {
            reportLongWait();
        }
    }

    /**
     * Says so when a CDR has waited in the outbox for over a minute while the broker answers: rows locked by a
     * transaction that never ends (a prepared XA branch left by a crash of an older release), or a relay that cannot
     * keep up. Without this, the only sign would be a backlog figure that does not fall.
     */
    private void reportLongWait() {
        try {
            Instant now = Instant.now();
            relay.oldestUnpublished().ifPresent(w -> {
                java.time.Duration waited = java.time.Duration.between(w.committedAt(), now);
                if (waited.compareTo(OUTBOX_WAIT_REPORTED) > 0 && !failing
                        && java.time.Duration.between(lastWaitReport, now).compareTo(OUTBOX_WAIT_REPORTED) >= 0) {
                    lastWaitReport = now;
                    LOG.warning(() -> "CDF-046 CDR " + w.cdrId() + " has waited " + waited.toSeconds() + " s in the outbox ("
                            + relay.backlog() + " unpublished) although the broker answers: the relay is still catching up"
                            + " after an outage, or, if this CDR stays first, its row is locked by a transaction left prepared"
                            + " by a crash (INFORMATION_SCHEMA.IN_DOUBT on H2, pg_prepared_xacts on PostgreSQL; see"
                            + " server-config/README.md, CDR outbox)");
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "outbox wait check failed", e);
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
        lastError.set(Instant.now() + " " + CdrOutboxRelay.rootMessage(e));
        if (!failing) {
            // Logged once per outage, not every second; the CDRs stay in the outbox and are retried.
            LOG.log(Level.SEVERE, "CDF-042 CDRs cannot be published (the JMS broker or the CDF database fails: "
                    + CdrOutboxRelay.rootMessage(e) + "); they stay in the outbox and are retried every second", e);
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
                linger();
                again.set(false);
                int n;
                long total = 0;
                do {
                    n = relay.publishBatch(BATCH_SIZE);
                    published.addAndGet(n);
                    total += n;
                } while (n == BATCH_SIZE);
                lastPartialBatch = System.nanoTime();
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

    /** Waits out {@link #LINGER_NANOS} since the last batch that emptied the outbox (the caller holds the lock). */
    private void linger() {
        long wait;
        while ((wait = lastPartialBatch + LINGER_NANOS - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
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
