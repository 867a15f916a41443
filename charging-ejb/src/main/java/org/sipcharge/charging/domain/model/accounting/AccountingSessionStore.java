package org.sipcharge.charging.domain.model.accounting;

import java.util.Collection;

/**
 * Where the Rf client keeps its accounting sessions and their interim timers: a replicated store shared by every
 * node of the SIP tier (Hazelcast inside Payara), or this JVM alone when there is no grid.
 *
 * <p>A session and its timer have the same key (the SIP call's key). Each key has exactly one owning member at a
 * time; the owner's scan fires the timer. When a member dies, its keys pass to the members holding their backups,
 * and so do their timers: the timer object is data in the store, not a thread on the member that armed it.
 */
public interface AccountingSessionStore {

    ChargingSessionState get(String key);

    /** @return false when the key is taken */
    boolean putIfAbsent(String key, ChargingSessionState state);

    /** Compare-and-set: writes {@code update} only when the stored value still equals {@code expected}. */
    boolean replace(String key, ChargingSessionState expected, ChargingSessionState update);

    /** Removes the session and its timer when the stored value still equals {@code expected}. */
    boolean remove(String key, ChargingSessionState expected);

    /** Arms (or re-arms) the session's timer: due at {@code dueMillis} (epoch ms; 0 = at once). */
    void schedule(String key, long dueMillis);

    void cancel(String key);

    /**
     * This member sees a majority of the SIP tier's members (the grid is not split with this member on the smaller
     * side). Only then may it assign record numbers: after a network partition both sides hold copies of the same
     * sessions, and the side without a majority must leave them to the other (see docs/design.md). Always true without
     * a grid or when the expected size is not configured.
     */
    default boolean hasQuorum() {
        return true;
    }

    /**
     * The session was stopped (and removed) recently, and a copy of it came back: after a split grid heals, Hazelcast
     * merges the smaller side's entries into the larger side's where the key is absent, which brings back sessions
     * the larger side stopped during the split. Such a copy must be dropped, not continued.
     */
    default boolean wasStopped(String key) {
        return false;
    }

    /** Drops a session and its timer unconditionally (a stale copy, see {@link #wasStopped}). */
    default void discard(String key) {
    }

    /** Keys owned by this member whose timer is due at {@code nowMillis}: a local read, never waits on other members. */
    Collection<String> dueHere(long nowMillis);

    /**
     * This member's share of the partitions whose owner does not run the application (a data member that does not run
     * it, as the DAS): nobody else fires their timers. Answered from what this member knows, without waiting on other
     * members; each partition's due timers are then read with {@link #dueInPartition}, apart from {@link #dueHere},
     * which they must not delay, and apart from each other, so that a partition that is migrating delays only itself.
     */
    default Collection<Integer> orphanPartitions(long nowMillis) {
        return java.util.List.of();
    }

    /** Keys in this partition whose timer is due at {@code nowMillis}: a read on the partition's owner. */
    default Collection<String> dueInPartition(int partitionId, long nowMillis) {
        return java.util.List.of();
    }

    /** Id of this member, stable for the life of this JVM. */
    String localMemberId();

    /** The member is in the cluster now. */
    boolean memberAlive(String memberId);

    /** Address of the member owning the key now (for admins), "" when unknown. */
    String ownerOf(String key);

    int size();

    int ownedHereCount();

    int timersArmed();

    /** Short description for logs and the status page: "hazelcast cluster X, 3 members, backups 1" or "local". */
    String describe();
}
