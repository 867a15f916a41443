package org.sipcharge.charging.application.internal;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import org.sipcharge.cdr.ChargingDataRecord;
import org.sipcharge.charging.domain.model.accounting.AccountingOutcome;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordLog;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.domain.model.accounting.AccountingSession;
import org.sipcharge.charging.domain.model.cdr.Cdr;

import java.time.Instant;
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

    /**
     * Records one accounting request.
     *
     * @param nodeId the CDF node name that goes into CDR ids and the node address
     * @return {@link AccountingOutcome#DUPLICATE} when this (Session-Id, Accounting-Record-Number) was recorded before
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public AccountingOutcome record(AccountingRequest request, String nodeId) {
        if (isRecorded(request.sessionId(), request.recordNumber())) {
            return AccountingOutcome.DUPLICATE;
        }
        Instant now = Instant.now();
        em.persist(new AccountingRecordLog(request, now));
        AccountingSession session = em.find(AccountingSession.class, request.sessionId(), LockModeType.PESSIMISTIC_WRITE);
        switch (request.type()) {
            case START -> {
                if (session == null) {
                    em.persist(AccountingSession.open(request));
                } else {
                    // START after INTERIM/STOP of the same session: possible when answers crossed; keep what we have.
                    session.absorb(request);
                }
            }
            case INTERIM -> {
                if (session == null) {
                    em.persist(AccountingSession.open(request));
                } else {
                    session.absorb(request);
                }
            }
            case STOP -> {
                if (session == null) {
                    session = AccountingSession.open(request);
                    em.persist(session);
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
                AccountingSession event = session != null ? session : AccountingSession.open(request);
                if (session == null) {
                    em.persist(event);
                }
                event.close(request);
                writeCdr(event, request, nodeId, now);
            }
        }
        return AccountingOutcome.RECORDED;
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public boolean isRecorded(String sessionId, long recordNumber) {
        return em.createNamedQuery("AccountingRecordLog.count", Long.class)
                .setParameter("sessionId", sessionId)
                .setParameter("recordNumber", recordNumber)
                .getSingleResult() > 0;
    }

    private void writeCdr(AccountingSession session, AccountingRequest closing, String nodeId, Instant now) {
        Cdr row = new Cdr(session.sessionId(), now);
        em.persist(row);
        long seq = row.localSequenceNumber();
        boolean incomplete = !session.startSeen() && closing.type() != AccountingRecordType.EVENT;
        int cause = closing.causeCode() == 0 ? CAUSE_NORMAL_RELEASE : CAUSE_ABNORMAL_RELEASE;
        row.seal(new ChargingDataRecord(nodeId + "-" + seq, session.sessionId(),
                nullToEmpty(session.userSessionId()), nullToEmpty(session.callingParty()), nullToEmpty(session.calledParty()),
                session.serviceRequestTime(), session.deliveryStartTime(), session.deliveryEndTime(),
                seq, cause, incomplete, nodeId));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
