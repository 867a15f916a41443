package org.sipcharge.billing.jms;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.jms.BytesMessage;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.MapMessage;
import jakarta.jms.ObjectMessage;
import jakarta.jms.StreamMessage;
import jakarta.jms.TextMessage;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.sipcharge.billing.link.BillingLink;
import org.sipcharge.billing.link.BillingWireProtocol;
import org.sipcharge.cdr.CdrJmsContract;
import org.sipcharge.cdr.CdrTextCodec;
import org.sipcharge.cdr.ChargingDataRecord;

import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.io.IOException;
import java.util.Enumeration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Delivers each CDR from the CDR queue to the billing system. The message is consumed (the transaction commits)
 * only after the billing system has answered {@code ACK}, or after a copy went to the dead-letter queue in the
 * same transaction:
 * <ul>
 *   <li>an invalid message (not a bytes message, no {@code cdrId}, undecodable body, ids differ) would fail the
 *       same way on every redelivery, so it is dead-lettered at once with {@code failureReason=invalid-cdr: ...};</li>
 *   <li>a CDR the billing system refuses ({@code NAK}) is a permanent error too:
 *       {@code failureReason=billing-nak: <reason>};</li>
 *   <li>when the billing system cannot be reached or does not answer, the bean throws: the container rolls back,
 *       Artemis redelivers, and after its max-delivery-attempts moves the message to the dead-letter queue.</li>
 * </ul>
 * Delivery is at-least-once: a commit lost after the billing system's ACK redelivers the CDR, and the billing
 * system de-duplicates on the CDR id.
 */
@MessageDriven(activationConfig = {
        @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = CdrJmsContract.RESOURCE_ADAPTER),
        @ActivationConfigProperty(propertyName = "destination", propertyValue = CdrJmsContract.CDR_QUEUE),
        @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Queue"),
        @ActivationConfigProperty(propertyName = "useJNDI", propertyValue = "false"),
        @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "4"),
})
@TransactionManagement(TransactionManagementType.CONTAINER)
@TransactionAttribute(TransactionAttributeType.REQUIRED)
public class CdrDeliveryBean implements MessageListener {

    static final String INVALID = "invalid-cdr: ";
    static final String BILLING_NAK = "billing-nak: ";
    private static final String TSR_JNDI = "java:comp/TransactionSynchronizationRegistry";
    private static final String LINK_JNDI = "java:module/BillingLink";

    private static final Logger LOG = Logger.getLogger(CdrDeliveryBean.class.getName());

    @Resource(lookup = CdrJmsContract.CONNECTION_FACTORY_JNDI)
    private ConnectionFactory connectionFactory;

    @Resource(lookup = TSR_JNDI)
    private TransactionSynchronizationRegistry transactions;

    @EJB
    private BillingLink link;

    @PostConstruct
    void started() {
        // With CDI enabled in an EJB jar, Payara has been seen to leave @Resource fields of an MDB null
        // (PLATFORM.md, SIP trap 3): look them up then instead of failing on the first message.
        try {
            InitialContext jndi = new InitialContext();
            if (connectionFactory == null) {
                connectionFactory = (ConnectionFactory) jndi.lookup(CdrJmsContract.CONNECTION_FACTORY_JNDI);
            }
            if (transactions == null) {
                transactions = (TransactionSynchronizationRegistry) jndi.lookup(TSR_JNDI);
            }
            if (link == null) {
                link = (BillingLink) jndi.lookup(LINK_JNDI);
            }
        } catch (NamingException e) {
            throw new IllegalStateException("BIL-003 resources of the CDR consumer not found: " + e.getMessage(), e);
        }
        link.consumerStarted();
        LOG.fine("BIL-001 CDR consumer instance started on " + CdrJmsContract.CDR_QUEUE);
    }

    @Override
    public void onMessage(Message message) {
        String cdrId;
        byte[] body;
        try {
            cdrId = message.getStringProperty(CdrJmsContract.PROP_CDR_ID);
            body = readBody(message);
        } catch (JMSException e) {
            link.recordError("BIL-030 cannot read a message: " + e.getMessage());
            throw new IllegalStateException("BIL-030 cannot read message from " + CdrJmsContract.CDR_QUEUE + ": " + e, e);
        }
        String sessionId;
        try {
            sessionId = message.getStringProperty(CdrJmsContract.PROP_SESSION_ID);
        } catch (JMSException e) {
            sessionId = null;
        }
        String invalid = rejectReason(message instanceof BytesMessage ? null : typeName(message), cdrId, sessionId, body);
        if (invalid != null) {
            LOG.warning(() -> "BIL-020 invalid message on " + CdrJmsContract.CDR_QUEUE + " (cdrId " + cdrId
                    + ") moved to " + CdrJmsContract.DEAD_LETTER_QUEUE + ": " + invalid);
            deadLetter(message, body, INVALID + invalid);
            return;
        }
        BillingWireProtocol.Answer answer;
        try {
            // The legacy link speaks the text form; a TS 32.298 body is converted for it (it was checked above).
            answer = link.deliver(cdrId, CdrTextCodec.encode(CdrJmsContract.decodeBody(body, cdrId, sessionId)));
        } catch (IOException e) {
            // Transient: roll back, Artemis redelivers (and dead-letters after its max delivery attempts).
            LOG.warning(() -> "BIL-010 CDR " + cdrId + " not delivered to the billing system, rolled back for redelivery: " + e.getMessage());
            throw new BillingUnavailableException("BIL-010 CDR " + cdrId + " not delivered: " + e.getMessage(), e);
        }
        if (!answer.acknowledged()) {
            LOG.warning(() -> "BIL-021 billing system refused CDR " + cdrId + " (" + answer.reason() + "), moved to "
                    + CdrJmsContract.DEAD_LETTER_QUEUE);
            deadLetter(message, body, BILLING_NAK + answer.reason());
        }
    }

