package org.sipcharge.sip.b2bua.infrastructure;

import org.sipcharge.charging.application.SipTierQuorum;
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
    /** Calls ended by a BYE, for {@link CallStore#ENDED_MEMORY_MILLIS} (the BYE's From tag and CSeq number). */
    public static final String ENDED_MAP_NAME = "sipcharge-ended-calls";
    /** A lock held longer than this is released by the grid (a node that died while holding it). */
    private static final long LOCK_LEASE_SECONDS = 10;

    private final IMap<String, byte[]> map;
    private final IMap<String, String> ended;
    private final long endedMemoryMillis;
    private final HazelcastInstance hz;
    private final SipTierQuorum quorum;

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

    public HazelcastCallStore(IMap<String, byte[]> map) {
        this(map, null, SipTierQuorum.NONE);
    }

    public HazelcastCallStore(IMap<String, byte[]> map, HazelcastInstance hz, SipTierQuorum quorum) {
        this(map, hz, quorum, ENDED_MEMORY_MILLIS);
    }

    /**
     * @param endedMemoryMillis how long an ended call is remembered (tests shorten it); the memory lives in the map
     *        {@value #ENDED_MAP_NAME} of the same grid, each entry with that time to live
     */
    public HazelcastCallStore(IMap<String, byte[]> map, HazelcastInstance hz, SipTierQuorum quorum, long endedMemoryMillis) {
        this.map = map;
        this.ended = hz != null ? hz.getMap(ENDED_MAP_NAME) : null;
        this.endedMemoryMillis = endedMemoryMillis;
        this.hz = hz;
        this.quorum = quorum;
    }

    @Override
    public boolean hasQuorum() {
        return hz == null || quorum.metBy(hz.getCluster().getMembers());
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

    @Override
    public void rememberEndedBy(String key, String byeFromTag, long byeCseq) {
        if (ended != null) {
            ended.set(key, endedBy(byeFromTag, byeCseq), endedMemoryMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public boolean wasEndedBy(String key, String byeFromTag, long byeCseq) {
        return ended != null && endedBy(byeFromTag, byeCseq).equals(ended.get(key));
    }

    private static String endedBy(String fromTag, long cseq) {
        return cseq + " " + fromTag;
    }
}
