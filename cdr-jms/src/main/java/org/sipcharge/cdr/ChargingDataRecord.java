package org.sipcharge.cdr;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One CDR for one accounting session (walking-skeleton form: the fields a billing system needs to
 * price a call). The TS 32.298 IMS record and its BER encoding replace the body encoding later; the
 * field names here follow TS 32.298 where a field exists there.
 *
 * @param cdrId                 globally unique, stable id; billing systems de-duplicate on it
 * @param sessionId             Diameter Session-Id of the accounting session
 * @param userSessionId         SIP Call-ID of the charged dialog (TS 32.298 sessionId / User-Session-Id)
 * @param callingParty          TS 32.298 list-Of-Calling-Party-Address (first)
 * @param calledParty           TS 32.298 called-Party-Address
 * @param serviceRequestTime    TS 32.298 serviceRequestTimeStamp (INVITE)
 * @param deliveryStartTime     TS 32.298 serviceDeliveryStartTimeStamp (answer)
 * @param deliveryEndTime       TS 32.298 serviceDeliveryEndTimeStamp (BYE)
 * @param localSequenceNumber   TS 32.298 localRecordSequenceNumber, increasing per CDF node
 * @param causeForRecordClosing TS 32.298 causeForRecordClosing, in the generic numbering of TS 32.298 5.1.2.2.15
 *                              (0 normal release, 4 abnormal release, 17 time limit of a partial record)
 * @param incomplete            TS 32.298 incomplete-CDR-Indication present: START or STOP was never received
 * @param nodeAddress           the CDF node that generated the record
 * @param recordSequenceNumber  TS 32.298 recordSequenceNumber: the number of a partial record within its session
 *                              (1, 2, ...; the last one closes the session); 0 for a session closed in one record,
 *                              which carries none (TS 32.298 5.1.3)
 * @param subscriptionImsi      TS 32.298 list-of-subscription-ID: the END_USER_IMSI the CTF gave (Subscription-Id), or null
 * @param subscriptionE164      the END_USER_E164 the CTF gave, or null
 * @param sipMethod             TS 32.298 sIP-Method: INVITE for a session, the request's method for an event; null = INVITE
 * @param serviceContextId      TS 32.298 serviceContextID: the ACR's Service-Context-Id, or null
 * @param imsChargingIdentifier TS 32.298 iMS-Charging-Identifier: icid-value of the P-Charging-Vector, or null
 * @param originatingIoi        TS 32.298 interOperatorIdentifiers originatingIOI, or null
 * @param terminatingIoi        TS 32.298 interOperatorIdentifiers terminatingIOI, or null
 * @param sdpMedia              TS 32.298 list-Of-SDP-Media-Components: the negotiated SDP's media lines, each m= line
 *                              followed by its description lines; empty when none
 * @param startLost             incomplete-CDR-Indication aCRStartLost: the CDF never received the session's START
 * @param stopLost              incomplete-CDR-Indication aCRStopLost: the CDF closed the session without its STOP
 *                              (supervision: no record within the configured multiple of the interim interval)
 */
