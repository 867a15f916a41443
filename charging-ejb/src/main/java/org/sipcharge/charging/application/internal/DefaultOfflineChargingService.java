package org.sipcharge.charging.application.internal;

import com.hazelcast.core.HazelcastInstance;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.EJB;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Singleton;
import org.sipcharge.charging.application.ChargeableEvent;
import org.sipcharge.charging.application.ChargeableSession;
import org.sipcharge.charging.application.OfflineChargingService;
import org.sipcharge.charging.domain.model.accounting.AccountingAnswer;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.domain.model.accounting.ChargingSessionState;
import org.sipcharge.charging.infrastructure.config.ChargingConfig;
import org.sipcharge.charging.infrastructure.diameter.RfClient;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The offline charging application (CTF): turns call events into an ordered series of ACRs per session.
 * Session state lives in the replicated store (Hazelcast inside Payara) under the call's key; the order of
 * the ACRs of one session is kept by chaining each on the answer to the previous one, so ACR n+1 is never
 * sent before ACA n (TS 32.299 6.1.2).
 *
 * <p>Walking-skeleton limits, taken up by the Diameter and cluster issues: the chain lives in this JVM (a STOP
 * that reaches another node than its START proceeds without waiting), and an ACR that still fails after
 * {@code sipcharge.ctf.max-retransmissions} retransmissions is logged (RF-020) and counted, not yet buffered durably.
 */
// @LocalBean: the status bean reads this bean's counters through its no-interface view.
@Singleton
@LocalBean
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class DefaultOfflineChargingService implements OfflineChargingService {

    private static final Logger LOG = Logger.getLogger(DefaultOfflineChargingService.class.getName());
    /** Name of the replicated map of accounting sessions. */
    public static final String SESSIONS_MAP = "sipcharge-accounting-sessions";

    @EJB
    private RfClient rf;

    @EJB
    private AcrBuffer buffer;

    private Map<String, ChargingSessionState> sessions;
    private final Map<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    private int maxRetransmissions;

    private final AtomicLong acrsSent = new AtomicLong();
    private final AtomicLong acasSuccess = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong buffered = new AtomicLong();
    private final AtomicLong retransmissions = new AtomicLong();

    @PostConstruct
    void init() {
        maxRetransmissions = ChargingConfig.load().getInt("sipcharge.ctf.max-retransmissions", 3);
        sessions = replicatedMap();
    }

    private static Map<String, ChargingSessionState> replicatedMap() {
        try {
            HazelcastInstance hz = (HazelcastInstance) new InitialContext().lookup("payara/Hazelcast");
            return hz.getMap(SESSIONS_MAP);
        } catch (NamingException | RuntimeException e) {
            LOG.log(Level.WARNING, "RF-030 Payara's Hazelcast is not available ({0}); accounting sessions are kept in this JVM only",
                    e.getMessage());
            return new ConcurrentHashMap<>();
        }
    }

    @Override
    public void sessionStarted(ChargeableSession session) {
        ChargingSessionState state = new ChargingSessionState(rf.newSessionId(), session, 0, -1);
        if (sessions.putIfAbsent(session.sessionKey(), state) != null) {
            LOG.log(Level.WARNING, "RF-010 session {0} started twice; the second start is ignored", session.sessionKey());
            return;
        }
        AccountingRequest start = new AccountingRequest(state.diameterSessionId(), rf.originHost(), AccountingRecordType.START, 0,
                false, session.sessionKey(), session.callingParty(), session.calledParty(), session.requestTime(),
                session.answerTime(), session.answerTime(), 0);
        chain(session.sessionKey(), () -> send(start).thenAccept(answer -> {
            if (answer.interimIntervalSeconds() >= 0) {
                sessions.computeIfPresent(session.sessionKey(), (k, s) -> s.withInterimInterval(answer.interimIntervalSeconds()));
            }
        }));
    }

    @Override
    public void sessionEnded(String sessionKey, Instant endTime, int causeCode) {
        chain(sessionKey, () -> {
            ChargingSessionState state = sessions.get(sessionKey);
            if (state == null) {
                LOG.log(Level.WARNING, "RF-011 end of unknown session {0}: no STOP sent", sessionKey);
                return CompletableFuture.completedFuture(null);
            }
            ChargeableSession s = state.session();
            long number = state.lastRecordNumber() + 1;
            AccountingRequest stop = new AccountingRequest(state.diameterSessionId(), rf.originHost(), AccountingRecordType.STOP,
                    number, false, sessionKey, s.callingParty(), s.calledParty(), s.requestTime(), endTime, endTime, causeCode);
            return send(stop).whenComplete((a, e) -> sessions.remove(sessionKey)).thenApply(a -> null);
        }).whenComplete((v, e) -> inFlight.remove(sessionKey));
    }

    @Override
    public void eventOccurred(ChargeableEvent event) {
        // RFC 6733 9.8.3 numbers the records of one accounting session; an event is a session of its own, record 0.
        AccountingRequest record = new AccountingRequest(rf.newSessionId(), rf.originHost(), AccountingRecordType.EVENT, 0,
                false, event.eventKey(), event.callingParty(), event.calledParty(), event.requestTime(),
                event.responseTime(), event.responseTime(), 0, event.sipMethod());
        send(record).exceptionally(e -> null);
    }

    /** Runs the step after everything already queued for the session, whatever its outcome. */
    private CompletableFuture<Void> chain(String sessionKey, java.util.function.Supplier<CompletionStage<Void>> step) {
        return inFlight.compute(sessionKey, (k, tail) -> {
            CompletableFuture<Void> previous = tail == null ? CompletableFuture.completedFuture(null) : tail;
            return previous.handle((v, e) -> null).thenCompose(x -> step.get()).exceptionally(e -> null);
        });
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
                return bufferOrFail(request.asRetransmission(), endToEnd, why + " after " + retransmission + " retransmissions");
            }
            failures.incrementAndGet();
            LOG.log(Level.SEVERE, "RF-020 {0} record {1} of session {2} refused by the CDF: {3}",
                    new Object[]{request.type(), request.recordNumber(), request.sessionId(), why});
            return CompletableFuture.<AccountingAnswer>failedFuture(new IllegalStateException(why));
        }).thenCompose(f -> f);
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
        return sessions.size();
    }
}
