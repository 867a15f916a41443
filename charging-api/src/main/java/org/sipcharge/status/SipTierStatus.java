package org.sipcharge.status;

import jakarta.ejb.Local;

/** Figures of the SIP tier (JAIN SIP resource adapter and B2BUA) of this node, for the admin API, health and metrics. */
@Local
public interface SipTierStatus {

    Report report();

    /**
     * @param listening        the SIP listening point is bound
     * @param listenAddress    host:port/transport it listens on
     * @param startError       why it is not listening, or null
     * @param invitesReceived  initial INVITEs received from callers
     * @param callsAnswered    calls answered by the callee (2xx relayed to the caller)
     * @param callsCompleted   answered calls ended with BYE
     * @param callsFailed      calls ended with a final error response before answer
     * @param callsCancelled   calls cancelled by the caller before answer
     * @param malformedRejected requests refused as malformed (400) or dropped per RFC 3261
     * @param activeCalls      calls with state in the replicated store
     */
    record Report(boolean listening, String listenAddress, String startError, long invitesReceived, long callsAnswered,
                  long callsCompleted, long callsFailed, long callsCancelled, long malformedRejected, int activeCalls) {
    }
}
