package org.sipcharge.systemtests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The clustered layout on real components: three Payara instances in a deployment group behind Kamailio, SIPp
 * callers that follow Record-Route and Contact (uac-dialog.xml). Calls complete with one CDR each; then the instance
 * that answered most of the running calls is killed with SIGKILL while they are held, and every BYE must still get its
 * 200 (Kamailio sends it to a live instance, which finds the call in Hazelcast) and every call exactly one CDR.
 * Then a rolling restart's step: another instance is stopped cleanly while calls are held, and started again.
 * Prints what it measured (start time, RSS, detection times) to the test's output.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFailoverIT {

    static final int INSTANCES = 3;
    static final int WARMUP_CALLS = 6;
    static final int HELD_CALLS = 9;
    static final int HOLD_MILLIS = 30_000;
    static final int AFTER_RESTART_CALLS = 3;
    /** Acct-Interim-Interval the CDFs ask for: the held calls see about 15 INTERIMs each, the kill among them. */
    static final int INTERVAL_SECONDS = 2;
    /**
     * The CDFs' supervision closes a session silent for this many intervals (20 s). The product's default (3) is for
     * real intervals (minutes); with 2 s it would be 6 s, within the time a partition takes to be detected (Hazelcast's
     * 3 s heartbeat limit, then the takeover), and a held call whose INTERIMs waited that long would be cut in two
     * records (the supervision's, STOP lost, and a continuation).
     */
    static final int SESSION_TIMEOUT_INTERVALS = 10;
    /** The bound: an INTERIM leaves at most 2 s after it was due, also across the kill. */
    static final long MAX_LATENESS_MILLIS = 2_000;

    static ClusterUnderTest cluster;
    static long expectedCdrs;
    static ClusterUnderTest.Instance killed;

    @BeforeAll
    static void startTheCluster() throws Exception {
        long t0 = System.nanoTime();
        cluster = ClusterUnderTest.start("cluster-failover", INSTANCES, "sipcharge.cdf.interim-interval-seconds=" + INTERVAL_SECONDS
                + " sipcharge.cdf.session-timeout-intervals=" + SESSION_TIMEOUT_INTERVALS);
        report("cluster started (DAS, %d instances, Kamailio, Artemis, billing simulator) in %d s", INSTANCES,
                Duration.ofNanos(System.nanoTime() - t0).toSeconds());
        for (ClusterUnderTest.Instance i : cluster.instances) {
            long pid = cluster.pid(i);
            report("%s pid %d RSS %d MB (SIP %d, HTTP %d, CDF %d)", i.name(), pid, ClusterUnderTest.rssMegabytes(pid),
                    i.sipPort(), i.httpPort(), i.cdfPort());
        }
    }

    @AfterAll
    static void stopTheCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void callsThroughTheBalancerCompleteWithOneCdrEach() throws Exception {
        Sipp.Result r = Sipp.calls(cluster.runDir.resolve("sipp/warmup"), cluster.uasPort, cluster.lbPort, WARMUP_CALLS, 1000,
                Sipp.scenarioFile("uac-dialog.xml"), List.of("-sn", "uas"));
        assertEquals(WARMUP_CALLS, r.successfulCalls(), r.summary());
        assertEquals(0, r.failedCalls(), r.summary());
        expectMore(WARMUP_CALLS);
        assertOneCdrPerCall(1000);
    }

    @Test
    @Order(2)
    void killingTheInstanceThatAnsweredTheCallsLosesNoBye() throws Exception {
        Map<String, Long> before = answeredPerInstance();
        java.sql.Timestamp heldFrom = java.sql.Timestamp.from(java.time.Instant.now());
        long killedAtMillis;
        Sipp.Result r;
        try (Sipp.Running calls = Sipp.start(cluster.runDir.resolve("sipp/held"), cluster.uasPort, cluster.lbPort, HELD_CALLS,
                HOLD_MILLIS, Sipp.scenarioFile("uac-dialog.xml"), List.of("-sn", "uas"))) {
            // Every call answered (and charged with an ACR START) before anything dies.
            Map<String, Long> after = Wait.until(Duration.ofSeconds(60), ClusterFailoverIT::answeredPerInstance,
                    m -> m.keySet().stream().mapToLong(k -> m.get(k) - before.get(k)).sum() >= HELD_CALLS, "every held call answered");
            killed = cluster.instances.stream()
                    .max(Comparator.comparingLong(i -> after.get(i.name()) - before.get(i.name()))).orElseThrow();
            long held = after.get(killed.name()) - before.get(killed.name());
            assertTrue(held > 0, "the instance to kill answered calls: " + after);
            String out = cluster.cluster(Duration.ofSeconds(30), "kill-instance", killed.name());
            killedAtMillis = Long.parseLong(out.replaceAll("(?s).*at (\\d+).*", "$1"));
            report("killed %s (answered %d of the %d held calls) at %d", killed.name(), held, HELD_CALLS, killedAtMillis);

            // What the balancer and the grid saw.
            double downAt = Wait.until(Duration.ofSeconds(20), () -> kamailioEvent("DOWN", killed.sipPort()), t -> t > 0,
                    "Kamailio marking " + killed.name() + " inactive");
            report("Kamailio marked %s inactive %d ms after the kill", killed.name(), (long) (downAt * 1000) - killedAtMillis);
            long removedAt = Wait.until(Duration.ofSeconds(90), () -> gridRemoval(killedAtMillis), t -> t > 0,
                    "Hazelcast removing the killed member (DAS server.log)");
            report("Hazelcast removed the member %d ms after the kill (DAS server.log, 'Data Grid Instance Removed')",
                    removedAt - killedAtMillis);

            r = calls.finish(Duration.ofSeconds(HOLD_MILLIS / 1000 + 90));
        }
        assertEquals(HELD_CALLS, r.successfulCalls(), "every held call ended with 200 to its BYE; " + r.summary());
        assertEquals(0, r.failedCalls(), r.summary());
        String lb = Files.readString(cluster.kamailioLog());
        assertTrue(lb.contains("next hop sip:127.0.0.1:" + killed.sipPort() + " is inactive"),
                "Kamailio re-routed in-dialog requests of the killed instance (kamailio.log)");
        expectMore(HELD_CALLS);
        assertOneCdrPerCall(HOLD_MILLIS);
        assertInterimsWithoutGapOrDuplicate(heldFrom, killedAtMillis);
    }

    /**
     * What the CDFs stored (the shared database): every held call's accounting session has START, consecutive
     * INTERIMs and STOP, numbered 0..n without gap or repeat (the unique key would refuse a repeat; a gap would show
     * here), and the INTERIMs kept their rhythm across the kill.
     */
    private static void assertInterimsWithoutGapOrDuplicate(java.sql.Timestamp since, long killedAtMillis) throws Exception {
        long worstAcrossKill = storedRecordsWithoutGapOrDuplicate(since, killedAtMillis, HELD_CALLS, HOLD_MILLIS, "the kill");
        assertTrue(worstAcrossKill <= MAX_LATENESS_MILLIS, "INTERIMs at most 2 s late across the kill: " + worstAcrossKill + " ms");
    }

    /** @return the worst INTERIM spacing beyond the interval across {@code eventAtMillis} */
    private static long storedRecordsWithoutGapOrDuplicate(java.sql.Timestamp since, long killedAtMillis, int expectedSessions,
                                                           int minHoldMillis, String event) throws Exception {
        Map<String, List<Object[]>> sessions = new java.util.TreeMap<>();
        try (java.sql.Connection c = cluster.cdfDatabase();
             java.sql.PreparedStatement q = c.prepareStatement("select SESSION_ID, RECORD_NUMBER, RECORD_TYPE, RECEIVED_AT "
                     + "from ACCOUNTING_RECORD where SESSION_ID in (select SESSION_ID from ACCOUNTING_RECORD "
                     + "where RECORD_TYPE = 'START' and RECEIVED_AT >= ?) order by SESSION_ID, RECORD_NUMBER")) {
            q.setTimestamp(1, since);
            try (java.sql.ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    sessions.computeIfAbsent(rs.getString(1), k -> new java.util.ArrayList<>()).add(new Object[]{
                            rs.getLong(2), rs.getString(3), rs.getObject(4, java.time.OffsetDateTime.class).toInstant()});
                }
            }
        }
        assertEquals(expectedSessions, sessions.size(), () -> "accounting sessions of the held calls: " + sessions.keySet()
                + "; " + sessionsWithoutStop());
        long worstLateness = 0;
        long worstAcrossKill = 0;
        int interims = 0;
        for (Map.Entry<String, List<Object[]>> e : sessions.entrySet()) {
            List<Object[]> recs = e.getValue();
            for (int n = 0; n < recs.size(); n++) {
                assertEquals((long) n, recs.get(n)[0], e.getKey() + ": record numbers 0.." + (recs.size() - 1) + " without gap");
                String expected = n == 0 ? "START" : n == recs.size() - 1 ? "STOP" : "INTERIM";
                assertEquals(expected, recs.get(n)[1], e.getKey() + " record " + n);
            }
            assertTrue(recs.size() - 2 >= (minHoldMillis / 1000) / INTERVAL_SECONDS - 3,
                    e.getKey() + ": about one INTERIM every " + INTERVAL_SECONDS + " s of the " + minHoldMillis + " ms call, got "
                            + (recs.size() - 2));
            interims += recs.size() - 2;
            // Consecutive INTERIMs: the later one was due one interval after the earlier one was due, so their distance
            // beyond the interval is at most the later one's lateness (plus the earlier one's earliness, zero).
            for (int n = 2; n < recs.size() - 1; n++) {
                java.time.Instant prev = (java.time.Instant) recs.get(n - 1)[2];
                java.time.Instant cur = (java.time.Instant) recs.get(n)[2];
                long late = Duration.between(prev, cur).toMillis() - INTERVAL_SECONDS * 1000L;
                worstLateness = Math.max(worstLateness, late);
                if (prev.toEpochMilli() <= killedAtMillis && cur.toEpochMilli() >= killedAtMillis) {
                    worstAcrossKill = Math.max(worstAcrossKill, late);
                }
            }
        }
        report("%d held calls: %d INTERIMs stored, numbered without gap or repeat; worst INTERIM spacing beyond %d s: %d ms "
                + "overall, %d ms across %s", expectedSessions, interims, INTERVAL_SECONDS, worstLateness, worstAcrossKill, event);
        return worstAcrossKill;
    }

    @Test
    @Order(3)
    void theKilledInstanceComesBackAndTakesCallsAgain() throws Exception {
        assertFalse(killed == null, "an instance was killed by the previous test");
        long t0 = System.nanoTime();
        cluster.cluster(Duration.ofMinutes(8), "start-instance", killed.name());
        report("%s restarted and ready in %d s", killed.name(), Duration.ofNanos(System.nanoTime() - t0).toSeconds());
        Wait.until(Duration.ofSeconds(30), () -> kamailioEvent("UP", killed.sipPort()), t -> t > 0,
                "Kamailio marking " + killed.name() + " active again");
        Sipp.Result r = Sipp.calls(cluster.runDir.resolve("sipp/after-restart"), cluster.uasPort, cluster.lbPort,
                AFTER_RESTART_CALLS, 500, Sipp.scenarioFile("uac-dialog.xml"), List.of("-sn", "uas"));
        assertEquals(AFTER_RESTART_CALLS, r.successfulCalls(), r.summary());
        expectMore(AFTER_RESTART_CALLS);
        assertOneCdrPerCall(500);
    }

    /**
     * A rolling restart's step: the instance that answered most of the held calls (not the one killed before) is
     * stopped cleanly while they are held, then started again. Every BYE gets its 200, every call one CDR, the
     * INTERIMs keep their numbers and rhythm across the stop, and calls placed after the restart complete.
     */
    @Test
    @Order(4)
    void aGracefulStopAndRestartOfAnInstanceDropsNoCall() throws Exception {
        Map<String, Long> before = answeredPerInstance();
        java.sql.Timestamp heldFrom = java.sql.Timestamp.from(java.time.Instant.now());
        ClusterUnderTest.Instance stopped;
        long stoppedAtMillis;
        Sipp.Result r;
        try (Sipp.Running calls = Sipp.start(cluster.runDir.resolve("sipp/graceful"), cluster.uasPort, cluster.lbPort, HELD_CALLS,
                HOLD_MILLIS, Sipp.scenarioFile("uac-dialog.xml"), List.of("-sn", "uas"))) {
            Map<String, Long> after = Wait.until(Duration.ofSeconds(60), ClusterFailoverIT::answeredPerInstance,
                    m -> m.keySet().stream().mapToLong(k -> m.get(k) - before.get(k)).sum() >= HELD_CALLS, "every held call answered");
            stopped = cluster.instances.stream().filter(i -> !i.equals(killed))
                    .max(Comparator.comparingLong(i -> after.get(i.name()) - before.get(i.name()))).orElseThrow();
            long held = after.get(stopped.name()) - before.get(stopped.name());
            stoppedAtMillis = System.currentTimeMillis();
            cluster.cluster(Duration.ofMinutes(2), "stop-instance", stopped.name());
            report("stopped %s cleanly in %d ms (it answered %d of the %d held calls)", stopped.name(),
                    System.currentTimeMillis() - stoppedAtMillis, held, HELD_CALLS);
            r = calls.finish(Duration.ofSeconds(HOLD_MILLIS / 1000 + 90));
        }
        assertEquals(HELD_CALLS, r.successfulCalls(), "every held call ended with 200 to its BYE; " + r.summary());
        assertEquals(0, r.failedCalls(), r.summary());
        expectMore(HELD_CALLS);
        assertOneCdrPerCall(HOLD_MILLIS);
        assertInterimsWithoutGapOrDuplicate(heldFrom, stoppedAtMillis);

        long t0 = System.nanoTime();
        cluster.cluster(Duration.ofMinutes(8), "start-instance", stopped.name());
        report("%s started again and ready in %d s", stopped.name(), Duration.ofNanos(System.nanoTime() - t0).toSeconds());
        Sipp.Result after = Sipp.calls(cluster.runDir.resolve("sipp/after-graceful"), cluster.uasPort, cluster.lbPort,
                AFTER_RESTART_CALLS, 500, Sipp.scenarioFile("uac-dialog.xml"), List.of("-sn", "uas"));
        assertEquals(AFTER_RESTART_CALLS, after.successfulCalls(), after.summary());
        expectMore(AFTER_RESTART_CALLS);
        assertOneCdrPerCall(500);
    }

    /**
     * A network partition of the grid: the instance that answered most of the held calls is cut off from the other
     * members' Hazelcast traffic (nftables on its ports and its cgroup; SIP, Diameter, JMS and the database still
     * flow). Calls of a first batch end while it lasts, those of a second batch after it healed. The cut instance sees
     * no majority: it sends no record and answers SIP with 503, so Kamailio takes it out and the majority carries every
     * call. After the heal and Hazelcast's merge: every BYE answered 200, one CDR per call, every session's records
     * START, consecutive INTERIMs, STOP, no CDF ever got a record number twice without the T flag (no duplicate
     * INTERIM), and no session stopped during the split came back to life with the merge.
     */
    @Test
    @Order(5)
    void aNetworkPartitionLosesNoSessionAndDuplicatesNoInterim() throws Exception {
        int endDuring = 6;
        int endAfter = HELD_CALLS;
        int holdDuring = 16_000;
        int holdAfter = 60_000;
        Map<String, Long> before = answeredPerInstance();
        long unflaggedBefore = sumOverInstances("acr.duplicatesWithoutTFlag");
        java.sql.Timestamp heldFrom = java.sql.Timestamp.from(java.time.Instant.now());
        ClusterUnderTest.Instance cut;
        long cutAt;
        long healedAt;
        Sipp.Result during;
        Sipp.Result after;
        try (Sipp.Running late = Sipp.start(cluster.runDir.resolve("sipp/partition-after"), cluster.uasPort, cluster.lbPort,
                endAfter, holdAfter, Sipp.scenarioFile("uac-dialog.xml"), List.of("-sn", "uas"));
             Sipp.Running early = Sipp.startUac(cluster.runDir.resolve("sipp/partition-during"), cluster.lbPort, endDuring,
                     holdDuring, Sipp.scenarioFile("uac-dialog.xml"))) {
            Map<String, Long> answered = Wait.until(Duration.ofSeconds(60), ClusterFailoverIT::answeredPerInstance,
                    m -> m.keySet().stream().mapToLong(k -> m.get(k) - before.get(k)).sum() >= endDuring + endAfter,
                    "every held call answered");
            cut = cluster.instances.stream().max(Comparator.comparingLong(i -> answered.get(i.name()) - before.get(i.name())))
                    .orElseThrow();
            String out = cluster.cluster(Duration.ofSeconds(60), "partition", cut.name());
            cutAt = Long.parseLong(out.replaceAll("(?s).*at (\\d+);.*", "$1"));
            report("%s", out.trim().substring(out.trim().lastIndexOf('\n') + 1));
            ClusterUnderTest.Instance cutInstance = cut;
            double downAt = Wait.until(Duration.ofSeconds(30), () -> kamailioEvent("DOWN", cutInstance.sipPort()),
                    t -> t * 1000 > cutAt, "Kamailio taking out the cut instance (it answers 503 without a majority)");
            report("the cut instance lost its majority and Kamailio took it out %d ms after the cut", (long) (downAt * 1000) - cutAt);
            during = early.finish(Duration.ofSeconds(holdDuring / 1000 + 60));
            report("%d calls ended during the partition: %s", endDuring, during.summary());
            healedAt = Long.parseLong(cluster.cluster(Duration.ofSeconds(30), "heal").replaceAll("(?s).*at (\\d+).*", "$1"));
            report("healed %d ms after the cut", healedAt - cutAt);
            long mergedAt = Wait.until(Duration.ofSeconds(60), () -> cluster.status(cutInstance).getOrDefault("acr.sessions.store", "")
                            .contains(", " + (INSTANCES + 1) + " members") ? System.currentTimeMillis() : 0L, t -> t > 0,
                    "the cut instance back in one grid with the DAS and the others (Hazelcast's split-brain merge)");
            report("the cut instance was back in the grid %d ms after the heal", mergedAt - healedAt);
            double upAt = Wait.until(Duration.ofSeconds(30), () -> kamailioEvent("UP", cutInstance.sipPort()),
                    t -> t * 1000 > healedAt, "Kamailio taking the merged instance back");
            report("Kamailio took it back %d ms after the heal", (long) (upAt * 1000) - healedAt);
            after = late.finish(Duration.ofSeconds(holdAfter / 1000 + 90));
        }
        assertEquals(endDuring, during.successfulCalls(), "calls ended during the partition: every BYE 200; " + during.summary());
        assertEquals(endAfter, after.successfulCalls(), "calls ended after the heal: every BYE 200; " + after.summary());
        assertEquals(0, during.failedCalls() + after.failedCalls());
        expectedCdrs += endDuring + endAfter;
        lastBatch = endAfter; // the newest CDRs: those of the calls that ended last
        assertOneCdrPerCall(holdAfter);
        storedRecordsWithoutGapOrDuplicate(heldFrom, cutAt, endDuring + endAfter, holdDuring, "the partition");
        assertEquals(unflaggedBefore, sumOverInstances("acr.duplicatesWithoutTFlag"),
                "no record number reached a CDF twice without the T flag (CDF-023): no side of the split sent an INTERIM "
                        + "the other had sent");
        String cutLog = Files.readString(cluster.instanceLog(cut));
        assertTrue(cutLog.contains("RF-036"), "the cut instance logged that it held back its records (RF-036)");
        assertTrue(cutLog.contains("SIP-285"), "the cut instance logged that it refused SIP without a majority (SIP-285)");
        long dropped = 0;
        for (ClusterUnderTest.Instance i : cluster.instances) {
            dropped += Pattern.compile("RF-040").matcher(Files.readString(cluster.instanceLog(i))).results().count();
        }
        report("stale copies of sessions stopped during the split, dropped after the merge (RF-040): %d", dropped);
        // Nothing lingers: every accounting session of the grid ended (a stale copy would stay or send INTERIMs).
        Wait.until(Duration.ofSeconds(30), () -> cluster.statusLong(cluster.instances.get(0), "acr.activeSessions"), n -> n == 0,
                "no accounting session left in the grid after every call ended");
    }

    /**
     * The callee ends the calls after the instance that set them up died: its BYE follows the route set of its dialog
     * (the B2BUA sends its legs towards callees through Kamailio, which record-routes them), so Kamailio sends it to a
     * live instance, which finds the call in the grid, answers 200, relays the BYE to the caller and sends STOP.
     */
    @Test
    @Order(6)
    void theCalleeHangsUpAfterTheInstanceThatSetUpTheCallDied() throws Exception {
        int calls = 6;
        int hold = 15_000; // the callee scenario (uas-hangs-up.xml) holds each call 15 s
        Map<String, Long> before = answeredPerInstance();
        java.sql.Timestamp heldFrom = java.sql.Timestamp.from(java.time.Instant.now());
        long killedAt;
        Sipp.Result r;
        try (Sipp.Running running = Sipp.start(cluster.runDir.resolve("sipp/callee-hangs-up"), cluster.uasPort, cluster.lbPort,
                calls, hold, Sipp.scenarioFile("uac-callee-hangs-up.xml"), Sipp.scenarioFile("uas-hangs-up.xml"))) {
            Map<String, Long> answered = Wait.until(Duration.ofSeconds(60), ClusterFailoverIT::answeredPerInstance,
                    m -> m.keySet().stream().mapToLong(k -> m.get(k) - before.get(k)).sum() >= calls, "every call answered");
            ClusterUnderTest.Instance victim = cluster.instances.stream()
                    .max(Comparator.comparingLong(i -> answered.get(i.name()) - before.get(i.name()))).orElseThrow();
            String out = cluster.cluster(Duration.ofSeconds(30), "kill-instance", victim.name());
            killedAt = Long.parseLong(out.replaceAll("(?s).*at (\\d+).*", "$1"));
            report("killed %s, which set up %d of the %d calls; their callees hang up after %d ms", victim.name(),
                    answered.get(victim.name()) - before.get(victim.name()), calls, hold);
            r = running.finish(Duration.ofSeconds(hold / 1000 + 90));
        }
        assertEquals(calls, r.successfulCalls(), "every caller got the callee's BYE (relayed by a live instance); " + r.summary());
        assertEquals(0, r.failedCalls(), r.summary());
        String lb = Files.readString(cluster.kamailioLog());
        // The callee's leg has the B2BUA's Call-ID (prefix b2b-): its BYE reached Kamailio and went to a live instance.
        assertTrue(Pattern.compile("BYE of call b2b-[^:]*: next hop \\S+ is inactive, sent to").matcher(lb).find(),
                "Kamailio re-routed a callee's BYE away from the killed instance (kamailio.log)");
        expectMore(calls);
        assertOneCdrPerCall(hold);
        storedRecordsWithoutGapOrDuplicate(heldFrom, killedAt, calls, hold, "the kill");
    }

    private static long sumOverInstances(String key) {
        long sum = 0;
        for (ClusterUnderTest.Instance i : cluster.instances) {
            sum += cluster.statusLong(i, key);
        }
        return sum;
    }

    // ------------------------------------------------------------------ helpers

    /**
     * For a failure's message: every accounting session in the database without a STOP record, with the SIP call it
     * charges (User-Session-Id), the CTF that opened it and its records, so that a session that should not exist (a
     * second START for one call) can be told from a call whose STOP was lost.
     */
    private static String sessionsWithoutStop() {
        StringBuilder b = new StringBuilder("sessions without STOP in the CDFs' database:");
        try (java.sql.Connection c = cluster.cdfDatabase();
             java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("select s.SESSION_ID, s.USER_SESSION_ID, s.ORIGIN_HOST, s.STATE, s.STOP_LOST, "
                     + "r.RECORD_NUMBER, r.RECORD_TYPE, r.RECEIVED_AT from ACCOUNTING_SESSION s left join ACCOUNTING_RECORD r "
                     + "on r.SESSION_ID = s.SESSION_ID where not exists (select 1 from ACCOUNTING_RECORD x "
                     + "where x.SESSION_ID = s.SESSION_ID and x.RECORD_TYPE = 'STOP') order by s.SESSION_ID, r.RECORD_NUMBER")) {
            String last = null;
            while (rs.next()) {
                if (!rs.getString(1).equals(last)) {
                    last = rs.getString(1);
                    b.append("\n  ").append(last).append(" call ").append(rs.getString(2)).append(" from ").append(rs.getString(3))
                            .append(' ').append(rs.getString(4)).append(rs.getBoolean(5) ? " (closed as STOP lost)" : "").append(':');
                }
                if (rs.getString(7) != null) { // a session row without any record: the left join's empty side
                    b.append(' ').append(rs.getString(7)).append(' ').append(rs.getLong(6)).append('@').append(rs.getString(8));
                }
            }
        } catch (IOException | java.sql.SQLException | RuntimeException e) {
            b.append(" (not readable: ").append(e).append(')');
        }
        return b.toString();
    }

    /** Waits for exactly the expected number of CDRs at the billing simulator, none twice, the newest with the hold time. */
    private static void assertOneCdrPerCall(int holdMillis) throws Exception {
        List<String[]> records = Wait.until(Duration.ofSeconds(90), () -> {
            try {
                return cluster.billingRecords();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, l -> l.size() >= expectedCdrs, expectedCdrs + " CDRs at the billing simulator");
        assertEquals(expectedCdrs, records.size(), "one CDR per call at the billing simulator");
        Set<String> ids = new HashSet<>();
        for (String[] rec : records) {
            // received.tsv: cdrId, callingParty, calledParty, durationMillis, localSequenceNumber, duplicate, epoch,
            // recordSequenceNumber, lost ACRs (incomplete-CDR-Indication)
            assertTrue(ids.add(rec[0]), "CDR delivered twice: " + rec[0]);
            assertEquals("false", rec[5], "duplicate flagged by the billing simulator: " + String.join(" ", rec));
            assertEquals("-", rec[8], () -> "every session of these calls sent START and STOP, so no CDR is incomplete; 'stop' "
                    + "means a CDF's supervision closed a session that sent nothing for a while (CDF-030 in the instances' logs): "
                    + String.join(" ", rec) + "; " + sessionsWithoutStop());
        }
        // The CDRs of the calls just made carry their hold time, also those closed by another instance than the one
        // that opened them (the shared CDF database holds the START).
        List<String[]> newest = records.subList(records.size() - (int) Math.min(records.size(), lastBatch()), records.size());
        for (String[] rec : newest) {
            long duration = Long.parseLong(rec[3]);
            assertTrue(duration >= holdMillis - 100 && duration <= holdMillis + 5000,
                    "duration " + duration + " ms of " + rec[0] + " should match the hold time of " + holdMillis + " ms: "
                            + String.join(" ", rec));
        }
    }

    /** Calls of the newest batch (their CDRs are the newest records), set with each addition to expectedCdrs. */
    private static long lastBatch;

    private static long lastBatch() {
        return lastBatch;
    }

    private static void expectMore(long calls) {
        expectedCdrs += calls;
        lastBatch = calls;
    }

    private static Map<String, Long> answeredPerInstance() {
        Map<String, Long> m = new java.util.HashMap<>();
        for (ClusterUnderTest.Instance i : cluster.instances) {
            try {
                m.put(i.name(), cluster.statusLong(i, "calls.answered"));
            } catch (RuntimeException e) {
                m.put(i.name(), 0L); // a dead instance answers nothing
            }
        }
        return m;
    }

    private static final Pattern LB_EVENT = Pattern.compile("sipcharge-lb t=(\\d+\\.\\d+) instance (UP|DOWN) sip:127\\.0\\.0\\.1:(\\d+)");

    /** Time (epoch seconds) of the latest Kamailio UP/DOWN event for a SIP port, 0 when there is none. */
    private static double kamailioEvent(String kind, int sipPort) {
        try {
            double last = 0;
            Matcher m = LB_EVENT.matcher(Files.readString(cluster.kamailioLog()));
            while (m.find()) {
                if (m.group(2).equals(kind) && Integer.parseInt(m.group(3)) == sipPort) {
                    last = Double.parseDouble(m.group(1));
                }
            }
            return last;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final Pattern GRID_REMOVED = Pattern.compile("\\[timeMillis: (\\d+)\\][^\\n]*\\n\\s*Data Grid Instance Removed");

    /** Time (epoch ms) at which the DAS logged a member removal after the kill, 0 when not yet. */
    private static long gridRemoval(long afterMillis) {
        try {
            Matcher m = GRID_REMOVED.matcher(Files.readString(cluster.dasLog()));
            List<Long> times = new ArrayList<>();
            while (m.find()) {
                times.add(Long.parseLong(m.group(1)));
            }
            OptionalLong first = times.stream().mapToLong(Long::longValue).filter(t -> t >= afterMillis).min();
            return first.orElse(0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void report(String format, Object... args) {
        System.out.println("[cluster-measure] " + String.format(format, args));
    }
}
