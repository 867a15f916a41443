package org.sipcharge.billing.coordinator;

/**
 * The one shared, linearizable record of who coordinates: the database row {@code billing_coordinator} in the
 * product, an in-memory one in tests. Every write is a compare-and-set, so two instances can never both succeed
 * in taking the same epoch.
 */
public interface LeaseStore {

    /** The coordinator record as stored now. */
    Lease read() throws LeaseStoreException;

    /** Counts one heartbeat of {@code holder} under {@code epoch}; false when the record is no longer its own. */
    boolean renew(String holder, long epoch) throws LeaseStoreException;

    /**
     * Takes the role with epoch {@code expected.epoch() + 1}, provided the record is still exactly {@code expected}
     * (same epoch and heartbeat count); false when anything changed meanwhile.
     */
    boolean takeOver(Lease expected, String candidate) throws LeaseStoreException;

    /** Gives the role up (holder becomes empty, the epoch stays); false when it was no longer {@code holder}'s. */
    boolean resign(String holder, long epoch) throws LeaseStoreException;

    /**
     * The coordinator record.
     *
     * @param epoch  the fencing token: raised by one at every change of coordinator, never reused
     * @param holder the coordinating instance, or null when the role is vacant
     * @param beat   heartbeats of the holder under this epoch; a count that stops moving means the holder is gone
     */
    record Lease(long epoch, String holder, long beat) {
    }

    /** The store could not be read or written (the database is unreachable, for instance). */
    class LeaseStoreException extends Exception {
        private static final long serialVersionUID = 1L;

        public LeaseStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
