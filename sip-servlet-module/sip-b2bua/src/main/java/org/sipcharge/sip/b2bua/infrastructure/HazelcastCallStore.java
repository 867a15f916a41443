package org.sipcharge.sip.b2bua.infrastructure;

import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import org.sipcharge.sip.b2bua.CallStore;
import org.sipcharge.sip.b2bua.domain.CallState;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Calls in a Hazelcast IMap of byte arrays (our own encoding, see {@link CallState#toBytes()}), so the grid's
 * members never need the application's classes and a call's size is known.
 * The map keeps {@code sipcharge.grid.backup-count} synchronous backups (default 1), so a call survives the death of
 * as many members.
 */
public final class HazelcastCallStore implements CallStore {

    /** Name of the replicated map of calls. */
    public static final String MAP_NAME = "sipcharge-calls";
    /** A lock held longer than this is released by the grid (a node that died while holding it). */
    private static final long LOCK_LEASE_SECONDS = 10;

    private final IMap<String, byte[]> map;
    private final HazelcastInstance hz;
    /** Data members of the whole SIP tier (sipcharge.grid.expected-members); 0 or 1: no quorum rule. */
    private final int expectedMembers;

    /**
     * The calls map with its backup count set as dynamic configuration before first use. A cluster that already
     * runs with another setting keeps it (Hazelcast refuses a conflicting map configuration); that is logged.
     */
    public static IMap<String, byte[]> configuredMap(HazelcastInstance hz, int backupCount) {
        try {
            hz.getConfig().addMapConfig(new MapConfig(MAP_NAME).setBackupCount(backupCount).setAsyncBackupCount(0));
        } catch (RuntimeException e) {
            java.util.logging.Logger.getLogger(HazelcastCallStore.class.getName()).warning("SIP-011 could not set "
                    + backupCount + " backups on map " + MAP_NAME + ": " + e.getMessage() + "; the cluster keeps its configuration");
        }
        return hz.getMap(MAP_NAME);
    }

    /** Hazelcast port of the DAS: a data member there is not of the SIP tier and does not count; 0: none. */
    private final int dasMemberPort;

    public HazelcastCallStore(IMap<String, byte[]> map) {
        this(map, null, 0, 0);
    }

    public HazelcastCallStore(IMap<String, byte[]> map, HazelcastInstance hz, int expectedMembers, int dasMemberPort) {
        this.map = map;
        this.hz = hz;
        this.expectedMembers = expectedMembers;
        this.dasMemberPort = dasMemberPort;
    }

    @Override
    public boolean hasQuorum() {
        if (hz == null || expectedMembers <= 1) {
            return true;
        }
        return hz.getCluster().getMembers().stream()
                .filter(m -> !m.isLiteMember() && m.getAddress().getPort() != dasMemberPort).count() >= expectedMembers / 2 + 1;
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
