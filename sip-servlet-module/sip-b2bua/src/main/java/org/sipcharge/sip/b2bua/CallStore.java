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
     * This node sees a majority of the SIP tier (it is not on the smaller side of a split grid). A node without one
     * answers 503 to everything but ACK, so that the balancer takes it out and sends calls and in-dialog requests to
     * the majority, which holds the calls' state. Always true without a grid.
     */
    default boolean hasQuorum() {
        return true;
    }
}
