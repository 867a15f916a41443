package org.sipcharge.charging.domain.model.accounting;

import org.sipcharge.charging.application.ImsChargingInfo;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * One accounting request (an ACR) as the charging domain sees it, free of Diameter types.
 * Both the Rf client (which builds it) and the CDF (which receives it) use this form.
 *
 * @param sessionId      Diameter Session-Id of the accounting session
 * @param originHost     the CTF that sent it
 * @param type           START, INTERIM, STOP or EVENT
 * @param recordNumber   Accounting-Record-Number, unique within the session (RFC 6733 9.8.3)
 * @param retransmission the T flag was set: the CTF may have sent it before
 * @param userSessionId  SIP Call-ID (TS 32.299 User-Session-Id)
 * @param callingParty   TS 32.299 Calling-Party-Address
 * @param calledParty    TS 32.299 Called-Party-Address
 * @param sipRequestTime TS 32.299 SIP-Request-Timestamp (the INVITE), may be null
 * @param sipResponseTime TS 32.299 SIP-Response-Timestamp (answer for START, BYE time for STOP), may be null
 * @param eventTime      Event-Timestamp: when the CTF recorded the event
 * @param causeCode      TS 32.299 Cause-Code (0 = normal end), meaningful on STOP
 * @param sipMethod      TS 32.299 SIP-Method of Event-Type: INVITE for sessions, the request's method for events
 * @param subscriptionImsi Subscription-Id of type END_USER_IMSI (RFC 4006 8.46; TS 32.299 Service-Information), or null
 * @param subscriptionE164 Subscription-Id of type END_USER_E164, or null
 * @param ims            TS 32.299 IMS-Charging-Identifier, Inter-Operator-Identifier and SDP-Media-Component values
 *                       ({@link ImsChargingInfo#NONE} when the record carries none)
 * @param serviceContextId the ACR's Service-Context-Id as received (the CDF keeps it for the CDR), or null
 */
public record AccountingRequest(String sessionId, String originHost, AccountingRecordType type, long recordNumber,
                                boolean retransmission, String userSessionId, String callingParty, String calledParty,
                                Instant sipRequestTime, Instant sipResponseTime, Instant eventTime, int causeCode,
                                String sipMethod, String subscriptionImsi, String subscriptionE164, ImsChargingInfo ims,
                                String serviceContextId)
        implements Serializable {

    /** A record without IMS charging details and Service-Context-Id. */
    public AccountingRequest(String sessionId, String originHost, AccountingRecordType type, long recordNumber,
                             boolean retransmission, String userSessionId, String callingParty, String calledParty,
                             Instant sipRequestTime, Instant sipResponseTime, Instant eventTime, int causeCode,
                             String sipMethod, String subscriptionImsi, String subscriptionE164) {
        this(sessionId, originHost, type, recordNumber, retransmission, userSessionId, callingParty, calledParty,
                sipRequestTime, sipResponseTime, eventTime, causeCode, sipMethod, subscriptionImsi, subscriptionE164,
                ImsChargingInfo.NONE, null);
    }

    /** A record without Subscription-Id (what this product's CTF sends: a SIP B2BUA knows no IMSI). */
    public AccountingRequest(String sessionId, String originHost, AccountingRecordType type, long recordNumber,
                             boolean retransmission, String userSessionId, String callingParty, String calledParty,
                             Instant sipRequestTime, Instant sipResponseTime, Instant eventTime, int causeCode, String sipMethod) {
        this(sessionId, originHost, type, recordNumber, retransmission, userSessionId, callingParty, calledParty,
                sipRequestTime, sipResponseTime, eventTime, causeCode, sipMethod, null, null);
    }

    /** A session's record (SIP-Method INVITE). */
    public AccountingRequest(String sessionId, String originHost, AccountingRecordType type, long recordNumber,
                             boolean retransmission, String userSessionId, String callingParty, String calledParty,
                             Instant sipRequestTime, Instant sipResponseTime, Instant eventTime, int causeCode) {
        this(sessionId, originHost, type, recordNumber, retransmission, userSessionId, callingParty, calledParty,
                sipRequestTime, sipResponseTime, eventTime, causeCode, "INVITE");
    }

    public AccountingRequest {
        if (sessionId == null || sessionId.isBlank()) {
            throw new IllegalArgumentException("sessionId must not be blank");
        }
        Objects.requireNonNull(originHost, "originHost");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(eventTime, "eventTime");
        if (sipMethod == null || sipMethod.isBlank()) {
            sipMethod = "INVITE";
        }
        ims = ims == null ? ImsChargingInfo.NONE : ims;
        if (recordNumber < 0 || recordNumber > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("Accounting-Record-Number out of Unsigned32 range: " + recordNumber);
        }
    }

    /** The same request marked as a retransmission (T flag), RFC 6733 section 9.4. */
    public AccountingRequest asRetransmission() {
        return new AccountingRequest(sessionId, originHost, type, recordNumber, true, userSessionId, callingParty,
                calledParty, sipRequestTime, sipResponseTime, eventTime, causeCode, sipMethod, subscriptionImsi, subscriptionE164,
                ims, serviceContextId);
    }

    /** The same request carrying these IMS charging details. */
    public AccountingRequest withIms(ImsChargingInfo details) {
        return new AccountingRequest(sessionId, originHost, type, recordNumber, retransmission, userSessionId, callingParty,
                calledParty, sipRequestTime, sipResponseTime, eventTime, causeCode, sipMethod, subscriptionImsi, subscriptionE164,
                details, serviceContextId);
    }
}
