package org.sipcharge.charging.application.internal;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sipcharge.charging.application.ChargeableSession;
import org.sipcharge.charging.domain.model.accounting.AccountingAnswer;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.AccountingRequest;
import org.sipcharge.charging.infrastructure.grid.HazelcastAccountingSessionStore;
import org.sipcharge.charging.infrastructure.grid.TestGrid;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Three Hazelcast members in this JVM, each with its own Rf client sessions and timer scan, as three SIP nodes would
 * have, and a fourth data member without the application (whose partitions' timers the others must fire). The member that started every session is terminated abruptly mid-call (no migration handshake, as a kill);
 * the survivors carry the interims on and the calls end: every session has START, INTERIMs and STOP numbered without
 * a gap, and every repeated number is a T-flagged retransmission of the same record (which the CDF de-duplicates).
 */
class AccountingSessionsGridTest {

    private static final int SESSIONS = 30;
    private static final int INTERVAL_SECONDS = 1;

    /** What reached the (simulated) CDF, in arrival order, with the member that sent it. */
    record Sent(int member, AccountingRequest request) {
    }

    private final List<HazelcastInstance> members = new ArrayList<>();
    private final ScheduledExecutorService cdfThreads = Executors.newScheduledThreadPool(2);
    private final ScheduledExecutorService scanThreads = Executors.newScheduledThreadPool(6);
    /** As the application has them (sipcharge.ctf.timer-fire-threads): passes hand their due keys over and go on. */
    private final java.util.concurrent.ExecutorService firingThreads = Executors.newFixedThreadPool(8);
    private final ConcurrentLinkedQueue<Sent> received = new ConcurrentLinkedQueue<>();
    private final boolean[] dead = new boolean[3];
    /** Answers to this member are held back: its records stay in flight, as when it dies between ACR and ACA. */
    private final boolean[] unanswered = new boolean[3];

    @AfterEach
    void tearDown() {
        scanThreads.shutdownNow();
        firingThreads.shutdownNow();
        cdfThreads.shutdownNow();
        members.forEach(m -> m.getLifecycleService().terminate());
    }

    @Test
    void interimsGoOnWithoutGapOrDuplicateWhenTheMemberThatStartedTheCallsDies() throws Exception {
        String cluster = "rf-grid-test-" + UUID.randomUUID();
        int[] ports = {TestGrid.freePort(), TestGrid.freePort(), TestGrid.freePort(), TestGrid.freePort()};
        List<AccountingSessions> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HazelcastInstance hz = Hazelcast.newHazelcastInstance(TestGrid.member(cluster, ports, i, "jdk"));
            members.add(hz);
            int member = i;
            AccountingSessions sessions = new AccountingSessions(new HazelcastAccountingSessionStore(hz, "rf-sessions", "rf-timers", 1),
                    request -> cdf(member, request), () -> "ctf.test;" + UUID.randomUUID(), "ctf.test", 0, 20_000,
                    cdfThreads, Clock.systemUTC()).withFiringPools(firingThreads, firingThreads);
            nodes.add(sessions);
            scanThreads.scheduleWithFixedDelay(() -> {
                if (!dead[member]) {
                    sessions.scan();
                }
            }, 100, 100, TimeUnit.MILLISECONDS);
            // As the application does: the share of the non-scanning member's timers on a scan of its own.
            scanThreads.scheduleWithFixedDelay(() -> {
                if (!dead[member]) {
                    sessions.scanOrphans();
                }
            }, 100, 100, TimeUnit.MILLISECONDS);
        }
        // A fourth data member that does not run the application (as a DAS that is not a lite member): it owns
        // partitions whose timers only the others' scans can fire.
        members.add(Hazelcast.newHazelcastInstance(TestGrid.member(cluster, ports, 3, "jdk")));
        waitFor("4 members", 60, () -> members.get(2).getCluster().getMembers().size() == 4);

        for (int c = 0; c < SESSIONS; c++) {
            Instant now = Instant.now();
            nodes.get(0).started(new ChargeableSession("call-" + c, "sip:a" + c + "@x", "sip:b@y", now, now));
        }
        waitFor("two INTERIMs in every session", 30, () -> minInterimsPerSession() >= 2);

        // Member 0 dies with records in flight: its ACRs reached the CDF but their answers did not reach it.
        unanswered[0] = true;
        long sentBy0 = received.stream().filter(s -> s.member() == 0).count();
        waitFor("INTERIMs in flight on member 0", 30, () -> received.stream().filter(s -> s.member() == 0).count() >= sentBy0 + 3);
        // kill -9 of member 0: it stops scanning and answering at once, and leaves the cluster without a goodbye.
        dead[0] = true;
        members.get(0).getLifecycleService().terminate();
        long interimsAtKill = minInterimsPerSession();
        waitFor("three more rounds of INTERIMs on the survivors", 30,
                () -> minInterimsPerSession() >= interimsAtKill + 3);

        for (int c = 0; c < SESSIONS; c++) {
            nodes.get(1 + c % 2).ended("call-" + c, Instant.now(), 0);
        }
        waitFor("every STOP", 30, () -> countOf(AccountingRecordType.STOP) >= SESSIONS
                && members.get(1).getMap("rf-sessions").isEmpty());

        Map<String, List<Sent>> bySession = new TreeMap<>();
        for (Sent s : received) {
            bySession.computeIfAbsent(s.request().userSessionId(), k -> new ArrayList<>()).add(s);
        }
        assertEquals(SESSIONS, bySession.size());
        long lateAfterKill = 0;
        for (Map.Entry<String, List<Sent>> e : bySession.entrySet()) {
            Map<Long, AccountingRequest> byNumber = new TreeMap<>();
            for (Sent s : e.getValue()) {
                AccountingRequest r = s.request();
                AccountingRequest first = byNumber.putIfAbsent(r.recordNumber(), r);
                if (first != null) {
                    assertTrue(r.retransmission(), e.getKey() + ": record " + r.recordNumber() + " sent twice without the T flag");
                    assertEquals(first.type(), r.type(), e.getKey() + ": record " + r.recordNumber() + " reused for another type");
                }
            }
            long expected = 0;
            for (Map.Entry<Long, AccountingRequest> n : byNumber.entrySet()) {
                assertEquals(expected++, n.getKey(), e.getKey() + ": gap in record numbers " + byNumber.keySet());
            }
            assertEquals(AccountingRecordType.START, byNumber.get(0L).type());
            AccountingRequest last = byNumber.get(expected - 1);
            assertEquals(AccountingRecordType.STOP, last.type(), e.getKey() + ": last record");
            assertTrue(byNumber.size() >= 5, e.getKey() + ": START, at least 3 INTERIMs and STOP, got " + byNumber.keySet());
        }
        for (int i = 1; i < 3; i++) {
            lateAfterKill = Math.max(lateAfterKill, nodes.get(i).lateness().maxMillis());
        }
        System.out.printf("grid failover: %d sessions, interval %d s, one member killed; survivors' INTERIM lateness: "
                        + "max %d ms, p99 <= %d ms; takeovers of in-flight records: %d%n",
                SESSIONS, INTERVAL_SECONDS, lateAfterKill,
                Math.max(nodes.get(1).lateness().quantileMillis(0.99), nodes.get(2).lateness().quantileMillis(0.99)),
                nodes.get(1).takeovers() + nodes.get(2).takeovers());
        assertTrue(lateAfterKill <= 2_000, "INTERIMs at most 2 s late, also across the kill: " + lateAfterKill + " ms");
        assertTrue(nodes.get(1).takeovers() + nodes.get(2).takeovers() >= 3,
                "the records in flight on the dead member are sent again by the survivors");
    }

    /** The simulated CDF: 2001 with Acct-Interim-Interval after a few ms; a dead member's answers never arrive. */
    private CompletionStage<AccountingAnswer> cdf(int member, AccountingRequest request) {
        if (dead[member]) {
            return new CompletableFuture<>();
        }
        received.add(new Sent(member, request));
        CompletableFuture<AccountingAnswer> answer = new CompletableFuture<>();
        cdfThreads.schedule(() -> {
            if (!dead[member] && !unanswered[member]) {
                answer.complete(new AccountingAnswer(2001, INTERVAL_SECONDS));
            }
        }, 5, TimeUnit.MILLISECONDS);
        return answer;
    }

    /** The fewest distinct INTERIM numbers any session has reached the CDF with. */
    private long minInterimsPerSession() {
        Map<String, Set<Long>> numbers = new java.util.HashMap<>();
        for (int c = 0; c < SESSIONS; c++) {
            numbers.put("call-" + c, new java.util.HashSet<>());
        }
        for (Sent s : received) {
            if (s.request().type() == AccountingRecordType.INTERIM) {
                numbers.get(s.request().userSessionId()).add(s.request().recordNumber());
            }
        }
        return numbers.values().stream().mapToLong(Set::size).min().orElse(0);
    }

    private long countOf(AccountingRecordType type) {
        return received.stream().filter(s -> s.request().type() == type && !s.request().retransmission()).count();
    }


    /** Polls {@code condition} until it holds, failing after {@code seconds}; shared with AccountingSessionsTest. */
    static void waitFor(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + seconds + " s: " + what);
            }
            Thread.onSpinWait();
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }
}
