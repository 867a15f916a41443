package org.sipcharge.charging.application.internal;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.sipcharge.cdr.ChargingDataRecord;
import org.sipcharge.charging.application.ImsChargingInfo;
import org.sipcharge.charging.domain.model.accounting.AccountingOutcome;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordLog;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.domain.model.accounting.AccountingSession;
import org.sipcharge.charging.domain.model.cdr.Cdr;
import org.sipcharge.charging.domain.model.cdr.PartialRecordPolicy;
import org.sipcharge.charging.infrastructure.config.ChargingConfig;

import jakarta.persistence.FlushModeType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The CDF's unit of work: one accounting request is recorded, and the CDR it closes (STOP, EVENT) is
 * committed with it, in one transaction. This bean is the transaction boundary: when
 * {@link #record} returns, everything is committed, and only then may the caller answer 2001.
 */
@Stateless
public class CdfAccountingService {

    private static final Logger LOG = Logger.getLogger(CdfAccountingService.class.getName());

    /** TS 32.298 causeForRecordClosing: normalRelease (0), abnormalRelease (4). */
    static final int CAUSE_NORMAL_RELEASE = 0;
    static final int CAUSE_ABNORMAL_RELEASE = 4;

    @PersistenceContext(unitName = "sipcharge")
    private EntityManager em;

    private PartialRecordPolicy partials = PartialRecordPolicy.NONE;

    @jakarta.annotation.PostConstruct
    void configure() {
        ChargingConfig config = ChargingConfig.load();
        String limit = config.get("sipcharge.cdf.partial.time-limit", "").trim();
        try {
            partials = new PartialRecordPolicy(limit.isEmpty() ? null : java.time.Duration.parse(limit),
                    config.getInt("sipcharge.cdf.partial.max-interims", 0));
        } catch (RuntimeException e) {
            throw new IllegalStateException("CDF-060 partial-record settings (sipcharge.cdf.partial.time-limit=" + limit
                    + ", sipcharge.cdf.partial.max-interims): " + e.getMessage(), e);
        }
    }

    /**
     * Records one accounting request.
     *
     * @param nodeId the CDF node name that goes into CDR ids and the node address
     * @return {@link AccountingOutcome#DUPLICATE} when this (Session-Id, Accounting-Record-Number) was recorded before
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public AccountingOutcome record(AccountingRequest request, String nodeId) {
        return recordAll(List.of(request), nodeId).get(0);
    }

    /**
     * Records several accounting requests in one transaction (group commit): one disk sync for all of them.
     * They are applied in list order, exactly as one-by-one recording would apply them; when this returns, all of
     * them are committed, and when it throws, none is. The records already stored and the sessions they touch are
     * read with one query each, so the cost per request does not grow with the size of the group.
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public List<AccountingOutcome> recordAll(List<AccountingRequest> requests, String nodeId) {
        // Nothing needs to reach the database before the commit; automatic flushes before each query would make a
        // group cost quadratic time.
        em.setFlushMode(FlushModeType.COMMIT);
        Set<String> sessionIds = new HashSet<>();
        for (AccountingRequest r : requests) {
            sessionIds.add(r.sessionId());
        }
        Set<String> seen = new HashSet<>();
        for (Object[] row : em.createNamedQuery("AccountingRecordLog.recordNumbersOf", Object[].class)
                .setParameter("sessionIds", sessionIds).getResultList()) {
            seen.add(key((String) row[0], ((Number) row[1]).longValue()));
        }
        // No lock on the sessions read here: AccountingSession is versioned, so a session changed by another
        // transaction after this read fails this flush (OptimisticLockException), the group is rolled back and the
        // caller records its requests one by one on fresh state. Within one CDF the ACRs of a session all go to the
        // same committer (CdfEndpoint), so that conflict needs a second CDF on the same database.
        Map<String, AccountingSession> sessions = new HashMap<>();
        for (AccountingSession s : em.createNamedQuery("AccountingSession.findAll", AccountingSession.class)
                .setParameter("sessionIds", sessionIds).getResultList()) {
            sessions.put(s.sessionId(), s);
        }
        Instant now = Instant.now();
        List<AccountingOutcome> outcomes = new ArrayList<>(requests.size());
        for (AccountingRequest r : requests) {
            if (!seen.add(key(r.sessionId(), r.recordNumber()))) {
                outcomes.add(AccountingOutcome.DUPLICATE);
                continue;
            }
            outcomes.add(apply(r, nodeId, now, sessions) ? AccountingOutcome.RECORDED : AccountingOutcome.RECORDED_OUT_OF_SEQUENCE);
        }
        return outcomes;
    }

    private static String key(String sessionId, long recordNumber) {
        return recordNumber + "/" + sessionId;
    }

    /** @return false when the request's number does not follow the session's last one (a gap or a late record) */
    private boolean apply(AccountingRequest request, String nodeId, Instant now, Map<String, AccountingSession> sessions) {
        em.persist(new AccountingRecordLog(request, now));
        AccountingSession session = sessions.get(request.sessionId());
        boolean inSequence = request.type() == AccountingRecordType.EVENT
                || (session == null ? request.recordNumber() == 0 : request.recordNumber() == session.lastRecordNumber() + 1);
        switch (request.type()) {
            case START, INTERIM -> {
                if (session == null) {
                    session = persistNew(request);
                    sessions.put(request.sessionId(), session);
                } else if (request.type() == AccountingRecordType.INTERIM && session.resumable(request)) {
                    resume(session, request);
                } else {
                    // START after INTERIM/STOP of the same session is possible when answers crossed; keep what we have.
                    session.absorb(request);
                }
                if (request.type() == AccountingRecordType.INTERIM && partials.enabled()
                        && session.state() == AccountingSession.State.OPEN) {
                    session.interimReceived();
                    Instant at = request.eventTime();
                    Instant opened = session.openRecordStart();
                    if (opened != null && !at.isBefore(opened) && partials.closesAt(opened, session.partialInterims(), at)) {
                        writePartialCdr(session, opened, at, nodeId, now);
                    }
                }
            }
            case STOP -> {
                if (session == null) {
                    session = persistNew(request);
                    sessions.put(request.sessionId(), session);
                }
                if (session.resumable(request)) {
                    resume(session, request);
                }
                if (session.state() == AccountingSession.State.CLOSED) {
                    LOG.log(Level.WARNING, "CDF-021 second STOP (record {0}) for closed session {1}: recorded, no new CDR",
                            new Object[]{request.recordNumber(), request.sessionId()});
                } else {
                    session.close(request);
                    writeCdr(session, request, nodeId, now);
                }
            }
            case EVENT -> {
                AccountingSession event = session != null ? session : persistNew(request);
                sessions.put(request.sessionId(), event);
                event.close(request);
                writeCdr(event, request, nodeId, now);
            }
        }
        return inSequence;
    }

    /** A session the supervision closed is alive after all: the rest of it goes into a continuation record. */
    private void resume(AccountingSession session, AccountingRequest request) {
        Instant from = session.deliveryEndTime();
        session.resume(request);
        LOG.log(Level.WARNING, "CDF-033 session {0}, closed by the supervision as silent since {1}, sent {2} record {3}: opened "
                + "again; its CDR from then on is a continuation (incomplete-CDR-Indication aCRStartLost), so the rest of "
                + "the session is charged", new Object[]{session.sessionId(), from, request.type(), request.recordNumber()});
    }

    private AccountingSession persistNew(AccountingRequest request) {
        AccountingSession s = AccountingSession.open(request);
        em.persist(s);
        return s;
    }

    /** Accounting records the CDF has stored (one row per accepted ACR, duplicates not counted). */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public long recordsStored() {
        return em.createNamedQuery("AccountingRecordLog.countAll", Long.class).getSingleResult();
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public boolean isRecorded(String sessionId, long recordNumber) {
        return em.createNamedQuery("AccountingRecordLog.count", Long.class)
                .setParameter("sessionId", sessionId)
                .setParameter("recordNumber", recordNumber)
                .getSingleResult() > 0;
    }

    /** Open sessions whose last record came before {@code cutoff}, oldest first, at most {@code max}. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<String> silentSince(Instant cutoff, int max) {
        return em.createNamedQuery("AccountingSession.findSilentSince", String.class).setParameter("cutoff", cutoff)
                .setMaxResults(max).getResultList();
    }

    /**
     * Closes one session that went silent, with an incomplete CDR, in its own transaction. A record that arrived in the
     * meantime wins: the session is then left alone (the version check makes a concurrent change fail this one).
     *
     * @return true when the session was closed here
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public boolean closeSilent(String sessionId, Instant cutoff, String nodeId) {
        AccountingSession s = em.find(AccountingSession.class, sessionId);
        if (s == null || s.state() != AccountingSession.State.OPEN || s.lastActivity() == null || !s.lastActivity().isBefore(cutoff)) {
            return false;
        }
        s.closeSilent();
        // TS 32.298 incomplete-CDR-Indication: aCRStopLost, and aCRStartLost too when START never came.
        writeCdr(s, !s.startSeen(), true, CAUSE_ABNORMAL_RELEASE, nodeId, Instant.now());
        return true;
    }

    private void writeCdr(AccountingSession session, AccountingRequest closing, String nodeId, Instant now) {
        // An EVENT is complete alone; a session's record without its START is not.
        boolean startLost = !session.startSeen() && closing.type() != AccountingRecordType.EVENT;
        writeCdr(session, startLost, false, closing.causeCode() == 0 ? CAUSE_NORMAL_RELEASE : CAUSE_ABNORMAL_RELEASE, nodeId, now);
    }

    /** @param stopLost the session is closed without its STOP (supervision) */
    private void writeCdr(AccountingSession session, boolean startLost, boolean stopLost, int cause, String nodeId, Instant now) {
        // After partial records or a supervision close, the last record covers the time since that one closed.
        Instant start = session.openRecordStart();
        Instant end = session.deliveryEndTime().isBefore(start) ? start : session.deliveryEndTime();
        persistCdr(session, start, end, cause, startLost, stopLost, session.finalRecordSequenceNumber(), nodeId, now);
    }

    /** Closes the session's open record at an INTERIM (partial-record policy) and opens the next one there. */
    private void writePartialCdr(AccountingSession session, Instant start, Instant end, String nodeId, Instant now) {
        int n = session.closePartial(end);
        persistCdr(session, start, end, ChargingDataRecord.CAUSE_TIME_LIMIT, !session.startSeen(), false, n, nodeId, now);
        LOG.log(Level.FINE, "CDF-061 partial record {0} of session {1} closed at {2}", new Object[]{n, session.sessionId(), end});
    }

    private void persistCdr(AccountingSession session, Instant start, Instant end, int cause, boolean startLost,
                            boolean stopLost, long recordSequenceNumber, String nodeId, Instant now) {
        ImsChargingInfo ims = session.ims();
        Cdr row = new Cdr(session.sessionId(), now);
        em.persist(row);
        long seq = row.localSequenceNumber();
        row.seal(new ChargingDataRecord(nodeId + "-" + seq, session.sessionId(),
                nullToEmpty(session.userSessionId()), nullToEmpty(session.callingParty()), nullToEmpty(session.calledParty()),
                session.serviceRequestTime(), start, end, seq, cause, startLost || stopLost, nodeId, recordSequenceNumber,
                session.subscriptionImsi(), session.subscriptionE164(), session.sipMethod(), session.serviceContextId(),
                ims.icid(), ims.originatingIoi(), ims.terminatingIoi(), ims.sdpMedia(), startLost, stopLost));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
