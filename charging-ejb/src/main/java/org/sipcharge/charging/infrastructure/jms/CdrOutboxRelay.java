package org.sipcharge.charging.infrastructure.jms;

import jakarta.annotation.Resource;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.jms.BytesMessage;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSProducer;
import jakarta.jms.Queue;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import org.sipcharge.cdr.CdrJmsContract;
import org.sipcharge.charging.domain.model.cdr.Cdr;

import java.time.Instant;
import java.util.List;

/**
 * Moves committed CDRs from the outbox (CDR rows with no publication time) to the JMS CDR queue.
 * One call is one XA transaction over the database and the broker: either the messages are sent and the
 * rows marked, or neither. Should the marking be lost after the broker committed, the broker's duplicate
 * detection on {@code _AMQ_DUPL_ID} = CDR id drops the second send.
 */
@Stateless
public class CdrOutboxRelay {

    @PersistenceContext(unitName = "sipcharge")
    private EntityManager em;

    @Resource(lookup = CdrJmsContract.CONNECTION_FACTORY_JNDI)
    private ConnectionFactory connectionFactory;

    @Resource(lookup = CdrJmsContract.CDR_QUEUE_JNDI)
    private Queue cdrQueue;

    /** @return how many CDRs were published (0 when the outbox is empty) */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public int publishBatch(int maxRecords) {
        List<Cdr> batch = em.createNamedQuery("Cdr.findUnpublished", Cdr.class)
                .setMaxResults(maxRecords)
                .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                .getResultList();
        if (batch.isEmpty()) {
            return 0;
        }
        Instant now = Instant.now();
        try (JMSContext context = connectionFactory.createContext()) {
            // No time-to-live: a CDR must never expire in the broker (it is money).
            JMSProducer producer = context.createProducer().setDeliveryMode(DeliveryMode.PERSISTENT).setTimeToLive(0);
            for (Cdr cdr : batch) {
                BytesMessage message = context.createBytesMessage();
                message.writeBytes(cdr.body());
                message.setStringProperty(CdrJmsContract.PROP_DUPLICATE_ID, cdr.cdrId());
                message.setStringProperty(CdrJmsContract.PROP_CDR_ID, cdr.cdrId());
                message.setStringProperty(CdrJmsContract.PROP_SESSION_ID, cdr.sessionId());
                message.setStringProperty(CdrJmsContract.PROP_SERVED_USER, cdr.callingParty());
                message.setStringProperty(CdrJmsContract.PROP_CALLED_PARTY, cdr.calledParty());
                message.setStringProperty(CdrJmsContract.PROP_RECORD_TYPE, CdrJmsContract.RECORD_TYPE_AS);
                message.setStringProperty(CdrJmsContract.PROP_OPENING_TIME, cdr.openingTime().toString());
                message.setStringProperty(CdrJmsContract.PROP_CLOSURE_TIME, cdr.closureTime().toString());
                message.setLongProperty(CdrJmsContract.PROP_LOCAL_SEQUENCE, cdr.localSequenceNumber());
                if (cdr.recordSequenceNumber() != null) {
                    message.setLongProperty(CdrJmsContract.PROP_RECORD_SEQUENCE, cdr.recordSequenceNumber());
                }
                message.setStringProperty(CdrJmsContract.PROP_BODY_FORMAT, cdr.bodyFormat());
                producer.send(cdrQueue, message);
                cdr.markPublished(now);
            }
        } catch (JMSException e) {
            throw new IllegalStateException("CDF-041 could not build a JMS message: " + e.getMessage(), e);
        }
        return batch.size();
    }

    /** Opens a connection to the broker and a producer on the CDR queue, outside any transaction; throws when it cannot. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public void probeBroker() {
        try (JMSContext context = connectionFactory.createContext()) {
            context.createProducer();
            context.createBrowser(cdrQueue).close();
        } catch (jakarta.jms.JMSRuntimeException | JMSException e) {
            throw new IllegalStateException("CDF-045 broker probe failed: " + e.getMessage(), e);
        }
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public long backlog() {
        return em.createNamedQuery("Cdr.countUnpublished", Long.class).getSingleResult();
    }

    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public long committed() {
        return em.createNamedQuery("Cdr.countAll", Long.class).getSingleResult();
    }
}
