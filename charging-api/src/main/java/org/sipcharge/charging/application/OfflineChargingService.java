package org.sipcharge.charging.application;

import jakarta.ejb.Local;

import java.time.Instant;

/**
 * What the SIP tier tells the offline charging application (the Rf client, TS 32.299 CTF role).
 * Both methods return at once: Diameter traffic happens on other threads, so a SIP thread never
 * waits for a CDF. Calls for one session are accounted in order: STOP is sent only after the
 * CDF has answered START.
 */
@Local
public interface OfflineChargingService {

    /** The callee answered (2xx to INVITE): opens the accounting session with ACR START. */
    void sessionStarted(ChargeableSession session);

    /**
     * The call ended (BYE or an error after answer): closes the accounting session with ACR STOP.
     *
     * @param sessionKey the key given to {@link #sessionStarted}
     * @param endTime when the BYE was received
     * @param causeCode TS 32.299 Cause-Code for the closure (0 = normal end of session)
     */
    void sessionEnded(String sessionKey, Instant endTime, int causeCode);

    /** A session-less request was delivered: one ACR EVENT, record number 0, in an accounting session of its own. */
    void eventOccurred(ChargeableEvent event);
}
