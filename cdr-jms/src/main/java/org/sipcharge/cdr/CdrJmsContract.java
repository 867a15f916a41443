package org.sipcharge.cdr;

/**
 * The JMS contract between the CDF and the consumers of CDRs (billing connector, billing systems).
 * Documented for billing-system integrators in docs/billing-jms.md; change both together.
 */
public final class CdrJmsContract {

    /** Artemis anycast address and queue that carries every committed CDR to the billing connectors. */
    public static final String CDR_QUEUE = "sipcharge.cdr";
    /** Dead-letter address: messages that failed delivery (with the reason in {@link #PROP_FAILURE_REASON}). */
    public static final String DEAD_LETTER_QUEUE = "sipcharge.cdr.dlq";

    /** JNDI name of the Artemis connection factory (connector resource of the Artemis resource adapter). */
    public static final String CONNECTION_FACTORY_JNDI = "jms/sipcharge/ConnectionFactory";
    /** JNDI name of the CDR queue admin object. */
    public static final String CDR_QUEUE_JNDI = "jms/sipcharge/CdrQueue";
    /** Name under which the Artemis resource adapter is deployed; MDBs must bind to it explicitly. */
    public static final String RESOURCE_ADAPTER = "artemis-ra";

    /** Artemis duplicate-detection header; set to the CDR id so a re-sent CDR is dropped by the broker. */
    public static final String PROP_DUPLICATE_ID = "_AMQ_DUPL_ID";
    public static final String PROP_CDR_ID = "cdrId";
    public static final String PROP_SESSION_ID = "sessionId";
    public static final String PROP_SERVED_USER = "servedUser";
    public static final String PROP_CALLED_PARTY = "calledParty";
    public static final String PROP_RECORD_TYPE = "recordType";
    public static final String PROP_OPENING_TIME = "recordOpeningTime";
    public static final String PROP_CLOSURE_TIME = "recordClosureTime";
    public static final String PROP_LOCAL_SEQUENCE = "localSequenceNumber";
    /** TS 32.298 recordSequenceNumber of a partial record (long); absent on a record that closes its session alone. */
    public static final String PROP_RECORD_SEQUENCE = "recordSequenceNumber";
    public static final String PROP_BODY_FORMAT = "bodyFormat";
    public static final String PROP_FAILURE_REASON = "failureReason";
    /** On a copy in a billing system's queue: the billing system it is for. */
    public static final String PROP_BILLING_SYSTEM = "billingSystem";
    /** On a copy in a billing system's queue: which filtering rule let it go there, and when (one line). */
    public static final String PROP_CFF_DECISION = "cffDecision";
    /** Prefix of the per-billing-system queues: {@code sipcharge.billing.<system>}. */
    public static final String BILLING_QUEUE_PREFIX = "sipcharge.billing.";

    /** Value of {@link #PROP_RECORD_TYPE}: TS 32.298 RecordType aSRecord (application server). */
    public static final String RECORD_TYPE_AS = "aSRecord";
    /** Value of {@link #PROP_BODY_FORMAT} for {@link CdrTextCodec} bodies. */
    public static final String BODY_FORMAT_TEXT = "sipcharge-text-1";
    /**
     * Value of {@link #PROP_BODY_FORMAT} for TS 32.298 bodies: the IMSRecord (aSRecord) in BER
     * ({@link org.sipcharge.cdr.ber.CdrBerCodec}). The default since the BER switch.
     */
    public static final String BODY_FORMAT_BER = "3gpp-ts32298-ber";

    /**
     * The record in a body of either format: BER bodies start with the IMSRecord's tag octet 0xBF (constructed,
     * context, tag [69]), text bodies with a printable character.
     *
     * @param cdrId             the {@code cdrId} property (BER bodies do not hold it)
     * @param diameterSessionId the {@code sessionId} property
     * @throws IllegalArgumentException when the body is neither
     */
    public static ChargingDataRecord decodeBody(byte[] body, String cdrId, String diameterSessionId) {
        if (body.length > 0 && body[0] == (byte) 0xBF) {
            return org.sipcharge.cdr.ber.CdrBerCodec.decode(body).toChargingDataRecord(cdrId, diameterSessionId);
        }
        return CdrTextCodec.decode(body);
    }

    private CdrJmsContract() {
    }
}
