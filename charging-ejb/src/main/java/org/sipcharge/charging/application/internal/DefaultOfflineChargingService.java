package org.sipcharge.charging.application.internal;

import org.sipcharge.charging.application.SipTierQuorum;
import com.hazelcast.core.HazelcastInstance;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import org.sipcharge.charging.domain.model.accounting.AccountingSessionStore;
import org.sipcharge.charging.infrastructure.grid.HazelcastAccountingSessionStore;
import org.sipcharge.charging.infrastructure.grid.LocalAccountingSessionStore;
import java.time.Clock;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.LocalBean;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import org.sipcharge.charging.application.ChargeableEvent;
import org.sipcharge.charging.application.ChargeableSession;
import org.sipcharge.charging.application.ChargingStatus;
import org.sipcharge.charging.application.OfflineChargingService;
import org.sipcharge.charging.domain.model.accounting.ChargingSessionState;
import org.sipcharge.charging.domain.model.accounting.AccountingAnswer;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.infrastructure.config.ChargingConfig;
import org.sipcharge.charging.infrastructure.diameter.RfClient;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The offline charging application (CTF): turns call events into an ordered series of ACRs per session, START,
 * INTERIMs on the interval the CDF asks for, STOP, and EVENT records for session-less requests. The session rules
 * live in {@link AccountingSessions}; this bean wires them to the replicated store (Hazelcast inside Payara), to the
 * Diameter client with its retransmissions and the durable buffer, and runs this member's timer scan.
 */
