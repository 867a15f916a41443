package org.sipcharge.billing.jms;

import jakarta.jms.BytesMessage;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.ObjectMessage;
import jakarta.jms.StreamMessage;
import jakarta.jms.TextMessage;
import org.sipcharge.billing.link.BillingWireProtocol;
import org.sipcharge.cdr.CdrJmsContract;
import org.sipcharge.cdr.CdrTextCodec;
import org.sipcharge.cdr.ChargingDataRecord;

import java.util.Enumeration;

/**
 * What the billing connector's consumers share about CDR messages: the checks that make a message poison (it would
 * fail the same way on every redelivery, so it is dead-lettered at once, with the reason), reading the body, and
 * copying a message to another destination inside the caller's transaction.
 */
public final class CdrMessages {

    public static final String INVALID = "invalid-cdr: ";
    public static final String BILLING_NAK = "billing-nak: ";

    private CdrMessages() {
    }

    /** A CDR message read and checked: the CDR, or why the message is not one. */
    public record Checked(String cdrId, String sessionId, byte[] body, ChargingDataRecord cdr, String invalid) {
    }

    /** Reads and checks a message; a {@link JMSException} means it could not even be read (transient). */
    public static Checked check(Message message) throws JMSException {
        String cdrId = message.getStringProperty(CdrJmsContract.PROP_CDR_ID);
        byte[] body = readBody(message);
        String sessionId;
        try {
            sessionId = message.getStringProperty(CdrJmsContract.PROP_SESSION_ID);
        } catch (JMSException e) {
            sessionId = null;
        }
        String invalid = rejectReason(message instanceof BytesMessage ? null : typeName(message), cdrId, sessionId, body);
        ChargingDataRecord cdr = invalid == null ? CdrJmsContract.decodeBody(body, cdrId, sessionId) : null;
        return new Checked(cdrId, sessionId, body, cdr, invalid);
    }

    /**
     * Why a message cannot be a CDR for billing, or null when it is one.
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

    /** The whole body of a bytes message, or null for other types. */
    static byte[] readBody(Message message) throws JMSException {
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

    /**
     * Sends a copy of {@code original} (same body, same application properties) to {@code queue} in the context's
     * transaction: persistent, never expiring, delayed by {@code delayMillis} when positive (a held CDR).
     *
     * @param extra property pairs to set on the copy (name, value, name, value ...)
     */
    public static void sendCopy(JMSContext context, Message original, byte[] body, String queue, long delayMillis,
                         String... extra) throws JMSException {
        Message copy;
        if (original instanceof BytesMessage) {
            BytesMessage b = context.createBytesMessage();
            b.writeBytes(body);
            copy = b;
        } else if (original instanceof TextMessage text) {
            copy = context.createTextMessage(text.getText());
        } else {
            // Other bodies (map, object, stream) are not copied: the dead-letter reason names the type.
            copy = context.createMessage();
        }
        copyProperties(original, copy);
        for (int i = 0; i + 1 < extra.length; i += 2) {
            copy.setStringProperty(extra[i], extra[i + 1]);
        }
        var producer = context.createProducer()
                .setDeliveryMode(DeliveryMode.PERSISTENT)
                .setTimeToLive(0);
        if (delayMillis > 0) {
            producer.setDeliveryDelay(delayMillis);
        }
        producer.send(context.createQueue(queue), copy);
    }

    /** Sends a copy with the reason to the dead-letter queue inside the context's transaction. */
    public static void deadLetter(JMSContext context, Message original, byte[] body, String reason) throws JMSException {
        sendCopy(context, original, body, CdrJmsContract.DEAD_LETTER_QUEUE, 0, CdrJmsContract.PROP_FAILURE_REASON, reason);
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

    static String typeName(Message message) {
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

    static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
