package org.sipcharge.systemtests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 6: three billing-connector instances (the Payara instances of the clustered layout), the legacy billing
 * system behind a terminal-server simulator that admits one connection at a time. Under SIPp load the coordinator
 * is killed with SIGKILL three times (each time restarted before the next round). Asserts: one coordinator at a
 * time with a higher epoch after each kill; delivering again after each kill (time measured and printed, the goal
 * is 5 s; asserted within 15 s). Then the coordinator's answers stop coming (the terminal server swallows them for its source address):
 * it resigns and another instance delivers. In the end every CDR committed in the database is at the billing simulator exactly once after
 * de-duplication by CDR id, none is missing, and the billing simulator never accepted a stale epoch.
 */
class BillingCoordinatorFailoverIT {

    static final int INSTANCES = 3;
    static final int ROUNDS = 3;
    static final int CALLS_PER_ROUND = 60;
    static final long TAKEOVER_BOUND_MILLIS = 15_000;
    static final int HOLD_MILLIS = 500;
    /** A coordinator that gets no answer for this long resigns (sipcharge.billing.difficulty-timeout). */
    static final String DIFFICULTY = "PT6S";

    static ClusterUnderTest cluster;

    @BeforeAll
    static void startTheCluster() throws Exception {
        cluster = ClusterUnderTest.start("billing-coordinator", INSTANCES, "sipcharge.billing.difficulty-timeout=" + DIFFICULTY);
    }

