package org.sipcharge.charging.application.internal;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.EJBException;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import org.sipcharge.charging.infrastructure.config.ChargingConfig;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The CDF's supervision of accounting sessions: a session that sends neither INTERIM nor STOP for
 * {@code sipcharge.cdf.session-timeout-intervals} times the Acct-Interim-Interval this CDF asks for (or for
 * {@code sipcharge.cdf.session-timeout-seconds} when it asks for no interims) is closed with an incomplete CDR
 * (TS 32.298 incomplete-CDR-indication: STOP lost), so that a CTF that died or lost its records does not keep a
 * session, and its charge, open for ever. Each closure is its own transaction (CDF-030).
 */
@Singleton
@Startup
@DependsOn("SchemaMigrations")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class CdfSessionSupervisor {

    private static final Logger LOG = Logger.getLogger(CdfSessionSupervisor.class.getName());
    /** Sessions closed per pass at most, so one pass never holds the database for long. */
    private static final int MAX_PER_PASS = 500;

    @EJB
    private CdfAccountingService accounting;

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    private ManagedScheduledExecutorService scheduler;

    private Duration timeout;
    private String nodeId;
    private ScheduledFuture<?> pass;
    private final AtomicLong closed = new AtomicLong();

    @PostConstruct
    void start() {
        ChargingConfig config = ChargingConfig.load();
        if (!config.getBoolean("sipcharge.cdf.enabled", true)) {
            return;
        }
        nodeId = config.get("sipcharge.cdf.node-id", "cdf1");
        long interval = config.getInt("sipcharge.cdf.interim-interval-seconds", 300);
        int intervals = Math.max(2, config.getInt("sipcharge.cdf.session-timeout-intervals", 3));
        long fallback = config.getInt("sipcharge.cdf.session-timeout-seconds", 86_400);
        timeout = Duration.ofSeconds(interval > 0 ? interval * intervals : fallback);
        long every = Math.max(1, Math.min(timeout.toSeconds() / 4, config.getInt("sipcharge.cdf.supervision-scan-seconds", 10)));
        pass = scheduler.scheduleWithFixedDelay(this::superviseQuietly, every, every, TimeUnit.SECONDS);
        LOG.log(Level.INFO, "CDF-031 sessions silent for {0} s are closed as incomplete (checked every {1} s)",
                new Object[]{timeout.toSeconds(), every});
    }

    @PreDestroy
    void stop() {
        if (pass != null) {
            pass.cancel(false);
        }
    }

    private void superviseQuietly() {
        try {
            supervise();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "CDF-032 session supervision pass failed, next pass tries again: {0}", e.toString());
        }
    }

    /** One pass: closes the sessions silent since before now - timeout. */
    public int supervise() {
        Instant cutoff = Instant.now().minus(timeout);
        List<String> silent = accounting.silentSince(cutoff, MAX_PER_PASS);
        int n = 0;
        for (String sessionId : silent) {
            try {
                if (accounting.closeSilent(sessionId, cutoff, nodeId)) {
                    n++;
                    closed.incrementAndGet();
                    LOG.log(Level.WARNING, "CDF-030 session {0} sent nothing for {1} s: closed with an incomplete CDR (STOP lost)",
                            new Object[]{sessionId, timeout.toSeconds()});
                }
            } catch (EJBException e) {
                // A record of the session committed meanwhile (version conflict): it is alive, leave it.
                LOG.log(Level.FINE, "session " + sessionId + " changed while being closed; left open", e);
            }
        }
        return n;
    }

    /** Sessions closed as silent since start. */
    public long closed() {
        return closed.get();
    }
}
