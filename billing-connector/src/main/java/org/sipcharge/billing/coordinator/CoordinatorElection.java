package org.sipcharge.billing.coordinator;

import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Coordinator election by lease and heartbeat over a {@link LeaseStore}, with the epoch as fencing token. Plain
 * Java: the container calls {@link #tick(long)} every heartbeat interval with a monotonic clock.
 *
 * <p>How it stays safe without synchronised clocks (only clock <em>rates</em> matter, as in leases since Gray and
 * Cheriton 1989):
 * <ul>
 *   <li>the coordinator renews each heartbeat by incrementing the record's beat count (compare-and-set on its own
 *       epoch); after a renewal that <em>started</em> at t it may deliver until {@code t + lease - heartbeat};</li>
 *   <li>another instance takes over only when the record's (epoch, beat) has not moved for a whole lease on its own
 *       clock, counted from when it first saw that value, and only by compare-and-set on that exact value, so
 *       takeover happens after the old holder's last renewal ran out, and a renewal that lands first wins;</li>
 *   <li>what is left (a delivery written before the lease ran out but read by the billing system after a takeover)
 *       is caught by the billing system, which refuses epochs below the highest it has seen.</li>
 * </ul>
 * A coordinator that cannot renew (the database is unreachable) keeps its role only until its lease runs out on its
 * own clock; it never delivers on a lease it cannot prove.
 */
public final class CoordinatorElection {

    private static final Logger LOG = Logger.getLogger(CoordinatorElection.class.getName());

    /** What the election tells its owner. */
    public interface Listener {
        /** This instance now coordinates under {@code epoch}. */
        void elected(long epoch);

        /** This instance no longer coordinates (lost, resigned or its lease ran out). */
        void deposed(long epoch, String why);
    }

    private final String self;
    private final LeaseStore store;
    private final long leaseNanos;
    private final long heartbeatNanos;
    private final Listener listener;

    // Guarded by this.
    private long epoch;
    private long validUntil;
    private LeaseStore.Lease seen;
    private long seenSince;
    private long noCandidacyUntil;
    private boolean noCandidacyArmed;
    private String lastStoreError;
    private LeaseStore.Lease lastRead;

    /**
     * @param self      this instance's name (unique in the cluster)
     * @param lease     nanoseconds a heartbeat count must stand still before another instance takes over
     * @param heartbeat nanoseconds between ticks; also the safety margin taken off each renewal's validity
     */
    public CoordinatorElection(String self, LeaseStore store, long lease, long heartbeat, Listener listener) {
        this.self = Objects.requireNonNull(self, "self");
        this.store = Objects.requireNonNull(store, "store");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (heartbeat <= 0 || lease < 3 * heartbeat) {
            throw new IllegalArgumentException("the lease (" + lease + " ns) must be at least three heartbeats (" + heartbeat + " ns)");
        }
        this.leaseNanos = lease;
        this.heartbeatNanos = heartbeat;
    }

