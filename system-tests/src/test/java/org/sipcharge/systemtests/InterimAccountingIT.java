package org.sipcharge.systemtests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interim accounting on one server, with the Rf client charging against the CDF's TLS listener (RFC 6733 13,
 * mutual authentication with key stores made for this run): the CDF asks for an INTERIM every 2 s in its ACA (Acct-Interim-Interval,
 * RFC 6733 9.8.2), the Rf client's timer (data in the replicated store, fired by the scan of the member owning the
 * session) sends them, and STOP ends each session and cancels its timer. Calls hold 7 s: INTERIMs fall due at 2, 4
 * and 6 s after the START's answer, a second clear of the BYE on both sides.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InterimAccountingIT {

    static final int CALLS = 5;
    static final int HOLD_MILLIS = 7_000;
    static final int INTERIMS_PER_CALL = 3;

    static SystemUnderTest sut;
    static int tlsPort;

    @BeforeAll
    static void startWithTls() throws Exception {
        TestKeys keys = TestKeys.selfTrusting(Path.of("target", "e2e-keys", "interim").toAbsolutePath(), "node");
        tlsPort = FreePorts.tcpAndUdp();
        String tls = String.join(" ",
                "sipcharge.cdf.tls.listen-port=" + tlsPort,
                "sipcharge.cdf.tls.keystore=" + keys.keyStore, "sipcharge.cdf.tls.keystore-password=" + keys.password,
                "sipcharge.cdf.tls.truststore=" + keys.trustStore, "sipcharge.cdf.tls.truststore-password=" + keys.password,
                "sipcharge.ctf.cdf-tls=true",
                "sipcharge.ctf.tls.keystore=" + keys.keyStore, "sipcharge.ctf.tls.keystore-password=" + keys.password,
                "sipcharge.ctf.tls.truststore=" + keys.trustStore, "sipcharge.ctf.tls.truststore-password=" + keys.password);
        // Partial records after 4 INTERIMs: the SIPp calls send 3 (one record each), the raw session of test 4 sends 9.
        sut = SystemUnderTest.prepare("interim", "sipcharge.cdf.interim-interval-seconds=2 sipcharge.cdf.partial.max-interims=4 " + tls,
                Map.of("SIPCHARGE_CTF_CDF_PORT", Integer.toString(tlsPort)));
        sut.launch();
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (sut != null) {
            sut.close();
        }
    }

    @Test
    @Order(1)
    void interimsFollowTheAcaIntervalWithoutGapAndStopCancelsTheTimer() throws Exception {
        assertTrue(sut.status().get("diameter.rf.peer").startsWith("tls 127.0.0.1:" + tlsPort), "the CTF charges over TLS: "
                + sut.status().get("diameter.rf.peer"));
        CompletableFuture<Sipp.Result> calls = CompletableFuture.supplyAsync(() -> {
            try {
                return Sipp.calls(sut, CALLS, HOLD_MILLIS, "interim");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // Mid-call: every session is open, with its timer armed, and INTERIMs are going out.
        Wait.until(Duration.ofSeconds(30), () -> sut.status(),
                s -> s.get("acr.activeSessions").equals(Integer.toString(CALLS)) && s.get("acr.sessions.timersArmed").equals(Integer.toString(CALLS)),
                CALLS + " accounting sessions with their timers armed");
        Wait.until(Duration.ofSeconds(10), () -> sut.statusLong("acr.recorded.interim"), n -> n >= CALLS,
                "the first round of INTERIMs at the CDF");

        Sipp.Result result = calls.get();
        assertEquals(CALLS, result.successfulCalls(), result.summary());
        List<String[]> records = Wait.until(Duration.ofSeconds(60), () -> {
            try {
                return sut.billingRecords();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, r -> r.size() >= CALLS, CALLS + " CDRs at the billing simulator");
        Wait.until(Duration.ofSeconds(20), () -> sut.status(),
                s -> s.get("acr.activeSessions").equals("0") && s.get("acr.sessions.timersArmed").equals("0"),
                "every session closed and its timer cancelled by STOP");

        Map<String, String> s = sut.status();
        assertEquals(Long.toString(CALLS), s.get("acr.recorded.start"), "START per call: " + s);
        assertEquals(Long.toString((long) CALLS * INTERIMS_PER_CALL), s.get("acr.recorded.interim"),
                INTERIMS_PER_CALL + " INTERIMs per call of " + HOLD_MILLIS + " ms at a 2 s interval: " + s);
        assertEquals(Long.toString(CALLS), s.get("acr.recorded.stop"), "STOP per call: " + s);
        assertEquals("0", s.get("acr.outOfSequence"), "every record number follows the last of its session (no gap)");
        assertEquals("0", s.get("acr.duplicates"), "no record sent twice");
        assertEquals("0", s.get("acr.answeredError"));
        assertEquals(Long.toString((long) CALLS * INTERIMS_PER_CALL), s.get("acr.interims.sent"));
        long lateP99 = Long.parseLong(s.get("acr.interims.lateP99Ms"));
        System.out.printf("interim lateness on one server, %d calls, 2 s interval, 200 ms scan: p50 <= %s ms, p99 <= %d ms, max %s ms%n",
                CALLS, s.get("acr.interims.lateP50Ms"), lateP99, s.get("acr.interims.lateMaxMs"));
        assertTrue(lateP99 < 2_000, "INTERIMs at most 2 s late: p99 " + lateP99 + " ms");

        assertEquals(CALLS, records.size(), "one CDR per call");
        Set<String> ids = new HashSet<>();
        for (String[] r : records) {
            assertTrue(ids.add(r[0]), "CDR delivered twice: " + r[0]);
            long duration = Long.parseLong(r[3]);
            assertTrue(duration >= HOLD_MILLIS - 100 && duration <= HOLD_MILLIS + 1_500,
                    "duration from START to STOP, INTERIMs do not shorten it: " + String.join(" ", r));
        }

        // The admin view of one session: unknown keys get a 404 with the reason, bad keys a 400.
        assertEquals(404, sut.httpGetStatusCode("/sipcharge/api/sessions/no-such-call"));
        assertTrue(sut.httpGet("/sipcharge/api/sessions/no-such-call").contains("no active accounting session"));
        assertEquals(400, sut.httpGetStatusCode("/sipcharge/api/sessions/" + "x".repeat(600)));
    }

    @Test
    @Order(2)
    void theTlsListenerClosesAPlainTcpPeerWithoutADiameterAnswer() throws Exception {
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), tlsPort)) {
            plain.setSoTimeout(15_000);
            // A CER header in clear: not a TLS record, so the handshake fails and the server hangs up.
            plain.getOutputStream().write(new byte[]{1, 0, 0, 20, (byte) 0x80, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1});
            plain.getOutputStream().flush();
            InputStream in = plain.getInputStream();
            byte[] got = in.readNBytes(4096); // until the server closes; a timeout here would be a hang
            assertTrue(got.length == 0 || got[0] != 1, "no Diameter message in reply, at most a TLS alert: " + got.length + " bytes");
        }
        assertEquals("true", sut.status().get("diameter.rf.peerOpen"), "the TLS peer stays up meanwhile");
    }

    @Test
    @Order(3)
    void aSessionThatFallsSilentIsClosedByTheCdfWithAnIncompleteCdr() throws Exception {
        long closedBefore = sut.statusLong("acr.sessionsClosedSilent");
        int billedBefore = sut.billingRecords().size();
        // A CTF that sends START and then dies: no INTERIM, no STOP.
        try (RawDiameterPeer peer = new RawDiameterPeer(sut.diameterPort)) {
            DiameterMessage aca = peer.exchange(RawDiameterPeer.acr("raw;silent;1",
                    Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, 2),
                    Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, 0)));
            assertEquals(2001, aca.resultCode(), "START: " + aca);
            assertEquals(2L, aca.avp(DiameterConstants.AVP_ACCT_INTERIM_INTERVAL).map(Avp::asUnsigned32).orElse(-1L),
                    "the ACA asks for an INTERIM every 2 s");
        }
        long started = System.nanoTime();
        // Three intervals (6 s) of silence, found by a pass that runs every second.
        Wait.until(Duration.ofSeconds(30), () -> sut.statusLong("acr.sessionsClosedSilent"), n -> n == closedBefore + 1,
                "the silent session closed by the CDF's supervision");
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertTrue(seconds >= 5, "not before three intervals of silence: " + seconds + " s");
        List<String[]> billed = Wait.until(Duration.ofSeconds(30), () -> {
            try {
                return sut.billingRecords();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, r -> r.size() == billedBefore + 1, "its incomplete CDR at the billing system");
        assertEquals(billedBefore + 1, billed.size());
        // received.tsv column 9: the incomplete-CDR indication. START came, STOP never did: aCRStopLost only.
        assertEquals("stop", billed.get(billed.size() - 1)[8], "incomplete-CDR indication of " + String.join(" ", billed.get(billed.size() - 1)));
    }

    /**
     * Partial records (issue 5): with {@code sipcharge.cdf.partial.max-interims=4}, a session of START, 9 INTERIMs
     * (every 2 s by their Event-Timestamps) and STOP gives three CDRs: recordSequenceNumber 1 and 2 closed at INTERIMs
     * 4 and 8 (closure cause time limit), 3 at STOP (normal release); each covers only its part and the parts add up
     * to the call. A retransmitted INTERIM (T flag) does not close a record twice.
     */
    @Test
    @Order(4)
    void interimsClosePartialRecordsWithIncreasingRecordSequenceNumbers() throws Exception {
        int billedBefore = sut.billingRecords().size();
        java.time.Instant t0 = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String session = "raw;partial;" + System.nanoTime();
        try (RawDiameterPeer peer = new RawDiameterPeer(sut.diameterPort)) {
            for (int n = 0; n <= 10; n++) {
                int type = n == 0 ? 2 : n == 10 ? 4 : 3;
                java.time.Instant at = t0.plusSeconds(2L * n);
                DiameterMessage aca = peer.exchange(RawDiameterPeer.acr(session,
                        Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, type),
                        Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, n),
                        Avp.time(DiameterConstants.AVP_EVENT_TIMESTAMP, 0, true, at)));
                assertEquals(2001, aca.resultCode(), "record " + n + ": " + aca);
                if (n == 4) {
                    // The same INTERIM again (a retransmission): a duplicate, not a second closure.
                    DiameterMessage again = peer.exchange(RawDiameterPeer.acr(session,
                            Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, type),
                            Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, n),
                            Avp.time(DiameterConstants.AVP_EVENT_TIMESTAMP, 0, true, at)));
                    assertEquals(2001, again.resultCode());
                }
            }
        }
        List<String[]> billed = Wait.until(Duration.ofSeconds(60), () -> {
            try {
                return sut.billingRecords();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, r -> r.size() >= billedBefore + 3, "three records of the session at the billing system");
        List<String[]> mine = billed.subList(billedBefore, billed.size());
        assertEquals(3, mine.size(), "two partial records and the last one: " + mine.size());
        // received.tsv: cdrId, callingParty, calledParty, durationMillis, localSequenceNumber, duplicate, epoch, recordSequenceNumber
        mine = new java.util.ArrayList<>(mine);
        mine.sort(java.util.Comparator.comparingLong(r -> Long.parseLong(r[7])));
        long total = 0;
        for (int i = 0; i < 3; i++) {
            assertEquals(Integer.toString(i + 1), mine.get(i)[7], "recordSequenceNumber of " + String.join(" ", mine.get(i)));
            total += Long.parseLong(mine.get(i)[3]);
        }
        assertEquals(8_000, Long.parseLong(mine.get(0)[3]), "the first partial: START to INTERIM 4");
        assertEquals(8_000, Long.parseLong(mine.get(1)[3]), "the second: INTERIM 4 to INTERIM 8");
        assertEquals(4_000, Long.parseLong(mine.get(2)[3]), "the last: INTERIM 8 to STOP");
        assertEquals(20_000, total, "the parts add up to the session");
    }
}
