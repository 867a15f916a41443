package org.sipcharge.charging.application.internal;

import org.sipcharge.charging.application.ChargeableSession;
import org.sipcharge.charging.domain.model.accounting.AccountingAnswer;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.domain.model.accounting.AccountingSessionStore;
import org.sipcharge.charging.domain.model.accounting.ChargingSessionState;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Rf client's accounting sessions: record numbering, the interim timer and the hand-over of a session to
 * another node. Plain Java over an {@link AccountingSessionStore} (the grid) and a {@link RecordSender} (Diameter with
 * retransmission and the durable buffer), so that its rules are tested without a server.
 *
 * <p>Rules, and where they come from:
 * <ul>
 *   <li>START is record 0, each INTERIM the next number, STOP the last + 1 (RFC 6733 9.8.3); every number is assigned
 *   by a compare-and-set on the replicated state, so it is assigned once, cluster-wide.</li>
 *   <li>At most one record of a session is in flight: ACR n+1 waits for ACA n (TS 32.299 6.1.2). A STOP that comes
 *   while an INTERIM is in flight is recorded in the state and sent when the INTERIM is settled.</li>
 *   <li>The interval is the ACA's Acct-Interim-Interval when the ACA carries one, else the configured interval;
 *   0 means no interims (RFC 6733 9.8.2). The next INTERIM is due one interval after the previous one was due (the
 *   rhythm does not drift with answer times); after a long outage it is due one interval from now.</li>
 *   <li>The timer is data in the store ({@link AccountingSessionStore#schedule}); the member that owns the key fires
 *   it from its scan. When a member dies, its keys and timers pass to others; a record it had in flight is sent
 *   again by the new owner under the same number with the T flag (RFC 6733 9.4), and the CDF's de-duplication on
 *   (Session-Id, Accounting-Record-Number) keeps one copy.</li>
 * </ul>
 */
public final class AccountingSessions {

    /** Sends one record; completes when it is settled (answered, or buffered durably), exceptionally when lost or refused. */
    @FunctionalInterface
    public interface RecordSender {
        CompletionStage<AccountingAnswer> send(AccountingRequest request);
    }

    private static final Logger LOG = Logger.getLogger(AccountingSessions.class.getName());

    private final AccountingSessionStore store;
    private final RecordSender sender;
    private final Supplier<String> newSessionId;
    private final String originHost;
    private final long configuredIntervalSeconds;
    private final long inFlightExpiryMillis;
    private final Executor executor;
    private final Clock clock;

    /** Keys whose record this JVM is sending now (its answer is awaited here), with that record's number. */
    private final Map<String, Long> sendingHere = new ConcurrentHashMap<>();
    /**
     * Keys whose record this JVM claimed but did not send (the claim was slow, RF-038). The record stays assigned to
     * this member, and other members leave a live member's record alone until the in-flight expiry, so this member
     * must send it itself: its owner scan takes these keys too, also when the key's partition has meanwhile moved to
     * another member (a partition test, 2026-12-06: the key moved after the slow claim, no member sent the INTERIM for
     * 11 s, until the call's BYE).
     */
    private final Set<String> claimedNotSent = ConcurrentHashMap.newKeySet();
    /** Keys being fired by this JVM now, so a scan does not fire a key twice at once. */
    private final Set<String> firingHere = ConcurrentHashMap.newKeySet();

    private final AtomicLong interimsSent = new AtomicLong();
    private final AtomicLong takeovers = new AtomicLong();
    private final AtomicLong stopsSent = new AtomicLong();
    private final LatenessHistogram lateness = new LatenessHistogram();
    private final AtomicLong slowClaims = new AtomicLong();
    /** A claim slower than this is not acted on (its backups were probably not written); 0: no limit. */
    private long slowClaimMillis;
    /** The owner scan's keys, and the orphan scan's partitions (see {@link Lane}). */
    private final Lane<String> ownerLane = new Lane<>();
    private final Lane<Integer> orphanLane = new Lane<>();
    /** Where answered records are settled (see {@link #withSettlingPool}); by default the thread that got the answer. */
    private volatile Executor settling = Runnable::run;

    /**
     * @param inFlightExpiryMillis after this long a record still marked in flight by a live member is taken over
     *                             anyway (a sender that lost track of it); longer than all its retransmissions
     */
    public AccountingSessions(AccountingSessionStore store, RecordSender sender, Supplier<String> newSessionId, String originHost,
                              long configuredIntervalSeconds, long inFlightExpiryMillis, Executor executor, Clock clock) {
        this.store = store;
        this.sender = sender;
        this.newSessionId = newSessionId;
        this.originHost = originHost;
        this.configuredIntervalSeconds = Math.max(0, configuredIntervalSeconds);
        this.inFlightExpiryMillis = inFlightExpiryMillis;
        this.executor = executor;
        this.clock = clock;
    }

    /**
     * A compare-and-set that assigns a record number and takes longer than this is not followed by a send: with
     * synchronous backups, a write returns that late when its backups could not be written (Hazelcast gives up
     * waiting for them after hazelcast.operation.backup.timeout.millis: 1.5 s as cluster.sh sets it, 5 s by default),
     * that is, when this member may be cut off from the others. Sending would risk the other side, which never saw the number, assigning it again. The record
     * stays claimed; the next scan sends it with the T flag if this member still has a majority.
     */
    public AccountingSessions withSlowClaimMillis(long millis) {
        this.slowClaimMillis = Math.max(0, millis);
        return this;
    }

    /**
     * Fires the owner scan's due keys on the first pool and the orphan scan's partitions on the second, several at
     * once, instead of one after the other on the scan's thread, and without a pass waiting for them ({@link Lane}):
     * a key whose partition is migrating after a member died then holds up only itself. Two pools, so that the orphan
     * scan's reads on other members never take the threads of the timers this member owns. Without them (tests, tools)
     * a pass fires its keys one after the other and returns when they are done.
     */
    public AccountingSessions withFiringPools(ExecutorService owned, ExecutorService orphaned) {
        ownerLane.pool = owned;
        orphanLane.pool = orphaned;
        return this;
    }

    /**
     * Settles answered records on this pool instead of on the thread that completed the answer. That thread is the
     * Diameter connection's reader, and a settlement reads and writes the grid, which waits while the session's
     * partition migrates (a member died): a reader held there reads no further answer on its connection, not even the
     * watchdog's, so every record on it looks unanswered and the connection is closed as dead (100,000-call run,
     * 2026-12-06: the CTF closed its working CDF connection 15 s after a kill and buffered 4,365 records).
     */
    public AccountingSessions withSettlingPool(Executor pool) {
        this.settling = pool;
        return this;
    }

    /** The SIP session was answered: open the accounting session with START (record 0). */
    public void started(ChargeableSession session) {
        String key = session.sessionKey();
        ChargingSessionState state = ChargingSessionState.opening(newSessionId.get(), session, store.localMemberId(), clock.millis());
        boolean marked = sendingHere.putIfAbsent(key, 0L) == null;
        if (!marked || !store.putIfAbsent(key, state)) {
            if (marked) {
                sendingHere.remove(key, 0L);
            }
            LOG.log(Level.WARNING, "RF-010 session {0} started twice; the second start is ignored", key);
            return;
        }
        // The timer is armed at once, due now: while START is in flight the owner's scan only looks (a live sender
        // is left alone), and if the sender dies before START is settled, the next owner takes START over.
        store.schedule(key, clock.millis());
        transmit(key, state.inFlightRequest(originHost, session.answerTime()));
    }

    /** The SIP session ended: STOP follows as soon as no other record of the session is in flight. */
    public void ended(String key, Instant endTime, int causeCode) {
        for (;;) {
            ChargingSessionState s = store.get(key);
            if (s == null) {
                LOG.log(Level.WARNING, "RF-011 end of unknown session {0}: no STOP sent", key);
                return;
            }
            if (s.stopRequested()) {
                LOG.log(Level.FINE, "session {0} ended twice; the first end stands", key);
                return;
            }
            if (store.replace(key, s, s.stopping(endTime, causeCode))) {
                break;
            }
        }
        store.schedule(key, 0);
        fireSoon(key);
    }

    /**
     * One pass of this member's timer scan: hands every due timer among the keys this member owns to be fired. With a
     * pool ({@link #withFiringPools}) the pass does not wait for them (see {@link Lane}) and returns how many it
     * handed over; without one it fires them one after the other and returns how many records it sent. A failure
     * stops the pass (the grid is leaving or unreachable, so the other keys would fail alike); the next pass starts
     * over.
     */
    public int scan() {
        if (!store.hasQuorum()) {
            return 0;
        }
        long start = clock.millis();
        Collection<String> due = store.dueHere(start);
        if (!claimedNotSent.isEmpty()) {
            java.util.Set<String> both = new java.util.LinkedHashSet<>(claimedNotSent);
            both.addAll(due);
            due = both;
        }
        ScanTrace trace = new ScanTrace("owner", start, clock.millis() - start);
        return ownerLane.pass(due, key -> fireInPass(key, trace));
    }

    /**
     * One pass over this member's share of the timers that no scanning member owns
     * ({@link AccountingSessionStore#orphanPartitions}): run on a thread of its own, so that its reads on other members
     * (slow while partitions migrate) never hold up the timers this member owns. Each partition is read and fired as
     * one unit, so a partition that is migrating holds up only its own timers.
     */
    public int scanOrphans() {
        if (!store.hasQuorum()) {
            return 0;
        }
        long start = clock.millis();
        return orphanLane.pass(store.orphanPartitions(start), partition -> {
            long t0 = clock.millis();
            Collection<String> due = store.dueInPartition(partition, t0);
            ScanTrace trace = new ScanTrace("orphan (partition " + partition + ")", start, clock.millis() - t0);
            return inOrder(due, key -> fireInPass(key, trace));
        });
    }

    /** Runs the units one after the other, stopping at the first that reports trouble; adds up what they sent. */
    private static <T> Outcome inOrder(Collection<T> units, java.util.function.Function<T, Outcome> work) {
        int fired = 0;
        for (T unit : units) {
            Outcome o = work.apply(unit);
            fired += o.fired();
            if (o.stop()) {
                return new Outcome(fired, true);
            }
        }
        return new Outcome(fired, false);
    }

    /** What a unit of a pass did: records sent, and whether what was queued behind it should wait for the next pass. */
    private record Outcome(int fired, boolean stop) {
    }

    /** How a due key was found, for the report of a late INTERIM (RF-041). */
    record ScanTrace(String scan, long passStartMillis, long queryMillis) {
        static final ScanTrace DIRECT = new ScanTrace("direct", 0, 0);
    }

    /**
     * The units of work of one scan (keys, or partitions) and the pool that runs them. A pass hands over the units due
     * now and does not wait for them: a unit still in flight from an earlier pass is not handed over again. So a key
     * (or partition) that the grid holds up, its partition migrating after a member died (Hazelcast retries an
     * operation on it every hazelcast.invocation.retry.pause.millis, 500 ms, until the migration is done), delays only
     * itself, and the next pass, one scan period later, fires what has come due meanwhile. (When a pass waited for all
     * its keys, one held key held up every key that came due after it: INTERIMs 4 s late after a kill at 100,000
     * calls.) A unit that reports trouble (a failure, or a claim the grid wrote only late, RF-038) makes what was queued
     * before it wait for the next pass, and no new pass starts until the units then in flight are done, as a stopped
     * pass did when it waited for its keys. Without a pool, a pass runs its units one after the other on the scan's
     * thread and stops at the first that reports trouble.
     */
    private static final class Lane<T> {
        private volatile ExecutorService pool;
        private final Set<T> inFlight = ConcurrentHashMap.newKeySet();
        /** Bumped by each unit that reports trouble; a unit queued before that does not run. */
        private final AtomicLong stops = new AtomicLong();
        private volatile boolean stopped;

        int pass(Collection<T> units, java.util.function.Function<T, Outcome> work) {
            ExecutorService p = pool;
            if (p == null) {
                return inOrder(units, work).fired();
            }
            if (stopped) {
                if (!inFlight.isEmpty()) {
                    return 0;
                }
                stopped = false;
            }
            long epoch = stops.get();
            int handed = 0;
            for (T unit : units) {
                if (!inFlight.add(unit)) {
                    continue; // an earlier pass's unit, still running or queued
                }
                try {
                    p.execute(() -> {
                        try {
                            if (stops.get() == epoch && work.apply(unit).stop()) {
                                stopped = true;
                                stops.incrementAndGet();
                            }
                        } catch (RuntimeException e) {
                            LOG.log(Level.WARNING, "RF-033 timer scan task failed: {0}", e.toString());
                        } finally {
                            inFlight.remove(unit);
                        }
                    });
                    handed++;
                } catch (RejectedExecutionException e) {
                    inFlight.remove(unit);
                    break; // the pool is shutting down with the application
                }
            }
            return handed;
        }
    }

    /** Fires one key of a pass; says whether what comes after it should wait (a failure, or a write the grid answered only late). */
    private Outcome fireInPass(String key, ScanTrace trace) {
        long slowBefore = slowClaims.get();
        try {
            boolean fired = fire(key, trace);
            // A slow write: the grid answers writes only after its backup timeout (a member unreachable, not yet
            // removed), so each further key would take as long; the next pass tries again.
            return new Outcome(fired ? 1 : 0, slowClaims.get() != slowBefore);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "RF-033 timer scan stopped at session {0} ({1} scan): {2}; due timers are tried again at the next scan",
                    new Object[]{key, trace.scan(), e.toString()});
            return new Outcome(0, true);
        }
    }

    /** An INTERIM that leaves later than this after it was due is reported (RF-041). */
    static final long LATE_REPORT_MILLIS = 1_000;
    private final AtomicLong lateReportedAt = new AtomicLong(Long.MIN_VALUE / 2);
    private final AtomicLong lateUnreported = new AtomicLong();

    /**
     * Reports an INTERIM that left over {@link #LATE_REPORT_MILLIS} late, at most one line every 5 s with the count of
     * the others, and how it was found: a pass that began late means the scans were held up (this member busy, or its
     * scan threads waiting on the grid), a slow read of the due timers or of the session means the grid answered slowly.
     */
    private void reportLate(String key, long recordNumber, long lateMillis, long readMillis, ScanTrace trace, long dueMillis) {
        long now = clock.millis();
        long last = lateReportedAt.get();
        if (now - last < 5_000 || !lateReportedAt.compareAndSet(last, now)) {
            lateUnreported.incrementAndGet();
            return;
        }
        LOG.log(Level.WARNING, "RF-041 INTERIM {0} of session {1} left {2} ms after it was due: the {3} scan pass that found "
                + "it began {4} ms after it was due, its read of the due timers took {5} ms, the read of the session {6} ms "
                + "({7} other INTERIMs over {8} ms late since the last such report). The grid answers slowly: a member died "
                + "or left and partitions are migrating, or this instance is overloaded",
                new Object[]{recordNumber, key, lateMillis, trace.scan(),
                        trace == ScanTrace.DIRECT ? 0 : trace.passStartMillis() - dueMillis, trace.queryMillis(), readMillis,
                        lateUnreported.getAndSet(0), LATE_REPORT_MILLIS});
    }

    /**
     * The key's timer is due (or a STOP is waiting): sends what the session needs next, if anything.
     *
     * @return true when a record was handed to the sender
     */
    boolean fire(String key) {
        return fire(key, ScanTrace.DIRECT);
    }

    private boolean fire(String key, ScanTrace trace) {
        if (!firingHere.add(key)) {
            return false;
        }
        try {
            long readStart = clock.millis();
            ChargingSessionState s = store.get(key);
            if (s == null || s.inFlight() == null || !s.inFlightOwner().equals(store.localMemberId())) {
                claimedNotSent.remove(key); // nothing of ours left to send: settled, taken over, or gone
            }
            if (s == null) {
                store.cancel(key);
                return false;
            }
            if (store.wasStopped(key)) {
                claimedNotSent.remove(key);
                LOG.log(Level.WARNING, "RF-040 session {0} was stopped during a split of the grid and came back with the merge: "
                        + "its stale copy (record {1}) is dropped, nothing sent", new Object[]{key, s.lastRecordNumber()});
                store.discard(key);
                return false;
            }
            long now = clock.millis();
            String me = store.localMemberId();
            if (s.inFlight() != null) {
                boolean mine = s.inFlightOwner().equals(me);
                Long sending = sendingHere.get(key);
                if (mine && sending != null && sending == s.lastRecordNumber()) {
                    return false; // our answer is awaited; its settlement re-arms the timer
                }
                if (!mine && store.memberAlive(s.inFlightOwner()) && now - s.inFlightSinceMillis() < inFlightExpiryMillis) {
                    return false; // a live member sends it; we look again at the next scan
                }
                // An INTERIM this member claimed slowly and never sent leaves now for the first time: its lateness counts.
                boolean firstCopy = mine && s.inFlight() == AccountingRecordType.INTERIM && claimedNotSent.contains(key);
                ChargingSessionState taken = s.takenOverBy(me, now);
                if (!claim(key, s, taken)) {
                    return false;
                }
                takeovers.incrementAndGet();
                if (firstCopy) {
                    long late = now - s.nextInterimMillis();
                    lateness.record(late);
                    if (late > LATE_REPORT_MILLIS) {
                        reportLate(key, s.lastRecordNumber(), late, now - readStart, trace, s.nextInterimMillis());
                    }
                }
                LOG.log(Level.INFO, "RF-031 {0} record {1} of session {2} was in flight on member {3}, which is gone or did not "
                        + "send it: sent again with the T flag", new Object[]{s.inFlight(), s.lastRecordNumber(), key, s.inFlightOwner()});
                transmit(key, taken.inFlightRequest(originHost, Instant.ofEpochMilli(now)).asRetransmission());
                return true;
            }
            if (s.stopRequested()) {
                ChargingSessionState next = s.sending(AccountingRecordType.STOP, me, now);
                if (!claim(key, s, next)) {
                    return false;
                }
                stopsSent.incrementAndGet();
                transmit(key, next.inFlightRequest(originHost, Instant.ofEpochMilli(now)));
                return true;
            }
            if (s.interimIntervalSeconds() > 0 && s.nextInterimMillis() > 0 && s.nextInterimMillis() <= now) {
                ChargingSessionState next = s.sending(AccountingRecordType.INTERIM, me, now);
                if (!claim(key, s, next)) {
                    return false;
                }
                interimsSent.incrementAndGet();
                long late = now - s.nextInterimMillis();
                lateness.record(late);
                if (late > LATE_REPORT_MILLIS) {
                    reportLate(key, next.lastRecordNumber(), late, now - readStart, trace, s.nextInterimMillis());
                }
                transmit(key, next.inFlightRequest(originHost, Instant.ofEpochMilli(now)));
                return true;
            }
            // Nothing due after all (a stale timer): arm it from the state.
            if (s.interimIntervalSeconds() > 0 && s.nextInterimMillis() > 0) {
                store.schedule(key, s.nextInterimMillis());
            } else {
                store.cancel(key);
            }
            return false;
        } finally {
            firingHere.remove(key);
        }
    }

    /** Marks the record as being sent by this JVM, then writes the state that assigns it; undoes the mark on a lost race. */
    private boolean claim(String key, ChargingSessionState expected, ChargingSessionState update) {
        if (!store.hasQuorum()) {
            return false;
        }
        sendingHere.put(key, update.lastRecordNumber());
        long t0 = clock.millis();
        if (store.replace(key, expected, update)) {
            long tookMillis = clock.millis() - t0;
            if ((slowClaimMillis > 0 && tookMillis > slowClaimMillis) || !store.hasQuorum()) {
                slowClaims.incrementAndGet();
                claimedNotSent.add(key);
                sendingHere.remove(key, update.lastRecordNumber());
                LOG.log(Level.WARNING, "RF-038 assigning {0} record {1} of session {2} took {3} ms (backups unreachable?) or the "
                        + "majority was lost meanwhile: not sent now; the next scan sends it with the T flag if this member "
                        + "still has a majority", new Object[]{update.inFlight(), update.lastRecordNumber(), key, tookMillis});
                return false;
            }
            claimedNotSent.remove(key);
            return true;
        }
        sendingHere.remove(key, update.lastRecordNumber());
        return false;
    }

    /** Hands the claimed record to the sender; its settlement moves the session on. */
    private void transmit(String key, AccountingRequest request) {
        CompletionStage<AccountingAnswer> sent;
        try {
            sent = sender.send(request);
        } catch (RuntimeException e) {
            sent = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        sent.whenCompleteAsync((answer, error) -> {
            try {
                settle(key, request, error == null ? answer : null);
            } catch (RuntimeException e) {
                // The record stays in flight in the store; with the mark below gone, the owner's scan sends it again.
                LOG.log(Level.WARNING, "RF-034 could not record the outcome of " + request.type() + " record "
                        + request.recordNumber() + " of session " + key + "; it is sent again", e);
            } finally {
                sendingHere.remove(key, request.recordNumber());
            }
        }, settling);
    }

    /** The in-flight record is settled: the session moves on (next INTERIM armed, waiting STOP sent, or gone). */
    private void settle(String key, AccountingRequest request, AccountingAnswer answer) {
        for (;;) {
            ChargingSessionState s = store.get(key);
            if (s == null || !s.inFlight(request.type(), request.recordNumber())) {
                return; // settled by another member that took the record over
            }
            if (request.type() == AccountingRecordType.STOP) {
                if (store.remove(key, s)) {
                    return;
                }
                continue;
            }
            long interval = intervalAfter(s, answer);
            long now = clock.millis();
            long due = 0;
            if (interval > 0) {
                // The rhythm starts at the answer (START's time), whoever settles START and however late.
                long base = request.type() == AccountingRecordType.START || s.nextInterimMillis() <= 0
                        ? Math.min(now, s.session().answerTime().toEpochMilli()) : s.nextInterimMillis();
                due = base + interval * 1000;
                if (due <= now) {
                    due = now + interval * 1000;
                }
            }
            ChargingSessionState next = s.settled(interval, due);
            if (!store.replace(key, s, next)) {
                continue;
            }
            if (next.stopRequested()) {
                store.schedule(key, 0);
                fireSoon(key);
            } else if (due > 0) {
                store.schedule(key, due);
            } else {
                store.cancel(key);
            }
            return;
        }
    }

    /** RFC 6733 9.8.2 via TS 32.299: the ACA's Acct-Interim-Interval when present (0 = none), else what we had or the configured one. */
    private long intervalAfter(ChargingSessionState s, AccountingAnswer answer) {
        if (answer != null && answer.interimIntervalSeconds() >= 0) {
            return answer.interimIntervalSeconds();
        }
        return s.interimIntervalSeconds() >= 0 ? s.interimIntervalSeconds() : configuredIntervalSeconds;
    }

    /**
     * Sends what the session waits for (its STOP) from this member at once, whoever owns the key: the compare-and-set
     * that claims the record lets only one member send it, so the owner's scan and this call cannot both. Not waiting
     * for the owner also keeps STOP independent of that owner running the application.
     */
    private void fireSoon(String key) {
        executor.execute(() -> {
            try {
                fire(key);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "RF-033 session " + key + ": the waiting STOP is tried again at the next scan", e);
            }
        });
    }

    public long interimsSent() {
        return interimsSent.get();
    }

    public long takeovers() {
        return takeovers.get();
    }

    /** Claims not acted on because they were slow or the majority was lost (RF-038). */
    public long slowClaims() {
        return slowClaims.get();
    }

    public long stopsSent() {
        return stopsSent.get();
    }

    public LatenessHistogram lateness() {
        return lateness;
    }

    /**
     * How late INTERIMs left compared with when they were due, in power-of-two millisecond buckets (cheap, lock-free).
     * Quantiles are read as the upper bound of the bucket that holds them.
     */
    public static final class LatenessHistogram {
        private static final int BUCKETS = 24; // up to 2^23 ms, about 2.3 hours
        private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
        private final AtomicLong max = new AtomicLong();

        void record(long millis) {
            long m = Math.max(0, millis);
            int bucket = Math.min(BUCKETS - 1, 64 - Long.numberOfLeadingZeros(m));
            counts.incrementAndGet(bucket);
            max.accumulateAndGet(m, Math::max);
        }

        public long count() {
            long n = 0;
            for (int i = 0; i < BUCKETS; i++) {
                n += counts.get(i);
            }
            return n;
        }

        /** Upper bound in ms of the bucket holding quantile {@code q} (0..1); 0 when nothing was recorded. */
        public long quantileMillis(double q) {
            long n = count();
            if (n == 0) {
                return 0;
            }
            long rank = (long) Math.ceil(q * n);
            long seen = 0;
            for (int i = 0; i < BUCKETS; i++) {
                seen += counts.get(i);
                if (seen >= rank) {
                    return i == 0 ? 0 : (1L << i) - 1;
                }
            }
            return max.get();
        }

        public long maxMillis() {
            return max.get();
        }
    }
}
