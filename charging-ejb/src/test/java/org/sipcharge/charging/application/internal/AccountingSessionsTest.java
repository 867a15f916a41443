package org.sipcharge.charging.application.internal;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipcharge.charging.application.ChargeableSession;
import org.sipcharge.charging.domain.model.accounting.AccountingAnswer;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.infrastructure.grid.LocalAccountingSessionStore;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The session rules on one node, with a hand-driven clock and CDF: numbering, interval, waiting STOP. */
class AccountingSessionsTest {

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        long millis = 1_700_000_000_000L;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    /** The CDF side: records what was sent, answers when the test says so. */
    static final class HandCdf implements AccountingSessions.RecordSender {
        final List<AccountingRequest> sent = new ArrayList<>();
        final List<CompletableFuture<AccountingAnswer>> pending = new ArrayList<>();

        @Override
        public synchronized CompletionStage<AccountingAnswer> send(AccountingRequest request) {
            sent.add(request);
            CompletableFuture<AccountingAnswer> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }

        void answerLast(long interimSeconds) {
            pending.get(pending.size() - 1).complete(new AccountingAnswer(2001, interimSeconds));
        }

        AccountingRequest last() {
            return sent.get(sent.size() - 1);
        }
    }

    private final ManualClock clock = new ManualClock();
    private final HandCdf cdf = new HandCdf();
    private LocalAccountingSessionStore store;
    private int sessionIds;

    @BeforeEach
    void setUp() {
        store = new LocalAccountingSessionStore();
    }

    private AccountingSessions sessions(long configuredInterval) {
        return new AccountingSessions(store, cdf, () -> "ctf;" + (++sessionIds), "ctf.test", configuredInterval, 60_000,
                Runnable::run, clock);
    }

    private ChargeableSession call(String key) {
        return new ChargeableSession(key, "sip:a@x", "sip:b@y", clock.instant(), clock.instant());
    }

    @Test
    void startInterimsAndStopAreNumberedConsecutivelyOnTheAcaInterval() {
        AccountingSessions s = sessions(0);
        s.started(call("c1"));
        assertEquals(AccountingRecordType.START, cdf.last().type());
        assertEquals(0, cdf.last().recordNumber());
        cdf.answerLast(2); // the ACA asks for an INTERIM every 2 s
        assertEquals(1, store.timersArmed());

        clock.millis += 1_999;
        assertEquals(0, s.scan(), "not due before 2 s");
        clock.millis += 1;
        assertEquals(1, s.scan());
        assertEquals(AccountingRecordType.INTERIM, cdf.last().type());
        assertEquals(1, cdf.last().recordNumber());
        assertFalse(cdf.last().retransmission());
        clock.millis += 300;
        cdf.answerLast(2);

        clock.millis += 1_700; // due 2 s after the previous due time, not after its answer
        assertEquals(1, s.scan());
        assertEquals(2, cdf.last().recordNumber());
        cdf.answerLast(-1); // no Acct-Interim-Interval: the one in force stays

        clock.millis += 500;
        s.ended("c1", clock.instant(), 0);
        assertEquals(AccountingRecordType.STOP, cdf.last().type());
        assertEquals(3, cdf.last().recordNumber());
        cdf.answerLast(-1);
        assertEquals(0, store.size());
        assertEquals(0, store.timersArmed(), "STOP cancels the timer");
        clock.millis += 10_000;
        assertEquals(0, s.scan());
        assertEquals(4, cdf.sent.size());
        assertEquals(2, s.interimsSent());
    }

    @Test
    void configuredIntervalAppliesOnlyWhenTheAcaCarriesNone() {
        AccountingSessions s = sessions(5);
        s.started(call("absent"));
        cdf.answerLast(-1);
        s.started(call("zero"));
        cdf.answerLast(0); // RFC 6733 9.8.2: 0 = no interim records
        clock.millis += 5_000;
        assertEquals(1, s.scan(), "only the session without Acct-Interim-Interval in its ACA gets an INTERIM");
        assertEquals("absent", cdf.last().userSessionId());
        assertEquals(AccountingRecordType.INTERIM, cdf.last().type());
    }

