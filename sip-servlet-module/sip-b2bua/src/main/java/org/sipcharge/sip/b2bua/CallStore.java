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
}
