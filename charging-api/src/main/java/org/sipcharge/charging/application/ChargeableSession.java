package org.sipcharge.charging.application;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * A SIP session that is to be charged, as the SIP tier sees it at answer time.
 * Free of SIP stack types so that the charging side never depends on JAIN SIP.
 *
 * @param sessionKey   unique key of the call (the Call-ID of the caller's dialog)
 * @param callingParty the caller's URI (From, or P-Asserted-Identity when present)
 * @param calledParty  the callee's URI (Request-URI of the initial INVITE)
 * @param requestTime  when the initial INVITE reached the B2BUA
 * @param answerTime   when the 2xx answer reached the B2BUA
 * @param ims          the P-Charging-Vector's identifiers and the negotiated SDP media ({@link ImsChargingInfo#NONE} if none)
 */
public record ChargeableSession(String sessionKey, String callingParty, String calledParty,
                                Instant requestTime, Instant answerTime, ImsChargingInfo ims) implements Serializable {

    /** A session without IMS charging details. */
    public ChargeableSession(String sessionKey, String callingParty, String calledParty, Instant requestTime, Instant answerTime) {
        this(sessionKey, callingParty, calledParty, requestTime, answerTime, ImsChargingInfo.NONE);
    }

    public ChargeableSession {
        ims = ims == null ? ImsChargingInfo.NONE : ims;
        Objects.requireNonNull(sessionKey, "sessionKey");
        Objects.requireNonNull(callingParty, "callingParty");
        Objects.requireNonNull(calledParty, "calledParty");
        Objects.requireNonNull(requestTime, "requestTime");
        Objects.requireNonNull(answerTime, "answerTime");
        if (sessionKey.isBlank()) {
            throw new IllegalArgumentException("sessionKey must not be blank");
        }
    }
}