    @Test
    void stopWaitsForTheInterimInFlightAndTakesTheNextNumber() {
        AccountingSessions s = sessions(0);
        s.started(call("c2"));
        cdf.answerLast(1);
        clock.millis += 1_000;
        assertEquals(1, s.scan());
        assertEquals(AccountingRecordType.INTERIM, cdf.last().type());
        s.ended("c2", clock.instant(), 0);
        assertEquals(2, cdf.sent.size(), "STOP must not overtake the unanswered INTERIM (TS 32.299 6.1.2)");
        assertEquals(0, s.scan());
        cdf.answerLast(1);
        assertEquals(AccountingRecordType.STOP, cdf.last().type());
        assertEquals(2, cdf.last().recordNumber());
    }

    @Test
    void stopBeforeTheStartIsAnsweredFollowsTheStart() {
        AccountingSessions s = sessions(0);
        s.started(call("short"));
        s.ended("short", clock.instant(), 0);
        assertEquals(1, cdf.sent.size());
        cdf.answerLast(300);
        assertEquals(AccountingRecordType.STOP, cdf.last().type());
        assertEquals(1, cdf.last().recordNumber());
        cdf.answerLast(-1);
        assertEquals(0, store.size());
    }

    @Test
    void ownRecordAwaitingItsAnswerIsNeverTakenOver() {
        AccountingSessions s = new AccountingSessions(store, cdf, () -> "ctf;x", "ctf.test", 0, 30_000, Runnable::run, clock);
        s.started(call("c3"));
        cdf.answerLast(1);
        clock.millis += 1_000;
        s.scan();
        assertEquals(1, cdf.last().recordNumber());
        // The sender owns the retransmissions and the buffer: while it has not settled, nothing is sent again from here,
        // however long it takes (other members take it over only when this one is gone).
        clock.millis += 100_000;
        assertEquals(0, s.scan());
        assertEquals(2, cdf.sent.size());
    }

    @Test
    void startTwiceIsIgnoredAndEndOfUnknownSessionSendsNothing() {
        AccountingSessions s = sessions(0);
        s.started(call("dup"));
        s.started(call("dup"));
        assertEquals(1, cdf.sent.size());
        s.ended("nobody", clock.instant(), 0);
        assertEquals(1, cdf.sent.size());
        assertTrue(s.lateness().count() == 0);
    }

    @Test
    void latenessHistogramQuantiles() {
        AccountingSessions.LatenessHistogram h = new AccountingSessions.LatenessHistogram();
        for (int i = 0; i < 99; i++) {
            h.record(3);
        }
        h.record(1500);
        assertEquals(100, h.count());
        assertEquals(3, h.quantileMillis(0.5));
        assertEquals(3, h.quantileMillis(0.99));
        assertEquals(2047, h.quantileMillis(1.0));
        assertEquals(1500, h.maxMillis());
    }

    /**
     * A store whose member can be cut off: without a majority it reports no quorum, and a write that cannot reach the
     * backups returns late (the manual clock moves on by Hazelcast's backup timeout while it runs).
     */
    static final class SplittableStore implements org.sipcharge.charging.domain.model.accounting.AccountingSessionStore {
        final LocalAccountingSessionStore local = new LocalAccountingSessionStore();
        final ManualClock clock;
        boolean quorum = true;
        long writeDelayMillis;
        /** A read of this key waits for {@link #release} (its partition migrating, say). */
        volatile String blockedKey;
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

        SplittableStore(ManualClock clock) {
            this.clock = clock;
        }

