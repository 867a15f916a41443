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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secondary-CDF failover (RFC 6733 5.5.4, TS 32.299 6.1.2): the CTF's primary CDF is reached through a TCP path the
 * test breaks while SIPp calls run; its secondary is a second path to the same deployed CDF. Three ways the primary
 * fails: the path drops its connections, it turns into a black hole (bytes taken, never answered: the request
 * timeout and the T-flag retransmission to the secondary are the only way out), and it loses only the answers (the
 * CDF has committed the first copy, so the retransmission must be recognised as a duplicate). Each time: every call
 * gets exactly one CDR at the billing simulator, nothing goes to the durable buffer while the secondary is up, and
 * the failover time is reported.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CdfFailoverIT {

    static final int CALLS = 30;
    static final int HOLD_MILLIS = 1000;
    /** ACA wait of the CTF, shortened from 5 s so that the black-hole runs stay short. */
    static final int REQUEST_TIMEOUT_MILLIS = 2000;

    static SystemUnderTest sut;
    static TcpForwarder primary;
    static TcpForwarder secondary;

    @BeforeAll
    static void startTheProductWithTwoPathsToTheCdf() throws Exception {
        int primaryPort = FreePorts.tcpAndUdp();
        int secondaryPort = FreePorts.tcpAndUdp();
        sut = SystemUnderTest.prepare("cdf-failover",
                "sipcharge.ctf.cdf-secondary-host=127.0.0.1 sipcharge.ctf.cdf-secondary-port=" + secondaryPort
                        + " sipcharge.ctf.request-timeout-ms=" + REQUEST_TIMEOUT_MILLIS,
                Map.of("SIPCHARGE_CTF_CDF_PORT", Integer.toString(primaryPort)));
        primary = new TcpForwarder(primaryPort, sut.diameterPort);
        secondary = new TcpForwarder(secondaryPort, sut.diameterPort);
        primary.start();
        secondary.start();
        sut.launch();
        awaitBothCdfConnectionsOpen();
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (primary != null) {
            primary.close();
        }
        if (secondary != null) {
            secondary.close();
        }
        if (sut != null) {
            sut.close();
        }
    }

    @Test
    @Order(1)
    void primaryPathDroppingItsConnectionsFailsOverToTheSecondary() throws Exception {
        run("connections dropped", primary::stop, false);
        primary.start();
        awaitBothCdfConnectionsOpen();
    }

    @Test
    @Order(2)
    void blackHoledPrimaryIsLeftByRequestTimeoutAndRetransmissionToTheSecondary() throws Exception {
        Figures f = run("black hole", () -> primary.mode(TcpForwarder.Mode.BLACK_HOLE), true);
        // Nothing reached the CDF through the black hole: only an ACR already delivered when the hole opened (its
        // answer swallowed) can come back as a duplicate, so most retransmissions are first copies at the CDF.
        assertTrue(f.duplicates() < f.retransmissions() / 2, "duplicates at the CDF: " + f);
        restorePrimary();
    }

    @Test
    @Order(3)
    void answersLostOnThePrimaryAreRetransmittedAndRecognisedAsDuplicates() throws Exception {
        Figures f = run("answers lost", () -> primary.mode(TcpForwarder.Mode.DROP_REPLIES), true);
        // The CDF committed the first copies; the T-flag copies through the secondary were answered 2001 as duplicates.
        assertTrue(f.duplicates() > 0, "retransmitted records recognised as duplicates: " + f);
        restorePrimary();
    }

    record Figures(long failoverMillis, long retransmissions, long duplicates, long bytesViaSecondary) {
    }

    /**
     * SIPp calls; once some of their ACRs were answered through the primary, {@code cut} breaks it. Checks the
     * outcome and returns the figures of the run.
     */
    private Figures run(String variant, Runnable cut, boolean retransmissionsExpected) throws Exception {
        int billingBefore = sut.billingRecords().size();
        long bufferedBefore = sut.statusLong("acr.bufferedAtClient");
        long retransmittedBefore = sut.statusLong("acr.retransmittedAtClient");
        long duplicatesBefore = sut.statusLong("acr.duplicates");
        long errorsBefore = sut.statusLong("acr.answeredError");
        long okBefore = sut.statusLong("acr.answeredOkAtClient");

        CompletableFuture<Sipp.Result> calls = CompletableFuture.supplyAsync(() -> {
            try {
                return Sipp.calls(sut, CALLS, HOLD_MILLIS, "failover-" + variant.replace(' ', '-'));
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        // Mid-run: a few calls are charged through the primary before it fails.
        Wait.until(Duration.ofSeconds(30), () -> sut.statusLong("acr.answeredOkAtClient"), n -> n >= okBefore + 6,
                "the first ACRs answered through the primary");
        long okAtCut = sut.statusLong("acr.answeredOkAtClient");
        long secondaryRepliesAtCut = secondary.bytesFromTarget();
        long secondaryBytesAtCut = secondary.bytesToTarget();
        long tCut = System.nanoTime();
        cut.run();
        // Failover time: from the cut to the first ACA that came back through the secondary.
        Wait.until(Duration.ofSeconds(30),
                () -> sut.statusLong("acr.answeredOkAtClient") > okAtCut && secondary.bytesFromTarget() > secondaryRepliesAtCut,
                Boolean::booleanValue, "an ACA through the secondary CDF path");
        long failoverMillis = (System.nanoTime() - tCut) / 1_000_000;

        Sipp.Result result = calls.join();
        assertEquals(CALLS, result.successfulCalls(), "SIP is not held up by the failover; " + result.summary());
        List<String[]> records = Wait.until(Duration.ofSeconds(90), () -> {
            try {
                return sut.billingRecords();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, r -> r.size() >= billingBefore + CALLS, CALLS + " more CDRs at the billing simulator");
        // Everything answered: nothing left in flight that could still add a CDR.
        Wait.until(Duration.ofSeconds(30), () -> sut.statusLong("acr.activeSessions"), n -> n == 0, "no open accounting session");
        Wait.until(Duration.ofSeconds(30), () -> sut.statusLong("cdr.outboxBacklog"), n -> n == 0, "an empty outbox");
        records = sut.billingRecords();
        assertEquals(billingBefore + CALLS, records.size(), "exactly one CDR per call");
        Set<String> ids = new HashSet<>();
        for (String[] r : records.subList(billingBefore, records.size())) {
            assertTrue(ids.add(r[0]), "CDR delivered twice: " + r[0]);
            assertEquals("false", r[5], "duplicate flagged by the billing simulator: " + String.join(" ", r));
            assertTrue(r[1].startsWith("sip:sipp@") && r[2].startsWith("sip:service@"), String.join(" ", r));
        }
        // The secondary answered: no record went to the durable buffer, none was refused.
        assertEquals(bufferedBefore, sut.statusLong("acr.bufferedAtClient"), "ACRs buffered while the secondary was up");
        assertEquals(0, sut.statusLong("acr.bufferBacklog"), "durable buffer backlog");
        assertEquals(errorsBefore, sut.statusLong("acr.answeredError"), "ACRs refused by the CDF");
        long bytesViaSecondary = secondary.bytesToTarget() - secondaryBytesAtCut;
        assertTrue(bytesViaSecondary > 0, "the secondary path carried the ACRs after the cut");

        long retransmissions = sut.statusLong("acr.retransmittedAtClient") - retransmittedBefore;
        if (retransmissionsExpected) {
            assertTrue(retransmissions > 0, "ACRs retransmitted (T flag) to the secondary after timing out on the primary");
        }
        Figures f = new Figures(failoverMillis, retransmissions, sut.statusLong("acr.duplicates") - duplicatesBefore, bytesViaSecondary);
        System.out.printf("[CdfFailoverIT] %s: first ACA through the secondary %d ms after the cut; %d retransmissions, "
                        + "%d duplicates at the CDF, %d bytes to the CDF via the secondary path, %d calls, %d CDRs%n",
                variant, f.failoverMillis(), f.retransmissions(), f.duplicates(), f.bytesViaSecondary(), CALLS, CALLS);
        return f;
    }

    /** A black-holed or half-dropping path has lost framing: reset it, as a repaired route would. */
    private static void restorePrimary() throws Exception {
        primary.stop();
        primary.start();
        awaitBothCdfConnectionsOpen();
    }

    private static void awaitBothCdfConnectionsOpen() throws InterruptedException {
        // RfClient.peerState(): primary and secondary states; the reconnect backoff reaches 30 s at most.
        Wait.until(Duration.ofSeconds(90), () -> sut.status().get("diameter.rf.peerState"), "OPEN,OPEN"::equals,
                "both CDF connections open");
    }
}
