package org.sipcharge.sip.b2bua;

import org.sipcharge.sip.b2bua.domain.CallState;

import java.util.function.Function;

/** Where calls live: the replicated store in production, a map in tests. Keyed by the A leg's Call-ID. */
public interface CallStore {

    CallState get(String key);

    /**
     * Reads, changes and writes one call under a lock on its key, so that two messages of one call handled at
     * once on two threads (or two nodes) never lose each other's change.
     *
     * @param change gets the call (null when there is none) and returns the new state, or null to remove it
     * @return what {@code change} returned
     */
    CallState update(String key, Function<CallState, CallState> change);

    int size();

    /**
     * How long a call ended by a BYE is remembered: 64 * T1 = 32 s, the time a client transaction that sent the BYE
     * may go on retrying it (RFC 3261 section 17.1.2.2, Timer F). Within it, the same BYE arriving again (the load
     * balancer retries a BYE whose answer was late on another instance) is answered 200 instead of 481.
     */
    long ENDED_MEMORY_MILLIS = 32_000;

    /**
     * Remembers for {@link #ENDED_MEMORY_MILLIS} that the BYE with this From tag and CSeq number ended the call.
     * Called from inside {@link #update}'s change, so that the memory is written before the call is removed and its
     * lock released: a retried BYE that waited for the lock finds one or the other. Nothing by default.
     */
    default void rememberEndedBy(String key, String byeFromTag, long byeCseq) {
    }

    /** The call was ended, at most {@link #ENDED_MEMORY_MILLIS} ago, by a BYE with this From tag and CSeq number. */
    default boolean wasEndedBy(String key, String byeFromTag, long byeCseq) {
        return false;
    }

    /**
     * This node sees a majority of the SIP tier (it is not on the smaller side of a split grid). A node without one
     * answers 503 to everything but ACK, so that the balancer takes it out and sends calls and in-dialog requests to
     * the majority, which holds the calls' state. Always true without a grid.
     */
    default boolean hasQuorum() {
        return true;
    }
}