        @Override public org.sipcharge.charging.domain.model.accounting.ChargingSessionState get(String key) {
            if (key.equals(blockedKey)) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return local.get(key);
        }
        @Override public boolean putIfAbsent(String key, org.sipcharge.charging.domain.model.accounting.ChargingSessionState s) { return local.putIfAbsent(key, s); }
        @Override public boolean replace(String key, org.sipcharge.charging.domain.model.accounting.ChargingSessionState e,
                                         org.sipcharge.charging.domain.model.accounting.ChargingSessionState u) {
            clock.millis += writeDelayMillis;
            return local.replace(key, e, u);
        }
        @Override public boolean remove(String key, org.sipcharge.charging.domain.model.accounting.ChargingSessionState e) { return local.remove(key, e); }
        @Override public void schedule(String key, long due) { local.schedule(key, due); }
        @Override public void cancel(String key) { local.cancel(key); }
        /** Keys whose partition another member owns now: this member's owner scan no longer finds their timers. */
        final java.util.Set<String> ownedElsewhere = new java.util.HashSet<>();
        @Override public java.util.Collection<String> dueHere(long now) {
            return orphanPartitionCount > 0 ? java.util.List.of()
                    : local.dueHere(now).stream().filter(k -> !ownedElsewhere.contains(k)).toList();
        }
        /** When above 0: every key belongs to one of this many partitions, all owned by a member that does not scan. */
        int orphanPartitionCount;
        /** A read of this partition's due timers waits for {@link #release} (it is migrating, say). */
        volatile int blockedPartition = -1;
        int partitionOf(String key) { return Math.floorMod(key.hashCode(), orphanPartitionCount); }
        @Override public java.util.Collection<Integer> orphanPartitions(long now) {
            return java.util.stream.IntStream.range(0, orphanPartitionCount).boxed().toList();
        }
        @Override public java.util.Collection<String> dueInPartition(int partition, long now) {
            if (partition == blockedPartition) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return local.dueHere(now).stream().filter(k -> partitionOf(k) == partition).toList();
        }
        @Override public String localMemberId() { return local.localMemberId(); }
        @Override public boolean memberAlive(String id) { return local.memberAlive(id); }
        @Override public String ownerOf(String key) { return local.ownerOf(key); }
        @Override public int size() { return local.size(); }
        @Override public int ownedHereCount() { return local.ownedHereCount(); }
        @Override public int timersArmed() { return local.timersArmed(); }
        @Override public String describe() { return "splittable"; }
        @Override public boolean hasQuorum() { return quorum; }
    }

    @Test
    void aMemberWithoutMajorityAssignsNoNumberAndSendsNothing() {
        SplittableStore split = new SplittableStore(clock);
        AccountingSessions s = new AccountingSessions(split, cdf, () -> "ctf;q", "ctf.test", 0, 60_000, Runnable::run, clock)
                .withSlowClaimMillis(2_000);
        s.started(call("q1"));
        cdf.answerLast(2);
        split.quorum = false; // the grid split, this member on the smaller side
        clock.millis += 10_000;
        assertEquals(0, s.scan(), "no INTERIM from the smaller side");
        s.ended("q1", clock.instant(), 0);
        assertEquals(1, cdf.sent.size(), "not even the STOP: the majority side carries the session");
        assertEquals(0, split.get("q1").lastRecordNumber(), "no number assigned");
        split.quorum = true; // healed (or this member's side won): the waiting STOP goes out
        assertEquals(1, s.scan());
        assertEquals(AccountingRecordType.STOP, cdf.last().type());
        assertEquals(1, cdf.last().recordNumber());
    }

    /** Starts session {@code key} and lets the claim of its first INTERIM come back slowly (5 s): not sent then. */
    private AccountingSessions withSlowlyClaimedInterim(SplittableStore split, String key) {
        AccountingSessions s = new AccountingSessions(split, cdf, () -> "ctf;" + key, "ctf.test", 0, 60_000, Runnable::run, clock)
                .withSlowClaimMillis(2_000);
        s.started(call(key));
        cdf.answerLast(2);
        clock.millis += 2_000;
        split.writeDelayMillis = 5_000; // backups unreachable: the write comes back after Hazelcast's backup timeout
        assertEquals(0, s.scan(), "a number whose write took 5 s is not sent");
        assertEquals(1, cdf.sent.size());
        assertEquals(1, s.slowClaims());
        split.writeDelayMillis = 0;
        return s;
    }

    @Test
    void aSlowClaimIsNotSentAndGoesOutLaterWithTheTFlag() {
        SplittableStore split = new SplittableStore(clock);
        AccountingSessions s = withSlowlyClaimedInterim(split, "slow");
        assertEquals(1, s.scan(), "the next scan sends the claimed number");
        assertEquals(AccountingRecordType.INTERIM, cdf.last().type());
        assertEquals(1, cdf.last().recordNumber(), "the same number, not a new one");
        assertTrue(cdf.last().retransmission(), "with the T flag: the CDF may have it (RFC 6733 9.4)");
    }

