package org.sipcharge.charging.infrastructure.grid;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.IndexType;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import org.sipcharge.charging.application.SipTierQuorum;
import com.hazelcast.map.IMap;
import com.hazelcast.partition.Partition;
import com.hazelcast.query.Predicates;
import org.sipcharge.charging.domain.model.accounting.AccountingSessionStore;
import org.sipcharge.charging.domain.model.accounting.ChargingSessionState;

import java.util.Collection;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Accounting sessions and their timers in two Hazelcast maps with the same keys: the session state as canonical bytes
 * ({@link ChargingSessionStateCodec}), and the timers as due times (epoch ms) with a sorted index, so that each
 * member finds the due timers among the keys it owns with one local query. A key's timer and state share the key, so
 * they live in the same partition and move together when a member dies or joins.
 */
public final class HazelcastAccountingSessionStore implements AccountingSessionStore {

    private static final Logger LOG = Logger.getLogger(HazelcastAccountingSessionStore.class.getName());

    private final HazelcastInstance hz;
    private final IMap<String, byte[]> sessions;
    private final IMap<String, Long> timers;
    private final IMap<String, Long> scanners;
    /** Tombstones: keys of sessions stopped recently (value: when), kept {@link #TOMBSTONE_MINUTES}. */
    private final IMap<String, Long> stopped;
    private volatile long mergedAtMillis;

    /** How long a stopped session's tombstone is kept: longer than a split grid is expected to last. */
    static final long TOMBSTONE_MINUTES = 30;
    /** How long after a member joined or this member merged the tombstones are asked (a merged copy fires at once). */
    static final long CHECK_AFTER_JOIN_MILLIS = 5 * 60_000;
    private final int backupCount;
    private final SipTierQuorum quorum;
    private volatile boolean quorumLost;

    /** A member whose last scan is older than this is taken as not scanning (its application stopped or is gone). */
    static final long SCANNER_STALE_MILLIS = 5_000;

    public HazelcastAccountingSessionStore(HazelcastInstance hz, String sessionsMap, String timersMap, int backupCount) {
        this(hz, sessionsMap, timersMap, backupCount, SipTierQuorum.NONE);
    }

