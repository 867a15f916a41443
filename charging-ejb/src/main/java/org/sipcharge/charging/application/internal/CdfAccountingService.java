package org.sipcharge.charging.application.internal;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.sipcharge.charging.domain.model.accounting.AccountingOutcome;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.domain.model.cdr.PartialRecordPolicy;
import org.sipcharge.charging.infrastructure.config.ChargingConfig;

import java.time.Instant;
import java.util.List;

/**
 * The CDF's unit of work: one accounting request is recorded, and the CDR it closes (STOP, EVENT) is
 * committed with it, in one transaction. This bean is the transaction boundary: when
 * {@link #record} returns, everything is committed, and only then may the caller answer 2001.
 */
@Stateless
public class CdfAccountingService {

    @PersistenceContext(unitName = "sipcharge")
    private EntityManager em;

    private CdfRecordWriter writer = new CdfRecordWriter(PartialRecordPolicy.NONE);

    @jakarta.annotation.PostConstruct
    void configure() {
        ChargingConfig config = ChargingConfig.load();
        String limit = config.get("sipcharge.cdf.partial.time-limit", "").trim();
        try {
            writer = new CdfRecordWriter(new PartialRecordPolicy(limit.isEmpty() ? null : java.time.Duration.parse(limit),
                    config.getInt("sipcharge.cdf.partial.max-interims", 0)));
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
     * them are committed, and when it throws, none is. Every session the group touches is read fresh (no cache): this
     * is the path of a group that failed on the committers' fast path ({@link CdfRecordWriter}), and of tests.
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public List<AccountingOutcome> recordAll(List<AccountingRequest> requests, String nodeId) {
        // The persistence unit's own connection, enlisted in this container transaction.
        return em.unwrap(org.hibernate.Session.class).doReturningWork(c -> writer.write(c, requests, nodeId, null));
    }

    /** The writer the committers use too (same partial-record policy). */
    public CdfRecordWriter writer() {
        return writer;
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
        return em.unwrap(org.hibernate.Session.class).doReturningWork(c -> writer.closeSilent(c, sessionId, cutoff, nodeId));
    }
}