    @Test
    void aSlowClaimIsSentByTheClaimingMemberAlsoWhenTheKeyHasMovedToAnotherMember() {
        SplittableStore split = new SplittableStore(clock);
        AccountingSessions s = withSlowlyClaimedInterim(split, "moved");
        // The partition migrates to another member (the grid rebalanced after a member left): that member's scan sees a
        // record in flight on this live member and leaves it alone, so this member must send it without owning the key.
        split.ownedElsewhere.add("moved");
        assertEquals(1, s.scan(), "the member that claimed the number sends it, though it no longer owns the key");
        assertEquals(AccountingRecordType.INTERIM, cdf.last().type());
        assertEquals(1, cdf.last().recordNumber(), "the number claimed, not a new one");
        assertTrue(cdf.last().retransmission(), "with the T flag");
        assertEquals(1, s.lateness().count(), "its lateness is counted once, when it leaves");
        assertTrue(s.lateness().quantileMillis(1.0) >= 5_000, "late by the slow write at least");
        cdf.answerLast(2);
        clock.millis += 2_000;
        assertEquals(0, s.scan(), "settled: the next INTERIM is the new owner's, not this member's");
        assertEquals(2, cdf.sent.size(), "START, then the one INTERIM");
    }

    @Test
    void anAnswerIsSettledOffTheThreadThatReceivedIt() throws Exception {
        SplittableStore slow = new SplittableStore(clock);
        java.util.concurrent.ExecutorService settling = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            AccountingSessions s = new AccountingSessions(slow, cdf, () -> "ctf;" + (++sessionIds), "ctf.test", 0, 60_000,
                    Runnable::run, clock).withSettlingPool(settling);
            s.started(call("c1"));
            s.started(call("c2"));
            java.util.List<CompletableFuture<AccountingAnswer>> answers;
            synchronized (cdf) {
                answers = new java.util.ArrayList<>(cdf.pending);
            }
            // c1's settlement waits on the grid (its partition migrating, say). The thread that delivers the answers
            // is the Diameter connection's reader: it must go on reading, and c2 must be settled meanwhile.
            slow.blockedKey = "c1";
            CompletableFuture.runAsync(() -> answers.forEach(f -> f.complete(new AccountingAnswer(2001, 2))))
                    .get(5, java.util.concurrent.TimeUnit.SECONDS);
            AccountingSessionsGridTest.waitFor("c2 settled (its next INTERIM due)", 10, () -> slow.local.get("c2").nextInterimMillis() > 0);
            assertTrue(slow.local.get("c1").nextInterimMillis() <= 0, "c1 is still being settled");
            slow.release.countDown();
            AccountingSessionsGridTest.waitFor("c1 settled", 10, () -> slow.local.get("c1").nextInterimMillis() > 0);
        } finally {
            settling.shutdownNow();
        }
    }

    @Test
    void aKeyWhoseReadHangsHoldsUpNeitherItsPassNorTheKeysThatComeDueAfterIt() throws Exception {
        SplittableStore slow = new SplittableStore(clock);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            AccountingSessions s = new AccountingSessions(slow, cdf, () -> "ctf;" + (++sessionIds), "ctf.test", 0, 60_000,
                    Runnable::run, clock).withFiringPools(pool, pool);
            int calls = 20;
            for (int i = 0; i < calls; i++) {
                s.started(call("c" + i));
                cdf.answerLast(2);
            }
            clock.millis += 2_000;
            // The first key of the pass is held (its partition migrating, say): fired one after the other, it would
            // hold up every other key; with a pass that waits for its keys, it would hold up the next pass.
            String held = slow.dueHere(clock.millis()).iterator().next();
            slow.blockedKey = held;
            assertEquals(calls, java.util.concurrent.CompletableFuture.supplyAsync(s::scan).get(10, java.util.concurrent.TimeUnit.SECONDS),
                    "the pass hands over every due key and returns without waiting for them");
            AccountingSessionsGridTest.waitFor("the other sessions' INTERIMs", 10, () -> sentCount() >= 2 * calls - 1);
            assertEquals(2 * calls - 1, sentCount(), "every other session's INTERIM left while " + held + " was held up");

            // The next round comes due while the key is still held: the next pass fires it, and leaves the held key
            // alone (it is in flight), so nothing is sent twice.
            synchronized (cdf) {
                cdf.pending.forEach(f -> f.complete(new AccountingAnswer(2001, 2)));
            }
            clock.millis += 2_000;
            assertEquals(calls - 1, s.scan(), "the next pass hands over the other keys only");
            AccountingSessionsGridTest.waitFor("the second round's INTERIMs", 10, () -> sentCount() >= 3 * calls - 2);
            slow.release.countDown();
            AccountingSessionsGridTest.waitFor("the held session's INTERIM", 10, () -> sentCount() >= 3 * calls - 1);
            assertEquals(3 * calls - 1, sentCount());
            java.util.Map<String, java.util.List<Long>> numbers = new java.util.TreeMap<>();
            synchronized (cdf) {
                cdf.sent.forEach(r -> numbers.computeIfAbsent(r.userSessionId(), k -> new java.util.ArrayList<>()).add(r.recordNumber()));
            }
            numbers.forEach((session, n) -> assertEquals(new java.util.HashSet<>(n).size(), n.size(), session + " sent a number twice: " + n));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anOrphanedPartitionWhoseReadHangsHoldsUpOnlyItsOwnTimers() throws Exception {
        SplittableStore orphaned = new SplittableStore(clock);
        orphaned.orphanPartitionCount = 4; // every session in a partition of a member that does not scan (the DAS)
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            AccountingSessions s = new AccountingSessions(orphaned, cdf, () -> "ctf;" + (++sessionIds), "ctf.test", 0, 60_000,
                    Runnable::run, clock).withFiringPools(pool, pool);
            int calls = 20;
            for (int i = 0; i < calls; i++) {
                s.started(call("o" + i));
                cdf.answerLast(2);
            }
            long inBlocked = java.util.stream.IntStream.range(0, calls).filter(i -> orphaned.partitionOf("o" + i) == 0).count();
            assertTrue(inBlocked > 0 && inBlocked < calls, "the test needs sessions in the held partition and in others");
            clock.millis += 2_000;
            orphaned.blockedPartition = 0;
            assertEquals(0, s.scan(), "the owner scan has nothing: no session is in this member's partitions");
            assertEquals(4, java.util.concurrent.CompletableFuture.supplyAsync(s::scanOrphans).get(10, java.util.concurrent.TimeUnit.SECONDS),
                    "the orphan pass hands over every partition of its share and returns");
            AccountingSessionsGridTest.waitFor("the INTERIMs of the other partitions", 10, () -> sentCount() >= 2 * calls - inBlocked);
            assertEquals(2 * calls - inBlocked, sentCount(), "every session outside the held partition got its INTERIM");
            assertEquals(3, s.scanOrphans(), "the held partition is in flight: the next pass leaves it alone");
            orphaned.release.countDown();
            AccountingSessionsGridTest.waitFor("the held partition's INTERIMs", 10, () -> sentCount() >= 2 * calls);
            assertEquals(2 * calls, sentCount(), "each held session's INTERIM once");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSlowClaimOnThePoolHoldsBackTheKeysQueuedBehindIt() throws Exception {
        SplittableStore split = new SplittableStore(clock);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            AccountingSessions s = new AccountingSessions(split, cdf, () -> "ctf;" + (++sessionIds), "ctf.test", 0, 60_000,
                    Runnable::run, clock).withSlowClaimMillis(2_000).withFiringPools(pool, pool);
            int calls = 10;
            for (int i = 0; i < calls; i++) {
                s.started(call("q" + i));
                cdf.answerLast(2);
            }
            clock.millis += 2_000;
            split.writeDelayMillis = 5_000; // backups unreachable: every write comes back after the backup timeout
            assertEquals(calls, s.scan(), "the pass hands every due key over");
            pool.submit(() -> { }).get(10, java.util.concurrent.TimeUnit.SECONDS); // the one thread has run them all
            assertEquals(1, s.slowClaims(), "after the first slow write, the keys queued behind it waited");
            assertEquals(calls, sentCount(), "no INTERIM sent on a slow write");

            split.writeDelayMillis = 0;
            assertEquals(calls, s.scan(), "the next pass starts over with every due key");
            pool.submit(() -> { }).get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(2 * calls, sentCount());
            synchronized (cdf) {
                assertEquals(1, cdf.sent.stream().filter(AccountingRequest::retransmission).count(),
                        "the number claimed slowly goes out with the T flag, the others without");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private int sentCount() {
        synchronized (cdf) {
            return cdf.sent.size();
        }
    }
}