// @LocalBean: the status bean reads this bean's counters through its no-interface view.
@Singleton
@Startup
@DependsOn("SchemaMigrations")
@LocalBean
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class DefaultOfflineChargingService implements OfflineChargingService {

    private static final Logger LOG = Logger.getLogger(DefaultOfflineChargingService.class.getName());
    /** Replicated map of accounting sessions (canonical bytes, see ChargingSessionStateCodec). */
    public static final String SESSIONS_MAP = "sipcharge-rf-sessions";
    /** Replicated map of interim timers: session key to due time (epoch ms). */
    public static final String TIMERS_MAP = "sipcharge-rf-timers";

    @EJB
    private RfClient rf;

    @EJB
    private AcrBuffer buffer;

    @Resource(lookup = "java:comp/DefaultManagedScheduledExecutorService")
    private ManagedScheduledExecutorService scheduler;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    private jakarta.enterprise.concurrent.ManagedThreadFactory threads;

    /** Threads that fire the due timers of the owner scan and of the orphan scan, several at once (sipcharge.ctf.timer-fire-threads each). */
    private java.util.concurrent.ExecutorService firing;
    private java.util.concurrent.ExecutorService orphanFiring;
    private java.util.concurrent.ExecutorService settling;

    private AccountingSessionStore store;
    private AccountingSessions sessions;
    private ScheduledFuture<?> scan;
    private ScheduledFuture<?> orphanScan;
    private int maxRetransmissions;

    private final AtomicLong acrsSent = new AtomicLong();
    private final AtomicLong acasSuccess = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong buffered = new AtomicLong();
    private final AtomicLong retransmissions = new AtomicLong();

    @PostConstruct
    void init() {
        ChargingConfig config = ChargingConfig.load();
        maxRetransmissions = config.getInt("sipcharge.ctf.max-retransmissions", 3);
        long timeoutMs = config.getInt("sipcharge.ctf.request-timeout-ms", 5000);
        long intervalSeconds = config.getInt("sipcharge.ctf.interim-interval-seconds", 0);
        int scanMs = Math.max(10, config.getInt("sipcharge.ctf.timer-scan-ms", 200));
        int backups = config.getInt("sipcharge.grid.backup-count", 1);
        store = replicatedStore(backups, new SipTierQuorum(config.getInt("sipcharge.grid.expected-members", 0),
                config.getInt("sipcharge.grid.das-member-port", 0)));
        // A record still in flight after all its retransmissions and the buffer's write is not being sent any more.
        long inFlightExpiry = (maxRetransmissions + 1) * timeoutMs + 10_000;
        sessions = new AccountingSessions(store, this::send, rf::newSessionId, rf.originHost(), intervalSeconds, inFlightExpiry,
                scheduler, Clock.systemUTC()).withSlowClaimMillis(config.getInt("sipcharge.grid.slow-claim-ms", 1000));
        int fireThreads = config.getInt("sipcharge.ctf.timer-fire-threads", 8);
        if (fireThreads > 1) {
            firing = java.util.concurrent.Executors.newFixedThreadPool(fireThreads, threads);
            orphanFiring = java.util.concurrent.Executors.newFixedThreadPool(fireThreads, threads);
            sessions.withFiringPools(firing, orphanFiring);
        }
        int settleThreads = config.getInt("sipcharge.ctf.settle-threads", 8);
        if (settleThreads > 0) {
            settling = java.util.concurrent.Executors.newFixedThreadPool(settleThreads, threads);
            sessions.withSettlingPool(settling);
        }
        scan = scheduler.scheduleWithFixedDelay(() -> scanOnce(sessions::scan), scanMs, scanMs, TimeUnit.MILLISECONDS);
        orphanScan = scheduler.scheduleWithFixedDelay(() -> scanOnce(sessions::scanOrphans), scanMs, scanMs, TimeUnit.MILLISECONDS);
        LOG.log(Level.INFO, "RF-006 accounting sessions in {0}; interim timers scanned every {1} ms and fired by {3} threads; configured "
                + "interval {2} s (the ACA''s Acct-Interim-Interval overrides it)",
                new Object[]{store.describe(), scanMs, intervalSeconds, Math.max(1, fireThreads)});
    }

    @PreDestroy
    void stop() {
        if (scan != null) {
            scan.cancel(false);
        }
        if (orphanScan != null) {
            orphanScan.cancel(false);
        }
        if (firing != null) {
            firing.shutdownNow();
            orphanFiring.shutdownNow();
        }
        if (settling != null) {
            // Answers already received are settled before the application goes (a record left in flight would be
            // sent again by another member, with the T flag, after the in-flight expiry).
            settling.shutdown();
            try {
                if (!settling.awaitTermination(2, TimeUnit.SECONDS)) {
                    settling.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void scanOnce(java.util.function.IntSupplier pass) {
        try {
            pass.getAsInt();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "RF-035 interim timer scan failed: {0}", e.toString());
        }
    }

    private static AccountingSessionStore replicatedStore(int backups, SipTierQuorum quorum) {
        try {
            HazelcastInstance hz = (HazelcastInstance) new InitialContext().lookup("payara/Hazelcast");
            return new HazelcastAccountingSessionStore(hz, SESSIONS_MAP, TIMERS_MAP, backups, quorum);
        } catch (NamingException | RuntimeException e) {
            LOG.log(Level.WARNING, "RF-030 Payara''s Hazelcast is not available ({0}); accounting sessions are kept in this JVM only",
                    e.getMessage());
            return new LocalAccountingSessionStore();
        }
    }

    @Override
    public void sessionStarted(ChargeableSession session) {
        sessions.started(session);
    }

    @Override
    public void sessionEnded(String sessionKey, Instant endTime, int causeCode) {
        sessions.ended(sessionKey, endTime, causeCode);
    }

    @Override
    public void eventOccurred(ChargeableEvent event) {
        // RFC 6733 9.8.3 numbers the records of one accounting session; an event is a session of its own, record 0.
        AccountingRequest record = new AccountingRequest(rf.newSessionId(), rf.originHost(), AccountingRecordType.EVENT, 0,
                false, event.eventKey(), event.callingParty(), event.calledParty(), event.requestTime(),
                event.responseTime(), event.responseTime(), 0, event.sipMethod()).withIms(event.ims());
        send(record).exceptionally(e -> null);
    }

    /**
     * Sends one record and completes when it is settled: answered 2001, or buffered durably. Completes exceptionally
     * only when it could be neither (RF-020), or when the CDF refused it for good.
     */
    private CompletionStage<AccountingAnswer> send(AccountingRequest request) {
        int endToEnd = rf.newEndToEnd();
        if (buffer.holdsBackLogFor(request.sessionId())) {
            // An earlier record of this session waits in the buffer: this one must not overtake it.
            return bufferOrFail(request, endToEnd, "an earlier record of the session is buffered");
        }
        return attempt(request, endToEnd, 0);
    }

    private CompletionStage<AccountingAnswer> attempt(AccountingRequest request, int endToEnd, int retransmission) {
        acrsSent.incrementAndGet();
        if (retransmission > 0) {
            retransmissions.incrementAndGet();
        }
        return rf.send(request, endToEnd, retransmission).handle((answer, error) -> {
            if (error == null && answer.success()) {
                acasSuccess.incrementAndGet();
                return CompletableFuture.completedFuture(answer);
            }
            boolean retry = error != null || answer.retryable();
            if (retry && retransmission < maxRetransmissions) {
                // RFC 6733 9.4 / TS 32.299 6.1.2: the same record again, T flag set, same End-to-End Identifier,
                // to the other CDF when there is one.
                return attempt(request.asRetransmission(), endToEnd, retransmission + 1);
            }
            String why = error != null ? rootMessage(error) : "Result-Code " + answer.resultCode();
            if (retry) {
                return bufferOffTheReader(request.asRetransmission(), endToEnd, why + " after " + retransmission + " retransmissions");
            }
            failures.incrementAndGet();
            LOG.log(Level.SEVERE, "RF-020 {0} record {1} of session {2} refused by the CDF: {3}",
                    new Object[]{request.type(), request.recordNumber(), request.sessionId(), why});
            return CompletableFuture.<AccountingAnswer>failedFuture(new IllegalStateException(why));
        }).thenCompose(f -> f);
    }

    /**
     * Buffers on the settling pool, not on the thread that completed the send: for a 3002 / 3004 answer that is the
     * Diameter connection's reader, and a durable database write there holds up every other answer on the connection
     * and its watchdog (the connection would then be closed as dead). Without the pool, or while it shuts down, here.
     */
    private CompletionStage<AccountingAnswer> bufferOffTheReader(AccountingRequest request, int endToEnd, String why) {
        java.util.concurrent.ExecutorService pool = settling;
        if (pool != null) {
            try {
                return CompletableFuture.supplyAsync(() -> bufferOrFail(request, endToEnd, why), pool).thenCompose(f -> f);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the application is stopping: buffered here, as without the pool
            }
        }
        return bufferOrFail(request, endToEnd, why);
    }

    private CompletionStage<AccountingAnswer> bufferOrFail(AccountingRequest request, int endToEnd, String why) {
        try {
            buffer.add(request, endToEnd, why);
            buffered.incrementAndGet();
            return CompletableFuture.completedFuture(AccountingAnswer.BUFFERED);
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            LOG.log(Level.SEVERE, "RF-020 " + request.type() + " record " + request.recordNumber() + " of session "
                    + request.sessionId() + " LOST: no CDF answered (" + why + ") and the buffer refused it", e);
            return CompletableFuture.failedFuture(e);
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + (c.getMessage() == null ? "" : ": " + c.getMessage());
    }

    public long buffered() {
        return buffered.get();
    }

    /** Copies sent again with the T flag after a timeout, a lost connection or a retryable answer. */
    public long retransmissions() {
        return retransmissions.get();
    }

    public long acrsSent() {
        return acrsSent.get();
    }

    public long acasSuccess() {
        return acasSuccess.get();
    }

    public long failures() {
        return failures.get();
    }

    public int activeSessions() {
        return store.size();
    }

    /** Figures of the accounting sessions for the status page; null before the bean has started. */
    public ChargingStatus.RfSessions sessionFigures() {
        if (sessions == null) {
            return null;
        }
        AccountingSessions.LatenessHistogram l = sessions.lateness();
        return new ChargingStatus.RfSessions(store.describe(), store.size(), store.ownedHereCount(), store.timersArmed(),
                sessions.interimsSent(), sessions.takeovers(), l.quantileMillis(0.5), l.quantileMillis(0.99), l.maxMillis());
    }

    public ChargingStatus.SessionView view(String sessionKey) {
        ChargingSessionState s = store.get(sessionKey);
        if (s == null) {
            return null;
        }
        return new ChargingStatus.SessionView(sessionKey, s.diameterSessionId(), store.ownerOf(sessionKey), s.lastRecordNumber(),
                s.inFlight() == null ? null : s.inFlight().name(), s.interimIntervalSeconds(), s.nextInterimMillis(),
                s.stopRequested());
    }
}
