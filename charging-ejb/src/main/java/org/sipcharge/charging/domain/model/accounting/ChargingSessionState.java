package org.sipcharge.charging.domain.model.accounting;

import org.sipcharge.charging.application.ChargeableSession;

import java.io.Serializable;

/**
 * The Rf client's state of one accounting session, kept in the replicated store so that any SIP node can
 * continue it. Immutable: every change is a new value written back under the same key.
 *
 * @param diameterSessionId      Session-Id of the accounting session (RFC 6733 8.8)
 * @param session                what the SIP tier reported at answer time
 * @param lastRecordNumber       Accounting-Record-Number of the last ACR sent (START = 0, RFC 6733 9.8.3)
 * @param interimIntervalSeconds Acct-Interim-Interval received in the last ACA, -1 before any
 */
public record ChargingSessionState(String diameterSessionId, ChargeableSession session, long lastRecordNumber,
                                   long interimIntervalSeconds) implements Serializable {

    public ChargingSessionState withInterimInterval(long seconds) {
        return new ChargingSessionState(diameterSessionId, session, lastRecordNumber, seconds);
    }

    public ChargingSessionState withLastRecordNumber(long n) {
        return new ChargingSessionState(diameterSessionId, session, n, interimIntervalSeconds);
    }
}