public record ChargingDataRecord(String cdrId, String sessionId, String userSessionId,
                                 String callingParty, String calledParty,
                                 Instant serviceRequestTime, Instant deliveryStartTime, Instant deliveryEndTime,
                                 long localSequenceNumber, int causeForRecordClosing, boolean incomplete,
                                 String nodeAddress, long recordSequenceNumber, String subscriptionImsi,
                                 String subscriptionE164, String sipMethod, String serviceContextId,
                                 String imsChargingIdentifier, String originatingIoi, String terminatingIoi,
                                 java.util.List<String> sdpMedia, boolean startLost, boolean stopLost) {

    /**
     * A record whose incompleteness, if any, is a lost START (the meaning {@code incomplete} had before the CDF told
     * lost STOPs apart).
     */
    public ChargingDataRecord(String cdrId, String sessionId, String userSessionId, String callingParty, String calledParty,
                              Instant serviceRequestTime, Instant deliveryStartTime, Instant deliveryEndTime,
                              long localSequenceNumber, int causeForRecordClosing, boolean incomplete, String nodeAddress,
                              long recordSequenceNumber, String subscriptionImsi, String subscriptionE164, String sipMethod,
                              String serviceContextId, String imsChargingIdentifier, String originatingIoi,
                              String terminatingIoi, java.util.List<String> sdpMedia) {
        this(cdrId, sessionId, userSessionId, callingParty, calledParty, serviceRequestTime, deliveryStartTime, deliveryEndTime,
                localSequenceNumber, causeForRecordClosing, incomplete, nodeAddress, recordSequenceNumber, subscriptionImsi,
                subscriptionE164, sipMethod, serviceContextId, imsChargingIdentifier, originatingIoi, terminatingIoi, sdpMedia,
                incomplete, false);
    }

    /** A record without the IMS charging details (SIP method INVITE). */
    public ChargingDataRecord(String cdrId, String sessionId, String userSessionId, String callingParty, String calledParty,
                              Instant serviceRequestTime, Instant deliveryStartTime, Instant deliveryEndTime,
                              long localSequenceNumber, int causeForRecordClosing, boolean incomplete, String nodeAddress,
                              long recordSequenceNumber, String subscriptionImsi, String subscriptionE164) {
        this(cdrId, sessionId, userSessionId, callingParty, calledParty, serviceRequestTime, deliveryStartTime, deliveryEndTime,
                localSequenceNumber, causeForRecordClosing, incomplete, nodeAddress, recordSequenceNumber, subscriptionImsi,
                subscriptionE164, null, null, null, null, null, java.util.List.of());
    }

    /** Generic causeForRecordClosing values (TS 32.298 5.1.2.2.15) the CDF writes. */
    public static final int CAUSE_NORMAL_RELEASE = 0;
    public static final int CAUSE_ABNORMAL_RELEASE = 4;
    public static final int CAUSE_TIME_LIMIT = 17;

    /** A record that closes its session alone (no partial records). */
    public ChargingDataRecord(String cdrId, String sessionId, String userSessionId, String callingParty, String calledParty,
                              Instant serviceRequestTime, Instant deliveryStartTime, Instant deliveryEndTime,
                              long localSequenceNumber, int causeForRecordClosing, boolean incomplete, String nodeAddress) {
        this(cdrId, sessionId, userSessionId, callingParty, calledParty, serviceRequestTime, deliveryStartTime, deliveryEndTime,
                localSequenceNumber, causeForRecordClosing, incomplete, nodeAddress, 0, null, null, null, null, null, null, null,
                java.util.List.of());
    }

    public ChargingDataRecord {
        if (incomplete != (startLost || stopLost)) {
            throw new IllegalArgumentException("incomplete (" + incomplete + ") must be true exactly when START (" + startLost
                    + ") or STOP (" + stopLost + ") was lost");
        }
        if (subscriptionImsi != null && subscriptionImsi.isBlank()) {
            subscriptionImsi = null;
        }
        if (subscriptionE164 != null && subscriptionE164.isBlank()) {
            subscriptionE164 = null;
        }
        sipMethod = blankToNull(sipMethod);
        serviceContextId = blankToNull(serviceContextId);
        imsChargingIdentifier = blankToNull(imsChargingIdentifier);
        originatingIoi = blankToNull(originatingIoi);
        terminatingIoi = blankToNull(terminatingIoi);
        sdpMedia = sdpMedia == null ? java.util.List.of() : java.util.List.copyOf(sdpMedia);
        if (recordSequenceNumber < 0) {
            throw new IllegalArgumentException("recordSequenceNumber must be >= 0: " + recordSequenceNumber);
        }
        requireText(cdrId, "cdrId");
        requireText(sessionId, "sessionId");
        Objects.requireNonNull(userSessionId, "userSessionId");
        Objects.requireNonNull(callingParty, "callingParty");
        Objects.requireNonNull(calledParty, "calledParty");
        Objects.requireNonNull(deliveryStartTime, "deliveryStartTime");
        Objects.requireNonNull(deliveryEndTime, "deliveryEndTime");
        Objects.requireNonNull(nodeAddress, "nodeAddress");
        if (deliveryEndTime.isBefore(deliveryStartTime)) {
            throw new IllegalArgumentException("deliveryEndTime " + deliveryEndTime + " before deliveryStartTime " + deliveryStartTime);
        }
        if (localSequenceNumber < 0) {
            throw new IllegalArgumentException("localSequenceNumber must be >= 0: " + localSequenceNumber);
        }
    }

    /** Whether this is one of several partial records of its session. */
    public boolean partial() {
        return recordSequenceNumber > 0;
    }

    /** Chargeable duration: from answer to release (of this partial record's part, for a partial record). */
    public Duration duration() {
        return Duration.between(deliveryStartTime, deliveryEndTime);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
