package org.sipcharge.charging.application;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * A session-less SIP request that was delivered (a MESSAGE answered 2xx, for instance): charged with one EVENT
 * record (TS 32.299 5.2.2.1 event-based charging).
 *
 * @param eventKey     unique key of the request (its Call-ID)
 * @param sipMethod    the SIP method (TS 32.299 SIP-Method in Event-Type)
 * @param callingParty the sender's URI (From, or P-Asserted-Identity when present)
 * @param calledParty  the Request-URI
 * @param requestTime  when the request reached the B2BUA
 * @param responseTime when the final 2xx reached the B2BUA
 * @param ims          the request's P-Charging-Vector identifiers ({@link ImsChargingInfo#NONE} if none)
 */
public record ChargeableEvent(String eventKey, String sipMethod, String callingParty, String calledParty,
                              Instant requestTime, Instant responseTime, ImsChargingInfo ims) implements Serializable {

    /** An event without IMS charging details. */
    public ChargeableEvent(String eventKey, String sipMethod, String callingParty, String calledParty, Instant requestTime,
                           Instant responseTime) {
        this(eventKey, sipMethod, callingParty, calledParty, requestTime, responseTime, ImsChargingInfo.NONE);
    }

    public ChargeableEvent {
        ims = ims == null ? ImsChargingInfo.NONE : ims;
        Objects.requireNonNull(eventKey, "eventKey");
        Objects.requireNonNull(sipMethod, "sipMethod");
        Objects.requireNonNull(callingParty, "callingParty");
        Objects.requireNonNull(calledParty, "calledParty");
        Objects.requireNonNull(requestTime, "requestTime");
        Objects.requireNonNull(responseTime, "responseTime");
    }
}