    /** One heartbeat: renew the role, or watch the holder and take over when its heartbeats stopped. */
    public void tick(long now) {
        long deposedEpoch = 0;
        String deposedWhy = null;
        long electedEpoch = 0;
        synchronized (this) {
            if (epoch > 0) {
                try {
                    if (store.renew(self, epoch)) {
                        validUntil = now + leaseNanos - heartbeatNanos;
                        lastStoreError = null;
                    } else {
                        deposedEpoch = epoch;
                        deposedWhy = "the coordinator record is no longer ours (another instance took over)";
                        epoch = 0;
                    }
                } catch (LeaseStore.LeaseStoreException e) {
                    lastStoreError = e.getMessage();
                    if (now - validUntil >= 0) {
                        deposedEpoch = epoch;
                        deposedWhy = "the lease ran out while the coordinator record could not be renewed: " + e.getMessage();
                        epoch = 0;
                    }
                }
                if (deposedEpoch > 0) {
                    // Let another instance take the role before this one tries again.
                    holdCandidacy(now);
                }
            } else {
                LeaseStore.Lease lease;
                try {
                    lease = store.read();
                    lastStoreError = null;
                } catch (LeaseStore.LeaseStoreException e) {
                    lastStoreError = e.getMessage();
                    return;
                }
                lastRead = lease;
                if (!lease.equals(seen)) {
                    seen = lease;
                    seenSince = now;
                }
                boolean vacant = lease.holder() == null;
                boolean silent = now - seenSince >= leaseNanos;
                boolean mayStand = !noCandidacyArmed || now - noCandidacyUntil >= 0;
                if ((vacant || silent) && mayStand) {
                    try {
                        if (store.takeOver(lease, self)) {
                            epoch = lease.epoch() + 1;
                            validUntil = now + leaseNanos - heartbeatNanos;
                            electedEpoch = epoch;
                            noCandidacyArmed = false;
                            LOG.log(Level.INFO, "BIL-041 {0} is the billing coordinator, epoch {1} (previous: {2}, {3})",
                                    new Object[]{self, epoch, lease.holder() == null ? "none" : lease.holder(),
                                            vacant ? "vacant" : "silent for " + (now - seenSince) / 1_000_000 + " ms"});
                        }
                    } catch (LeaseStore.LeaseStoreException e) {
                        lastStoreError = e.getMessage();
                    }
                }
            }
        }
        if (deposedEpoch > 0) {
            LOG.log(Level.WARNING, "BIL-042 {0} is no longer the billing coordinator (epoch {1}): {2}",
                    new Object[]{self, deposedEpoch, deposedWhy});
            listener.deposed(deposedEpoch, deposedWhy);
        }
        if (electedEpoch > 0) {
            listener.elected(electedEpoch);
        }
    }

    /**
     * Gives the role up because this instance has difficulty delivering (link errors, answers that stopped): it
     * stands again only after two leases, so another instance gets the chance first.
     */
    public void resign(long now, String why) {
        long e;
        synchronized (this) {
            e = epoch;
            if (e == 0) {
                return;
            }
            epoch = 0;
            holdCandidacy(now);
        }
        LOG.log(Level.WARNING, "BIL-043 {0} resigns as billing coordinator (epoch {1}): {2}", new Object[]{self, e, why});
        listener.deposed(e, "resigned: " + why);
        try {
            store.resign(self, e);
        } catch (LeaseStore.LeaseStoreException ex) {
            // The record stays ours until its heartbeats stop: others take over after one lease.
            LOG.log(Level.WARNING, "BIL-044 resignation of epoch {0} not recorded ({1}); others take over when the lease runs out",
                    new Object[]{e, ex.getMessage()});
        }
    }

    /** Steps down at shutdown so that a successor does not have to wait for the lease. */
    public void shutdown() {
        long e;
        synchronized (this) {
            e = epoch;
            epoch = 0;
        }
        if (e > 0) {
            listener.deposed(e, "shutting down");
            try {
                store.resign(self, e);
                LOG.log(Level.INFO, "BIL-045 {0} handed the billing coordinator role back at shutdown (epoch {1})", new Object[]{self, e});
            } catch (LeaseStore.LeaseStoreException ex) {
                LOG.log(Level.WARNING, "BIL-044 resignation of epoch {0} not recorded ({1})", new Object[]{e, ex.getMessage()});
            }
        }
    }

    private void holdCandidacy(long now) {
        noCandidacyUntil = now + 2 * leaseNanos;
        noCandidacyArmed = true;
        seen = null;
    }

    /** The epoch under which this instance may deliver at {@code now}, or 0 when it may not. */
    public synchronized long deliveryEpoch(long now) {
        return epoch > 0 && now - validUntil < 0 ? epoch : 0;
    }

    /** The epoch this instance holds (its lease may have run out meanwhile), or 0. */
    public synchronized long epoch() {
        return epoch;
    }

    /** The record as last read by this instance while not coordinating (null before the first read). */
    public synchronized LeaseStore.Lease lastRead() {
        return lastRead;
    }

    /** The last error of the store, or null when the last access worked. */
    public synchronized String lastStoreError() {
        return lastStoreError;
    }

    public String self() {
        return self;
    }
}
