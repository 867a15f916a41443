package org.sipcharge.charging.application.internal;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.domain.model.accounting.PendingAccountingRequest;

import java.time.Instant;
import java.util.List;

/**
 * The durable buffer of ACRs no CDF has answered. Each method is its own transaction: when {@link #add} returns,
 * the record is on disk.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
public class AcrBufferStore {

    @PersistenceContext(unitName = "sipcharge")
    private EntityManager em;

    public void add(AccountingRequest request, int endToEnd, String why) {
        em.persist(new PendingAccountingRequest(request, endToEnd, Instant.now(), why));
    }

    public List<PendingAccountingRequest> oldest(int max) {
        return em.createNamedQuery("PendingAccountingRequest.oldest", PendingAccountingRequest.class).setMaxResults(max).getResultList();
    }

    /** @return how many records of the session are still buffered after this one is removed */
    public long remove(long id, String sessionId) {
        PendingAccountingRequest p = em.find(PendingAccountingRequest.class, id);
        if (p != null) {
            em.remove(p);
            em.flush();
        }
        return em.createNamedQuery("PendingAccountingRequest.countForSession", Long.class)
                .setParameter("sessionId", sessionId).getSingleResult();
    }

    public void failedAgain(long id, String error) {
        PendingAccountingRequest p = em.find(PendingAccountingRequest.class, id);
        if (p != null) {
            p.failedAgain(error);
        }
    }

    public List<String> sessions() {
        return em.createNamedQuery("PendingAccountingRequest.sessions", String.class).getResultList();
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public long count() {
        return em.createNamedQuery("PendingAccountingRequest.count", Long.class).getSingleResult();
    }
}
