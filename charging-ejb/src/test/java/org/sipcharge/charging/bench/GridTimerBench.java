package org.sipcharge.charging.bench;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.LocalMapStats;
import org.sipcharge.charging.application.ChargeableSession;
import org.sipcharge.charging.application.internal.AccountingSessions;
import org.sipcharge.charging.domain.model.accounting.AccountingAnswer;
import org.sipcharge.charging.infrastructure.grid.HazelcastAccountingSessionStore;
import org.sipcharge.charging.infrastructure.grid.TestGrid;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The interim timer design at scale, without Payara around it: three Hazelcast members in this JVM (sharing the
 * machine's cores as three SIP nodes would), each with its own accounting sessions and timer scan, the sessions'
 * START spread over the first interval as calls arrive, a CDF stand-in that answers every ACR after 1 ms with the
 * interval. Prints the replicated bytes per session, INTERIM lateness (p50, p99, max), interims per second, and the
 * lateness of the interims of the sessions a member owned when it is terminated abruptly.
 *
 * <pre>bench/grid-timers.sh [sessions] [interval seconds] [rounds]</pre>
 *
 * Limits: Hazelcast inside Payara costs more per operation (its tenant context walks the stack for the calling
 * class); the figures here are the design's floor, not the product's.
 */
public final class GridTimerBench {

    public static void main(String[] args) throws Exception {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int intervalSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        // "das": a fourth data member that runs no application, as Payara's DAS in the clustered layout: it owns
        // about a quarter of the partitions, whose timers the others fire through their orphan scans.
        boolean das = args.length > 3 && args[3].equals("das");
        int scanMs = 200;
        String cluster = "grid-bench-" + UUID.randomUUID();
        int[] ports = {TestGrid.freePort(), TestGrid.freePort(), TestGrid.freePort(), TestGrid.freePort()};
        List<HazelcastInstance> members = new ArrayList<>();
        List<AccountingSessions> nodes = new ArrayList<>();
        ScheduledExecutorService cdf = Executors.newScheduledThreadPool(2);
        ScheduledExecutorService scans = Executors.newScheduledThreadPool(6);
        // As the application fires them (sipcharge.ctf.timer-fire-threads, default 8): a pass hands its keys over.
        java.util.concurrent.ExecutorService firing = Executors.newFixedThreadPool(8);
        AtomicLong acrs = new AtomicLong();
        boolean[] dead = new boolean[3];
        for (int i = 0; i < 3; i++) {
            HazelcastInstance hz = Hazelcast.newHazelcastInstance(TestGrid.member(cluster, ports, i, "none"));
            members.add(hz);
            int member = i;
            AccountingSessions s = new AccountingSessions(new HazelcastAccountingSessionStore(hz, "rf-sessions", "rf-timers", 1),
                    request -> {
                        acrs.incrementAndGet();
                        CompletableFuture<AccountingAnswer> a = new CompletableFuture<>();
                        if (!dead[member]) {
                            cdf.schedule(() -> a.complete(new AccountingAnswer(2001, intervalSeconds)), 1, TimeUnit.MILLISECONDS);
                        }
                        return a;
                    }, () -> "ctf.bench;" + UUID.randomUUID(), "ctf.bench", 0, 60_000, cdf, Clock.systemUTC())
                    .withFiringPools(firing, firing);
            nodes.add(s);
            // As the application does: the owner scan, and the share of a non-scanning member's timers on its own.
            for (Runnable pass : List.<Runnable>of(s::scan, s::scanOrphans)) {
                scans.scheduleWithFixedDelay(() -> {
                    if (!dead[member]) {
                        try {
                            pass.run();
                        } catch (RuntimeException e) {
                            // a terminated member's map throws; the others go on
                        }
                    }
                }, scanMs, scanMs, TimeUnit.MILLISECONDS);
            }
        }
        if (das) {
            members.add(Hazelcast.newHazelcastInstance(TestGrid.member(cluster, ports, 3, "none")));
        }
        System.out.printf("== conditions: %d cores, load %s, %d sessions, interval %d s, %d rounds, scan every %d ms (8 firing threads), 3 members%s, 1 sync backup%n",
                Runtime.getRuntime().availableProcessors(), loadAverage(), sessions, intervalSeconds, rounds, scanMs,
                das ? " + a data member that does not scan (the DAS)" : "");

        long t0 = System.nanoTime();
        long spreadNanos = TimeUnit.SECONDS.toNanos(intervalSeconds);
        for (int c = 0; c < sessions; c++) {
            long due = t0 + spreadNanos * c / sessions;
            long wait = due - System.nanoTime();
            if (wait > 1_000_000) {
                TimeUnit.NANOSECONDS.sleep(wait); // pacing the arrivals, not waiting for a result
            }
            Instant now = Instant.now();
            nodes.get(c % 3).started(new ChargeableSession("call-" + c, "sip:+49301234" + c + "@operator.example",
                    "sip:+49409876543@operator.example", now, now));
        }
        System.out.printf("all %d sessions started in %.1f s%n", sessions, (System.nanoTime() - t0) / 1e9);
        long interimsBefore = interims(nodes);
        long tRun = System.nanoTime();
        TimeUnit.SECONDS.sleep((long) intervalSeconds * rounds); // the measured period: timers firing on their own
        double seconds = (System.nanoTime() - tRun) / 1e9;
        long interims = interims(nodes) - interimsBefore;
        System.out.printf("INTERIMs: %d in %.0f s = %.0f per second (expected about %.0f)%n", interims, seconds, interims / seconds,
                (double) sessions / intervalSeconds);
        report("lateness, steady state", nodes);

        long owned = 0;
        long backup = 0;
        long entries = 0;
        for (HazelcastInstance hz : members) {
            for (String map : List.of("rf-sessions", "rf-timers")) {
                LocalMapStats st = hz.getMap(map).getLocalMapStats();
                owned += st.getOwnedEntryMemoryCost();
                backup += st.getBackupEntryMemoryCost();
                if (map.equals("rf-sessions")) {
                    entries += st.getOwnedEntryCount();
                }
            }
        }
        System.out.printf("replicated state: %d sessions, %.0f bytes per session per copy (primary %.0f + backup %.0f, Hazelcast's entry cost incl. key and timer)%n",
                entries, (double) (owned + backup) / Math.max(1, entries) / 2, (double) owned / Math.max(1, entries),
                (double) backup / Math.max(1, entries));
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.out.printf("heap used after GC: %d MB for 3 members%n", (rt.totalMemory() - rt.freeMemory()) >> 20);

        // Failover: member 0 dies; its sessions' timers fire on the others.
        AccountingSessions.LatenessHistogram[] before = {nodes.get(1).lateness(), nodes.get(2).lateness()};
        long maxBefore = Math.max(before[0].maxMillis(), before[1].maxMillis());
        dead[0] = true;
        long killed = System.nanoTime();
        members.get(0).getLifecycleService().terminate();
        TimeUnit.SECONDS.sleep(intervalSeconds + 5L);
        System.out.printf("after terminating member 0 (%.0f s ago): survivors' max lateness %d ms (before the kill %d ms), takeovers %d%n",
                (System.nanoTime() - killed) / 1e9, Math.max(nodes.get(1).lateness().maxMillis(), nodes.get(2).lateness().maxMillis()),
                maxBefore, nodes.get(1).takeovers() + nodes.get(2).takeovers());
        System.out.printf("== load average after: %s; ACRs answered by the stand-in CDF: %d%n", loadAverage(), acrs.get());
        scans.shutdownNow();
        firing.shutdownNow();
        cdf.shutdownNow();
        for (HazelcastInstance hz : members) {
            hz.getLifecycleService().terminate();
        }
    }

    private static long interims(List<AccountingSessions> nodes) {
        return nodes.stream().mapToLong(AccountingSessions::interimsSent).sum();
    }

    private static void report(String what, List<AccountingSessions> nodes) {
        long p50 = 0;
        long p99 = 0;
        long max = 0;
        for (AccountingSessions n : nodes) {
            p50 = Math.max(p50, n.lateness().quantileMillis(0.5));
            p99 = Math.max(p99, n.lateness().quantileMillis(0.99));
            max = Math.max(max, n.lateness().maxMillis());
        }
        System.out.printf("%s: p50 <= %d ms, p99 <= %d ms, max %d ms (worst member; power-of-two buckets)%n", what, p50, p99, max);
    }

    private static String loadAverage() {
        try {
            return new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).trim();
        } catch (IOException e) {
            return "n/a";
        }
    }

}
