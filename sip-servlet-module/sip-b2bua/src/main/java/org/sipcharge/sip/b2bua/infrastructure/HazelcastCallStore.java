package org.sipcharge.sip.b2bua.infrastructure;

import com.hazelcast.map.IMap;
import org.sipcharge.sip.b2bua.CallStore;
import org.sipcharge.sip.b2bua.domain.CallState;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Calls in a Hazelcast IMap of byte arrays (our own encoding, see {@link CallState#toBytes()}), so the grid's
 * members never need the application's classes and a call's size is known.
 * The map's backup count is the Hazelcast configuration of the domain (default 1).
 */
public final class HazelcastCallStore implements CallStore {

    /** Name of the replicated map of calls. */
    public static final String MAP_NAME = "sipcharge-calls";
    /** A lock held longer than this is released by the grid (a node that died while holding it). */
    private static final long LOCK_LEASE_SECONDS = 10;

    private final IMap<String, byte[]> map;

    public HazelcastCallStore(IMap<String, byte[]> map) {
        this.map = map;
    }

    @Override
    public CallState get(String key) {
        byte[] b = map.get(key);
        return b == null ? null : CallState.fromBytes(b);
    }

    @Override
    public CallState update(String key, Function<CallState, CallState> change) {
        map.lock(key, LOCK_LEASE_SECONDS, TimeUnit.SECONDS);
        try {
            byte[] b = map.get(key);
            CallState next = change.apply(b == null ? null : CallState.fromBytes(b));
            if (next == null) {
                if (b != null) {
                    map.delete(key);
                }
            } else {
                map.set(key, next.toBytes());
            }
            return next;
        } finally {
            map.unlock(key);
        }
    }

    @Override
    public int size() {
        return map.size();
    }
}