    public HazelcastAccountingSessionStore(HazelcastInstance hz, String sessionsMap, String timersMap, int backupCount,
                                           SipTierQuorum quorum) {
        this.hz = hz;
        this.quorum = quorum;
        this.backupCount = backupCount;
        configure(hz, sessionsMap, backupCount);
        configure(hz, timersMap, backupCount);
        this.sessions = hz.getMap(sessionsMap);
        this.timers = hz.getMap(timersMap);
        this.scanners = hz.getMap(timersMap + "-scanners");
        configure(hz, sessionsMap + "-stopped", backupCount);
        this.stopped = hz.getMap(sessionsMap + "-stopped");
        // After a merge, stale copies of stopped sessions may be back (see wasStopped). The members of the smaller side
        // see MERGED; those of the larger side, which receive the entries, see the others join again.
        hz.getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED) {
                mergedAtMillis = System.currentTimeMillis();
                LOG.log(Level.WARNING, "RF-039 this member merged back into the grid after a split: sessions stopped on the "
                        + "other side during the split are dropped when their stale copies come up");
            }
        });
        hz.getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
            @Override
            public void memberAdded(com.hazelcast.cluster.MembershipEvent e) {
                mergedAtMillis = System.currentTimeMillis();
            }

            @Override
            public void memberRemoved(com.hazelcast.cluster.MembershipEvent e) {
            }
        });
        // The scan asks "which of my keys are due": a sorted index on the value answers it without a full scan.
        timers.addIndex(IndexType.SORTED, "this");
    }

    /**
     * Synchronous backups: a write returns after its backups have it, so a state change (a record number assigned)
     * survives the death of the member that made it. Added as dynamic configuration before the map is first used;
     * a member that joins later with a different count is refused by Hazelcast, and we say so.
     */
    private static void configure(HazelcastInstance hz, String map, int backupCount) {
        try {
            hz.getConfig().addMapConfig(new MapConfig(map).setBackupCount(backupCount).setAsyncBackupCount(0));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "RF-032 could not set {0} backups on map {1}: {2}; the cluster keeps its configuration",
                    new Object[]{backupCount, map, e.getMessage()});
        }
    }

    @Override
    public ChargingSessionState get(String key) {
        byte[] b = sessions.get(key);
        return b == null ? null : ChargingSessionStateCodec.decode(b);
    }

    @Override
    public boolean putIfAbsent(String key, ChargingSessionState state) {
        return sessions.putIfAbsent(key, ChargingSessionStateCodec.encode(state)) == null;
    }

    @Override
    public boolean replace(String key, ChargingSessionState expected, ChargingSessionState update) {
        return sessions.replace(key, ChargingSessionStateCodec.encode(expected), ChargingSessionStateCodec.encode(update));
    }

    @Override
    public boolean remove(String key, ChargingSessionState expected) {
        if (sessions.remove(key, ChargingSessionStateCodec.encode(expected))) {
            timers.delete(key);
            stopped.set(key, System.currentTimeMillis(), TOMBSTONE_MINUTES, java.util.concurrent.TimeUnit.MINUTES);
            return true;
        }
        return false;
    }

    /**
     * Asks the tombstones only for a while after a member joined or this member merged (the only times a stopped
     * session can come back, and its stale copy is due at once), so normal operation pays no extra grid read per record.
     */
    @Override
    public boolean wasStopped(String key) {
        long merged = mergedAtMillis;
        return merged > 0 && System.currentTimeMillis() - merged < CHECK_AFTER_JOIN_MILLIS && stopped.containsKey(key);
    }

    @Override
    public void discard(String key) {
        sessions.delete(key);
        timers.delete(key);
    }

    @Override
    public void schedule(String key, long dueMillis) {
        timers.set(key, dueMillis);
    }

    @Override
    public void cancel(String key) {
        timers.delete(key);
    }

    /**
     * The due timers among the keys this member owns: a query of its own partitions only, answered without a network
     * round trip, and nothing else. (It used to announce this member as a scanner as well, a replicated write that
     * waits while its partition migrates after a member died, and so held up the pass; {@link #orphanPartitions} does it,
     * without waiting.)
     */
    @Override
    public Collection<String> dueHere(long nowMillis) {
        return timers.localKeySet(Predicates.lessEqual("this", nowMillis));
    }

    /**
     * The partitions owned by data members that do not scan (a DAS that is not a lite member, an instance whose
     * deployment failed, a member whose application stopped), shared among the scanning members by partition id: this
     * member's share. Each is then read on its own ({@link #dueInPartition}), so a pass reads a fraction of the grid,
     * and a partition that is migrating holds up only its own timers. Two members firing the same key is harmless
     * (the state's compare-and-set lets one send).
     *
     * <p>Which members scan is known from their beats in a small map, written and read here without waiting
     * ({@link #beat}): a synchronous read or write waits while its partition migrates after a member died, and held the
     * orphan scan up for seconds then.
     */
    @Override
    public Collection<Integer> orphanPartitions(long nowMillis) {
        java.util.Set<String> members = new java.util.HashSet<>();
        java.util.Set<java.util.UUID> dataMembers = new java.util.HashSet<>();
        for (Member m : hz.getCluster().getMembers()) {
            members.add(m.getUuid().toString());
            if (!m.isLiteMember()) {
                dataMembers.add(m.getUuid());
            }
        }
        beat(nowMillis, members);
        // Only members in the cluster now: a member that died must not keep its share of the orphaned partitions.
        java.util.List<String> scanning = new java.util.ArrayList<>();
        scannerBeats.forEach((id, seen) -> {
            if (seen >= nowMillis - SCANNER_STALE_MILLIS && members.contains(id)) {
                scanning.add(id);
            }
        });
        scannerBeats.keySet().retainAll(members);
        java.util.Set<java.util.UUID> orphanOwners = new java.util.HashSet<>();
        for (java.util.UUID m : dataMembers) {
            if (!scanning.contains(m.toString())) {
                orphanOwners.add(m);
            }
        }
        java.util.Collections.sort(scanning);
        int me = scanning.indexOf(localMemberId());
        if (orphanOwners.isEmpty() || me < 0) {
            return java.util.List.of();
        }
        java.util.List<Integer> share = new java.util.ArrayList<>();
        for (Partition p : hz.getPartitionService().getPartitions()) {
            Member owner = p.getOwner();
            if (owner != null && orphanOwners.contains(owner.getUuid()) && p.getPartitionId() % scanning.size() == me) {
                share.add(p.getPartitionId());
            }
        }
        return share;
    }

    @Override
    public Collection<String> dueInPartition(int partitionId, long nowMillis) {
        return timers.keySet(Predicates.partitionPredicate(keyOfPartition(partitionId), Predicates.lessEqual("this", nowMillis)));
    }

    /** The last beat seen of each scanning member (this one's included), as this member last read them. */
    private final java.util.concurrent.ConcurrentMap<String, Long> scannerBeats = new java.util.concurrent.ConcurrentHashMap<>();
    /** The last round of beat writes and reads, and when it was sent: no new round while it is unanswered. */
    private volatile java.util.concurrent.CompletableFuture<Void> beatRound = java.util.concurrent.CompletableFuture.completedFuture(null);
    private volatile long beatRoundSentAt;

    /**
     * This member scans: its id with the time in a small map is how the others tell members that run the application
     * from those that do not. Writes this member's beat and asks for the others' without waiting for either; the
     * answers update {@link #scannerBeats}, which the next pass uses. A round still unanswered (the grid is slow) is
     * not doubled, but after {@link #SCANNER_STALE_MILLIS} a new one goes anyway (an answer can take as long as the
     * grid's operation timeout).
     */
    private void beat(long nowMillis, java.util.Set<String> members) {
        String me = localMemberId();
        scannerBeats.put(me, nowMillis);
        if (!beatRound.isDone() && nowMillis - beatRoundSentAt < SCANNER_STALE_MILLIS) {
            return;
        }
        beatRoundSentAt = nowMillis;
        java.util.List<java.util.concurrent.CompletableFuture<?>> round = new java.util.ArrayList<>();
        round.add(scanners.setAsync(me, nowMillis, 60, java.util.concurrent.TimeUnit.SECONDS).toCompletableFuture());
        for (String id : members) {
            if (!id.equals(me)) {
                round.add(scanners.getAsync(id).toCompletableFuture().thenAccept(seen -> {
                    if (seen != null) {
                        scannerBeats.merge(id, seen, Math::max);
                    }
                }));
            }
        }
        beatRound = java.util.concurrent.CompletableFuture.allOf(round.toArray(new java.util.concurrent.CompletableFuture<?>[0]));
    }

    /** One key per partition id, for partition predicates (found once by hashing made-up keys; Hazelcast has no other way). */
    private volatile String[] partitionKeys;

    private String keyOfPartition(int partitionId) {
        String[] keys = partitionKeys;
        if (keys == null) {
            com.hazelcast.partition.PartitionService ps = hz.getPartitionService();
            keys = new String[ps.getPartitions().size()];
            int found = 0;
            for (long n = 0; found < keys.length; n++) {
                String k = "partition-key-" + n;
                int id = ps.getPartition(k).getPartitionId();
                if (keys[id] == null) {
                    keys[id] = k;
                    found++;
                }
            }
            partitionKeys = keys;
        }
        return keys[partitionId];
    }

    /**
     * A majority of the expected data members (lite members and the DAS do not count, see {@link SipTierQuorum}). Logs each
     * change, so an operator sees when and for how long this member held back.
     */
    @Override
    public boolean hasQuorum() {
        if (!quorum.enforced()) {
            return true;
        }
        long data = quorum.tierMembers(hz.getCluster().getMembers());
        boolean ok = quorum.metBy(data);
        if (ok == quorumLost) {
            quorumLost = !ok;
            if (ok) {
                LOG.log(Level.INFO, "RF-037 this member sees {0} of {1} data members again: it assigns record numbers again", new Object[]{data, quorum.expectedMembers()});
            } else {
                LOG.log(Level.WARNING, "RF-036 this member sees only {0} of {1} data members (the grid is split and this is the smaller "
                        + "side): it sends no INTERIM or STOP until it sees a majority again; the other side carries the sessions",
                        new Object[]{data, quorum.expectedMembers()});
            }
        }
        return ok;
    }

    @Override
    /**
     * Read each time, not kept: a member that merges back after a split rejoins under a new UUID, and records it marks
     * as its own in flight under the old one would look like a dead member's to the others (taken over twice).
     */
    public String localMemberId() {
        return hz.getCluster().getLocalMember().getUuid().toString();
    }

    @Override
    public boolean memberAlive(String memberId) {
        for (Member m : hz.getCluster().getMembers()) {
            if (m.getUuid().toString().equals(memberId)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String ownerOf(String key) {
        Partition p = hz.getPartitionService().getPartition(key);
        Member owner = p.getOwner();
        return owner == null ? "" : owner.getAddress().getHost() + ":" + owner.getAddress().getPort();
    }

    @Override
    public int size() {
        return sessions.size();
    }

    @Override
    public int ownedHereCount() {
        return sessions.localKeySet().size();
    }

    @Override
    public int timersArmed() {
        return timers.size();
    }

    @Override
    public String describe() {
        return "hazelcast cluster " + hz.getConfig().getClusterName() + ", " + hz.getCluster().getMembers().size()
                + " members, " + backupCount + " sync backups" + (quorum.enforced()
                ? ", quorum " + quorum.majority() + " of " + quorum.expectedMembers() + " data members" : "");
    }
}
