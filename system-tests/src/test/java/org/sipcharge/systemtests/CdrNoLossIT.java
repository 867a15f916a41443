package org.sipcharge.systemtests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No committed CDR is lost or delivered twice when a process dies with SIGKILL under load (issue 5): SIPp places
 * calls, the Payara server (CDF, outbox) or the Artemis broker is killed mid-run and started again, and afterwards
 * every CDR committed in the database has reached the billing simulator, each CDR id once (the simulator flags any
 * redelivery; the broker's duplicate detection on the CDR id and the outbox's publish-after-commit keep them out).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CdrNoLossIT {

    static SystemUnderTest sut;

    @BeforeAll
    static void start() throws Exception {
        sut = SystemUnderTest.start("no-loss", "");
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (sut != null) {
            sut.close();
        }
    }

    @Test
    @Order(1)
    void killNineOfTheServerThatRunsTheCdfLosesNoCommittedCdr() throws Exception {
        long committedBefore = sut.statusLong("cdr.committed");
        try (Sipp.Running load = Sipp.start(sut.runDir.resolve("sipp/kill-server"), sut.uasPort, sut.sipPort, 80, 500,
                List.of("-sn", "uac"), List.of("-sn", "uas"))) {
            Wait.until(Duration.ofSeconds(60), () -> sut.statusLong("cdr.committed"), n -> n >= committedBefore + 15,
                    "CDRs being committed under load");
            long pid = Long.parseLong(sut.bin(Duration.ofSeconds(10), "payara.sh", "pid").output().trim().split("\\s+")[0]);
            ProcessHandle server = ProcessHandle.of(pid).orElseThrow();
            assertTrue(server.destroyForcibly(), "SIGKILL to the server");
            server.onExit().get();
            report("killed the server (pid %d) with %s CDRs committed", pid, "at least " + (committedBefore + 15));
            load.finish(Duration.ofSeconds(120)); // calls in flight at the kill fail at the SIP level; that is not the point
        }
        Processes.Result started = sut.bin(Duration.ofMinutes(4), "payara.sh", "start");
        assertEquals(0, started.exitCode(), started.output());
        Wait.until(Duration.ofSeconds(180), CdrNoLossIT::statusQuietly, s -> "true".equals(s.get("ready")), "the server ready again");
        assertEveryCommittedCdrDeliveredOnce();
    }

    @Test
    @Order(2)
    void killNineOfTheBrokerLosesNoCdr() throws Exception {
        long committedBefore = sut.statusLong("cdr.committed");
        try (Sipp.Running load = Sipp.start(sut.runDir.resolve("sipp/kill-broker"), sut.uasPort, sut.sipPort, 80, 500,
                List.of("-sn", "uac"), List.of("-sn", "uas"))) {
            Wait.until(Duration.ofSeconds(60), () -> sut.statusLong("cdr.committed"), n -> n >= committedBefore + 15,
                    "CDRs being committed under load");
            long pid = Long.parseLong(sut.bin(Duration.ofSeconds(10), "artemis.sh", "pid").output().trim().split("\\s+")[0]);
            ProcessHandle broker = ProcessHandle.of(pid).orElseThrow();
            assertTrue(broker.destroyForcibly(), "SIGKILL to the broker");
            broker.onExit().get();
            // While the broker is down the CDF goes on committing: CDRs wait in the outbox.
            Processes.Result restarted = sut.bin(Duration.ofMinutes(2), "artemis.sh", "start");
            assertEquals(0, restarted.exitCode(), restarted.output());
            Sipp.Result r = load.finish(Duration.ofSeconds(120));
            assertEquals(80, r.successfulCalls(), "SIP and charging go on while the broker is down; " + r.summary());
        }
        assertEveryCommittedCdrDeliveredOnce();
    }

    /**
     * The broker already has a CDR the outbox still holds, as after a crash between the broker's commit and the
     * marking of the row: the broker refuses the whole batch transaction (duplicate id), and the relay must send that
     * batch one by one (CDF-047) instead of retrying it for ever, which would stop the outbox. Staged by putting a
     * message with the next CDR's duplicate id on the CDR queue before the call that makes that CDR. Last: the staged
     * message takes the real CDR's place at the broker (it goes to the dead-letter queue as not a CDR).
     */
    @Test
    @Order(3)
    void aBatchTheBrokerRefusesForAKnownCdrIsSentOneByOne() throws Exception {
        String last = cdrIdOfOneCall();
        String prefix = last.substring(0, last.lastIndexOf('-') + 1);
        // One JVM draws CDR numbers from its own block of the sequence, one after the other.
        String next = prefix + (Long.parseLong(last.substring(prefix.length())) + 1);
        java.nio.file.Path broker = sut.runDir.resolve("artemis-broker");
        java.util.Properties admin = new java.util.Properties();
        try (var in = java.nio.file.Files.newBufferedReader(broker.resolve("etc/sipcharge-admin.credentials"))) {
            admin.load(in);
        }
        Processes.Result sent = Processes.run(List.of(broker.resolve("bin/artemis").toString(), "producer",
                        "--url", "tcp://127.0.0.1:" + sut.artemisPort, "--user", admin.getProperty("user"),
                        "--password", admin.getProperty("password"), "--destination", "queue://sipcharge.cdr",
                        "--message-count", "1", "--message", "staged duplicate, not a CDR",
                        "--properties", "[{\"type\":\"string\",\"key\":\"_AMQ_DUPL_ID\",\"value\":\"" + next + "\"}]"),
                Map.of(), sut.runDir.resolve("logs/artemis-producer-" + System.nanoTime() + ".log"), Duration.ofSeconds(60));
        assertEquals(0, sent.exitCode(), sent.output());
        long committed = sut.statusLong("cdr.committed");
        try (Sipp.Running load = Sipp.start(sut.runDir.resolve("sipp/staged-duplicate"), sut.uasPort, sut.sipPort, 1, 200,
                List.of("-sn", "uac"), List.of("-sn", "uas"))) {
            load.finish(Duration.ofSeconds(60));
        }
        Map<String, String> s = Wait.until(Duration.ofSeconds(60), CdrNoLossIT::statusQuietly,
                st -> st.get("cdr.committed") != null && Long.parseLong(st.get("cdr.committed")) > committed
                        && "0".equals(st.get("cdr.outboxBacklog")), "the new CDR committed and the outbox empty again");
        String log = java.nio.file.Files.readString(sut.runDir.resolve("payara6/glassfish/domains/sipcharge/logs/server.log"));
        assertTrue(log.contains("CDF-047 a batch of 1 CDRs (from " + next + ")"),
                "the relay sent the refused batch of " + next + " one by one (CDF-047 in server.log); committed "
                        + s.get("cdr.committed") + ", last CDR at billing before: " + last);
        report("the broker refused the batch holding %s (it had the staged copy); sent one by one, outbox empty", next);
    }

    /** Makes one call and returns its CDR id, the highest-numbered one at the billing simulator once it arrived. */
    private static String cdrIdOfOneCall() throws Exception {
        int before = sut.billingRecords().size();
        try (Sipp.Running load = Sipp.start(sut.runDir.resolve("sipp/before-staging"), sut.uasPort,
                sut.sipPort, 1, 200, List.of("-sn", "uac"), List.of("-sn", "uas"))) {
            load.finish(Duration.ofSeconds(60));
        }
        Wait.until(Duration.ofSeconds(60), CdrNoLossIT::billingRecordCount, n -> n > before, "the call's CDR at billing");
        return sut.billingRecords().stream().map(r -> r[0])
                .max(java.util.Comparator.comparingLong((String id) -> Long.parseLong(id.substring(id.lastIndexOf('-') + 1))))
                .orElseThrow();
    }

    /** Waits for an empty outbox and as many distinct CDR ids at the billing simulator as CDRs committed. */
    private static void assertEveryCommittedCdrDeliveredOnce() throws Exception {
        Map<String, String> s = Wait.until(Duration.ofSeconds(180), CdrNoLossIT::statusQuietly, st -> {
            try {
                return "0".equals(st.get("cdr.outboxBacklog")) && distinctIds(sut.billingRecords()).size()
                        == Long.parseLong(st.get("cdr.committed"));
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }, "every committed CDR at the billing simulator");
        List<String[]> records = sut.billingRecords();
        Set<String> ids = distinctIds(records);
        long flaggedDuplicates = records.stream().filter(r -> "true".equals(r[5])).count();
        report("committed %s, delivered %d distinct CDR ids in %d deliveries (%d redeliveries flagged by the simulator)",
                s.get("cdr.committed"), ids.size(), records.size(), flaggedDuplicates);
        assertEquals(Long.parseLong(s.get("cdr.committed")), ids.size(), "every committed CDR reached billing");
        assertEquals(ids.size(), records.size() - flaggedDuplicates, "each CDR id counted once after de-duplication");
    }

    private static int billingRecordCount() {
        try {
            return sut.billingRecords().size();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Set<String> distinctIds(List<String[]> records) {
        Set<String> ids = new HashSet<>();
        for (String[] r : records) {
            ids.add(r[0]);
        }
        return ids;
    }

    private static Map<String, String> statusQuietly() {
        try {
            return sut.status();
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    private static void report(String format, Object... args) {
        System.out.printf("[no-loss] " + format + "%n", args);
    }
}