    @AfterAll
    static void stopTheCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void killedCoordinatorsAreReplacedAndEveryCdrReachesBillingExactlyOnce() throws Exception {
        Coordinator first = Wait.until(Duration.ofSeconds(60), BillingCoordinatorFailoverIT::coordinator, c -> c != null,
                "one instance to be the billing coordinator");
        report("coordinator %s, epoch %d", first.instance.name(), first.epoch);
        long epoch = first.epoch;
        List<Long> takeovers = new ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            Coordinator c = Wait.until(Duration.ofSeconds(60), BillingCoordinatorFailoverIT::coordinator, x -> x != null,
                    "a billing coordinator before round");
            assertTrue(c.epoch >= epoch, "epochs only grow: " + c.epoch + " after " + epoch);
            Sipp.Running calls = Sipp.start(cluster.runDir.resolve("sipp/round-" + round), cluster.uasPort, cluster.lbPort,
                    CALLS_PER_ROUND, HOLD_MILLIS, Sipp.scenarioFile("uac-dialog.xml"), List.of("-sn", "uas"));
            try (calls) {
                // Let CDRs flow under this coordinator first.
                long before = maxEpochAtBilling();
                int start = cdrsAtBilling();
                Wait.until(Duration.ofSeconds(60), BillingCoordinatorFailoverIT::cdrsAtBilling, n -> n > start, "CDRs flowing in round " + round);
                String out = cluster.cluster(Duration.ofSeconds(30), "kill-instance", c.instance.name());
                long killedAt = Long.parseLong(out.replaceAll("(?s).*at (\\d+).*", "$1"));
                long killedEpoch = c.epoch;
                // Delivering again: the first CDR the billing simulator records under a newer epoch.
                long deliveringAt = pollFirstRecordAbove(killedEpoch, Duration.ofSeconds(60));
                long takeover = deliveringAt - killedAt;
                takeovers.add(takeover);
                Coordinator next = Wait.until(Duration.ofSeconds(30), BillingCoordinatorFailoverIT::coordinator,
                        x -> x != null && x.epoch > killedEpoch, "a new coordinator");
                report("round %d: killed coordinator %s (epoch %d; highest epoch at billing before: %d); %s delivers under epoch %d, %d ms after the kill",
                        round, c.instance.name(), killedEpoch, before, next.instance.name(), next.epoch, takeover);
                assertTrue(!next.instance.equals(c.instance), "the new coordinator is another instance");
                // The goal is 5 s (measured 2.5-2.8 s on this machine). Not a benchmark bound: three times the goal
                // leaves room for a loaded CI host and still fails a takeover that waits on something it should not
                // (a local-transaction pool once made round 3 take 47.6 s while Payara's recovery helper retried).
                assertTrue(takeover <= TAKEOVER_BOUND_MILLIS, "delivering again took " + takeover + " ms after the kill in round "
                        + round + " (goal 5000 ms, bound " + TAKEOVER_BOUND_MILLIS + " ms)");
                epoch = next.epoch;
                Sipp.Result r = calls.finish(Duration.ofSeconds(120));
                report("round %d SIPp: %s", round, r.summary());
                // Kamailio retries an INVITE or BYE that the killed instance left unanswered on a live one. Still
                // failing: calls whose INVITE the killed instance had already answered 100 Trying (their setup died
                // with it), and a BYE whose retry round-robin picked the killed instance before it was marked down.
                // Measured 0-3 per round (2026-12-05); before the dispatcher's failover support was on, 6-8 of 60.
                assertTrue(r.failedCalls() <= 5, "calls failed in round " + round + " beyond those the kill itself loses: "
                        + r.summary());
            }
            cluster.cluster(Duration.ofMinutes(8), "start-instance", c.instance.name());
            report("round %d: %s restarted", round, c.instance.name());
        }
        stalledCoordinatorResignsAndAnotherDelivers();
        assertEverythingCommittedIsBilledExactlyOnce();
        long worst = takeovers.stream().mapToLong(Long::longValue).max().orElse(-1);
        report("delivering again after a coordinator kill -9: %s ms (worst %d ms; goal 5000 ms)", takeovers, worst);
        // Every coordinator change went through the terminal server: never two connections holding the line.
        String terminal = Files.readString(cluster.runDir.resolve("billing/terminal-server.log"));
        report("terminal server: %d connections admitted, %d refused", count(terminal, "TSS-001"), count(terminal, "TSS-002"));
    }

    /** Answers that stop coming: the coordinator resigns after the difficulty timeout and another instance delivers. */
    static void stalledCoordinatorResignsAndAnotherDelivers() throws Exception {
        Coordinator c = Wait.until(Duration.ofSeconds(60), BillingCoordinatorFailoverIT::coordinator, x -> x != null,
                "a billing coordinator before the stall");
        try (Sipp.Running calls = Sipp.start(cluster.runDir.resolve("sipp/stall"), cluster.uasPort, cluster.lbPort,
                CALLS_PER_ROUND, HOLD_MILLIS, Sipp.scenarioFile("uac-dialog.xml"), List.of("-sn", "uas"))) {
            int start = cdrsAtBilling();
            Wait.until(Duration.ofSeconds(60), BillingCoordinatorFailoverIT::cdrsAtBilling, n -> n > start, "CDRs flowing before the stall");
            Files.writeString(cluster.runDir.resolve("billing/terminal-server.stall"), "stall\n");
            long stalledAt = System.currentTimeMillis();
            long deliveringAt = pollFirstRecordAbove(c.epoch, Duration.ofSeconds(90));
            Coordinator next = Wait.until(Duration.ofSeconds(30), BillingCoordinatorFailoverIT::coordinator,
                    x -> x != null && x.epoch > c.epoch, "a new coordinator after the stall");
            assertTrue(!next.instance.equals(c.instance), "another instance took over from the stalled one");
            long resignations = cluster.statusLong(c.instance, "billing.resignations");
            assertTrue(resignations >= 1, "the stalled coordinator resigned (billing.resignations=" + resignations + ")");
            report("stall: %s (epoch %d) got no answers, resigned; %s delivers under epoch %d, %d ms after the stall "
                    + "(difficulty timeout %s, read timeout 5 s)", c.instance.name(), c.epoch, next.instance.name(), next.epoch,
                    deliveringAt - stalledAt, DIFFICULTY);
            Sipp.Result r = calls.finish(Duration.ofSeconds(120));
            report("stall round SIPp: %s", r.summary());
        }
    }

    // ------------------------------------------------------------------ what the test observes

    record Coordinator(ClusterUnderTest.Instance instance, long epoch) {
    }

    /** The instance whose status says it coordinates, when exactly one does; else null. */
    static Coordinator coordinator() {
        Coordinator found = null;
        for (ClusterUnderTest.Instance i : cluster.instances) {
            Map<String, String> s;
            try {
                s = cluster.status(i);
            } catch (RuntimeException e) {
                continue; // a dead or starting instance
            }
            if ("true".equals(s.get("billing.coordinator.self"))) {
                if (found != null) {
                    throw new AssertionError("two instances say they coordinate: " + found.instance.name() + " and " + i.name());
                }
                found = new Coordinator(i, Long.parseLong(s.get("billing.coordinator.epoch")));
            }
        }
        return found;
    }

    static int cdrsAtBilling() {
        try {
            return cluster.billingRecords().size();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static long maxEpochAtBilling() throws IOException {
        long max = 0;
        for (String[] r : cluster.billingRecords()) {
            max = Math.max(max, Long.parseLong(r[6]));
        }
        return max;
    }

    /** Polls the billing simulator's file every 20 ms; returns the wall-clock millis of the first record above the epoch. */
    static long pollFirstRecordAbove(long epoch, Duration deadline) throws Exception {
        Wait.until(deadline, Duration.ofMillis(20), () -> {
            try {
                return cluster.billingRecords().stream().anyMatch(r -> r.length > 6 && Long.parseLong(r[6]) > epoch);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, Boolean::booleanValue, "a CDR delivered under an epoch above " + epoch);
        return System.currentTimeMillis();
    }

    /**
     * Every CDR in the shared database is at the billing simulator, once after de-duplication by CDR id; nothing
     * arrived that the database does not hold; the simulator fenced nothing it should not have recorded.
     */
    static void assertEverythingCommittedIsBilledExactlyOnce() throws Exception {
        Set<String> committed = committedCdrIds();
        List<String[]> received = Wait.until(Duration.ofSeconds(120), () -> {
            try {
                return cluster.billingRecords();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, l -> distinct(l).containsAll(committed), "every committed CDR at the billing simulator");
        Set<String> ids = distinct(received);
        long duplicates = received.size() - ids.size();
        Set<String> unknown = new HashSet<>(ids);
        unknown.removeAll(committed);
        report("CDRs committed %d; at billing %d lines, %d distinct, %d redelivered duplicates (suppressed by CDR id)",
                committed.size(), received.size(), ids.size(), duplicates);
        assertEquals(committed, ids, "the billing system has exactly the committed CDRs; unknown: " + unknown);
        for (String[] r : received) {
            assertTrue("true".equals(r[5]) || "false".equals(r[5]), "duplicate flag: " + String.join(" ", r));
        }
        // Epochs at the billing system never go down in the order it recorded them: no stale coordinator delivered.
        long last = 0;
        for (String[] r : received) {
            long e = Long.parseLong(r[6]);
            assertTrue(e >= last, "CDR " + r[0] + " recorded under epoch " + e + " after epoch " + last);
            last = e;
        }
    }

    static Set<String> distinct(List<String[]> records) {
        Set<String> ids = new HashSet<>();
        records.forEach(r -> ids.add(r[0]));
        return ids;
    }

    static Set<String> committedCdrIds() throws Exception {
        Set<String> ids = new HashSet<>();
        try (java.sql.Connection c = cluster.cdfDatabase();
             java.sql.ResultSet rs = c.createStatement().executeQuery("select CDR_ID from CDR")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    static long count(String text, String code) {
        return text.lines().filter(l -> l.contains(code)).count();
    }

    static void report(String format, Object... args) {
        System.out.printf("[billing-coordinator] " + format + "%n", args);
    }
}
