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
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Queue;
import org.sipcharge.cdr.CdrJmsContract;
import org.sipcharge.charging.domain.model.cdr.Cdr;

import java.util.List;

/**
 * Sends CDRs of the outbox to the JMS CDR queue, in a transaction of the broker's own: the broker is its only
 * resource, so it commits in one phase and is never left prepared. (The outbox relay used to send in the database's
 * XA transaction; a kill between the two phases left the CDR rows locked by a prepared branch that the transaction
 * manager's recovery did not release on H2, and the outbox stopped for good: BillingCoordinatorFailoverIT.)
 */
@Stateless
public class CdrPublisher {

    @Resource(lookup = CdrJmsContract.CONNECTION_FACTORY_JNDI)
    private ConnectionFactory connectionFactory;

    @Resource(lookup = CdrJmsContract.CDR_QUEUE_JNDI)
    private Queue cdrQueue;

    /**
     * All of them in one broker transaction, committed when this returns. The broker refuses the whole transaction
     * when it already has one of them (duplicate id): then {@link #sendEach} is the way.
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void sendAll(List<Cdr> cdrs) {
        send(cdrs);
    }

    /**
     * One by one outside any transaction, each durable at the broker when its send returns; a CDR the broker already
     * has is dropped by its duplicate detection without an error.
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public void sendEach(List<Cdr> cdrs) {
        send(cdrs);
    }

    /** Opens a connection to the broker and a producer on the CDR queue, outside any transaction; throws when it cannot. */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public void probe() {
        try (JMSContext context = connectionFactory.createContext()) {
            context.createProducer();
            context.createBrowser(cdrQueue).close();
        } catch (JMSRuntimeException | JMSException e) {
            throw new IllegalStateException("CDF-045 broker probe failed: " + e.getMessage(), e);
        }
    }

    private void send(List<Cdr> cdrs) {
        try (JMSContext context = connectionFactory.createContext()) {
            // No time-to-live: a CDR must never expire in the broker (it is money).
            JMSProducer producer = context.createProducer().setDeliveryMode(DeliveryMode.PERSISTENT).setTimeToLive(0);
            for (Cdr cdr : cdrs) {
                producer.send(cdrQueue, message(context, cdr));
            }
        } catch (JMSException e) {
            throw new IllegalStateException("CDF-041 could not build a JMS message: " + e.getMessage(), e);
        }
    }

    private static BytesMessage message(JMSContext context, Cdr cdr) throws JMSException {
        BytesMessage message = context.createBytesMessage();
        message.writeBytes(cdr.body());
        // The broker's duplicate detection: a CDR sent again (its row's marking lost in a crash) is dropped.
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
        return message;
    }
}