    /**
     * Why a message cannot be a CDR for the billing system, or null when it is one.
     *
     * @param wrongType the message type when it is not a bytes message, else null
     * @param cdrId     the {@code cdrId} property
     * @param body      the body bytes (null when not a bytes message)
     */
    static String rejectReason(String wrongType, String cdrId, byte[] body) {
        return rejectReason(wrongType, cdrId, null, body);
    }

    static String rejectReason(String wrongType, String cdrId, String sessionId, byte[] body) {
        if (wrongType != null) {
            return "not a BytesMessage but " + wrongType;
        }
        if (cdrId == null || cdrId.isBlank()) {
            return "missing property " + CdrJmsContract.PROP_CDR_ID;
        }
        if (!BillingWireProtocol.isValidCdrId(cdrId)) {
            return "property " + CdrJmsContract.PROP_CDR_ID + " is not one printable token of at most "
                    + BillingWireProtocol.MAX_CDR_ID_LENGTH + " characters";
        }
        if (body == null || body.length == 0) {
            return "empty body";
        }
        int max = Math.max(CdrTextCodec.MAX_ENCODED_LENGTH, org.sipcharge.cdr.ber.CdrBerCodec.MAX_ENCODED_LENGTH);
        if (body.length > max) {
            return "body of " + body.length + " bytes exceeds " + max;
        }
        ChargingDataRecord cdr;
        try {
            cdr = CdrJmsContract.decodeBody(body, cdrId, sessionId);
        } catch (IllegalArgumentException e) {
            return "body does not decode: " + oneLine(e.getMessage());
        }
        if (body[0] == (byte) 0xBF && !cdrId.equals(cdr.nodeAddress() + "-" + cdr.localSequenceNumber())) {
            // A TS 32.298 body has no CDR id; the CDF makes it from the node address and the local sequence number.
            return "property " + CdrJmsContract.PROP_CDR_ID + "=" + cdrId + " but the body is record "
                    + cdr.localSequenceNumber() + " of node " + oneLine(cdr.nodeAddress());
        }
        if (!cdr.cdrId().equals(cdrId)) {
            return "property " + CdrJmsContract.PROP_CDR_ID + "=" + cdrId + " but the body's cdrId is " + oneLine(cdr.cdrId());
        }
        return null;
    }

    /** The whole body of a bytes message (kept whole for a dead-letter copy), or null for other types. */
    private static byte[] readBody(Message message) throws JMSException {
        if (!(message instanceof BytesMessage bytes)) {
            return null;
        }
        long length = bytes.getBodyLength();
        if (length > Integer.MAX_VALUE - 8) {
            throw new JMSException("BytesMessage body of " + length + " bytes cannot be held in memory");
        }
        byte[] body = new byte[(int) length];
        bytes.reset();
        bytes.readBytes(body);
        return body;
    }

    /** Sends a copy of the message, with the reason, to the dead-letter queue inside the current transaction. */
    private void deadLetter(Message original, byte[] body, String reason) {
        try (JMSContext context = connectionFactory.createContext()) {
            Message copy;
            if (original instanceof BytesMessage) {
                BytesMessage b = context.createBytesMessage();
                b.writeBytes(body);
                copy = b;
            } else if (original instanceof TextMessage text) {
                copy = context.createTextMessage(text.getText());
            } else {
                // Other bodies (map, object, stream) are not copied: the reason names the type.
                copy = context.createMessage();
            }
            copyProperties(original, copy);
            copy.setStringProperty(CdrJmsContract.PROP_FAILURE_REASON, reason);
            context.createProducer()
                    .setDeliveryMode(DeliveryMode.PERSISTENT)
                    .setTimeToLive(0)
                    .send(context.createQueue(CdrJmsContract.DEAD_LETTER_QUEUE), copy);
        } catch (JMSException | JMSRuntimeException e) {
            link.recordError("BIL-031 cannot dead-letter: " + e.getMessage());
            // Rolling back keeps the message; Artemis dead-letters it after its max delivery attempts.
            throw new IllegalStateException("BIL-031 cannot send to " + CdrJmsContract.DEAD_LETTER_QUEUE + " (" + reason + "): " + e, e);
        }
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    link.deadLettered(reason);
                }
            }
        });
    }

    private static void copyProperties(Message from, Message to) throws JMSException {
        Enumeration<?> names = from.getPropertyNames();
        while (names.hasMoreElements()) {
            String name = (String) names.nextElement();
            // JMSX* and the broker's own _AMQ_* headers are set by the provider; the duplicate id is ours.
            if (name.startsWith("JMSX") || (name.startsWith("_AMQ_") && !name.equals(CdrJmsContract.PROP_DUPLICATE_ID))) {
                continue;
            }
            if (name.equals(CdrJmsContract.PROP_FAILURE_REASON)) {
                continue;
            }
            to.setObjectProperty(name, from.getObjectProperty(name));
        }
    }

    private static String typeName(Message message) {
        if (message instanceof TextMessage) {
            return "TextMessage";
        } else if (message instanceof MapMessage) {
            return "MapMessage";
        } else if (message instanceof ObjectMessage) {
            return "ObjectMessage";
        } else if (message instanceof StreamMessage) {
            return "StreamMessage";
        }
        return "Message";
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    /** The billing system could not be reached: a system exception, so the container rolls the message back. */
    static final class BillingUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BillingUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
