package org.sipcharge.systemtests;

import org.junit.jupiter.api.AfterAll;
import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walking skeleton on the real components: SIPp UAC -> B2BUA in Payara -> SIPp UAS, Diameter Rf to the CDF,
 * CDR committed in H2, Artemis queue, billing connector MDB, billing-system simulator.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChargedCallEndToEndIT {

    static final int CALLS = 10;
    static final int HOLD_MILLIS = 2000;
    static SystemUnderTest sut;

    @BeforeAll
    static void startTheProduct() throws Exception {
        sut = SystemUnderTest.start("charged-calls", "sipcharge.cdf.interim-interval-seconds=30");
    }

    @AfterAll
    static void stopTheProduct() throws Exception {
        if (sut != null) {
            sut.close();
        }
    }

    @Test
    @Order(1)
    void everyCallProducesExactlyOneCdrAtTheBillingSystem() throws Exception {
        long deliveredBefore = sut.billingRecords().size();
        Sipp.Result calls = Sipp.calls(sut, CALLS, HOLD_MILLIS, "e2e");
        assertEquals(CALLS, calls.successfulCalls(), "successful SIPp calls; " + calls.summary());
        assertEquals(0, calls.failedCalls(), "failed SIPp calls; " + calls.summary());

        List<String[]> records = Wait.until(Duration.ofSeconds(60), () -> {
            try {
                return sut.billingRecords();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, r -> r.size() >= deliveredBefore + CALLS, "one CDR per call at the billing simulator");
        List<String[]> mine = records.subList((int) deliveredBefore, records.size());
        assertEquals(CALLS, mine.size(), "CDRs at the billing system");

        // received.tsv: cdrId, callingParty, calledParty, durationMillis, localSequenceNumber, duplicate
        Set<String> ids = new HashSet<>();
        for (String[] r : mine) {
            assertTrue(ids.add(r[0]), "CDR id delivered twice: " + r[0]);
            assertEquals("false", r[5], "simulator flagged a duplicate: " + String.join(" ", r));
            assertTrue(r[1].startsWith("sip:sipp@"), "calling party is SIPp's From URI: " + r[1]);
            assertTrue(r[2].startsWith("sip:service@"), "called party is the Request-URI: " + r[2]);
            long duration = Long.parseLong(r[3]);
            // Duration runs from the 200 OK to the BYE at the B2BUA; SIPp holds HOLD_MILLIS between ACK and BYE.
            assertTrue(duration >= HOLD_MILLIS - 100 && duration <= HOLD_MILLIS + 1500,
                    "duration " + duration + " ms should match the SIPp hold time of " + HOLD_MILLIS + " ms");
        }
        // Every ACR was answered and every CDR left the outbox.
        Wait.until(Duration.ofSeconds(30), () -> sut.statusLong("cdr.outboxBacklog"), n -> n == 0, "an empty outbox");
        assertEquals(0, sut.statusLong("acr.answeredError"), "ACRs answered with an error");
    }

    @Test
    @Order(2)
    void malformedSipIsRefusedAndTheNextCallStillWorks() throws Exception {
        String[] malformed = {
                "NOT A SIP START LINE\r\n\r\n",
                invite("Via"),
                invite("Call-ID"),
                invite("CSeq"),
        };
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(1500);
            for (String m : malformed) {
                byte[] bytes = m.replace("$PORT", Integer.toString(socket.getLocalPort())).getBytes(StandardCharsets.US_ASCII);
                socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), sut.sipPort));
                String answer = receive(socket);
                // RFC 3261 8.2 / 18.3: a request that cannot be parsed is answered 400 when a response can be
                // formed (Via, Call-ID, CSeq present) and otherwise dropped; it never gets a 2xx or 1xx.
                assertTrue(answer == null || answer.startsWith("SIP/2.0 400"),
                        "malformed message answered with something else than 400: " + answer + "\n--- sent:\n" + m);
            }
        }
        Sipp.Result after = Sipp.calls(sut, 1, 500, "after-malformed");
        assertEquals(1, after.successfulCalls(), "a good call after malformed input; " + after.summary());
    }

    @Test
    @Order(3)
    void aCallCancelledBeforeAnswerIsRelayedAndNotCharged() throws Exception {
        long cancelledBefore = sut.statusLong("calls.cancelled");
        long committedBefore = sut.statusLong("cdr.committed");
        long acrsBefore = sut.statusLong("acr.received");
        int calls = 3;
        Sipp.Result r = Sipp.calls(sut, calls, 0, "cancel", Sipp.scenarioFile("uac-cancel.xml"),
                Sipp.scenarioFile("uas-ring-until-cancel.xml"));
        // Each caller got 180, then 200 to its CANCEL and 487 to its INVITE; each callee got the CANCEL and the ACK of its 487.
        assertEquals(calls, r.successfulCalls(), "cancelled calls completing their scenario; " + r.summary());
        assertEquals(0, r.failedCalls(), r.summary());
        Wait.until(Duration.ofSeconds(10), () -> sut.statusLong("calls.cancelled"), n -> n == cancelledBefore + calls,
                "calls counted as cancelled");
        assertEquals(0, sut.statusLong("calls.active"), "no call state left behind");
        // Never answered, so never charged: no ACR, no CDR.
        assertEquals(acrsBefore, sut.statusLong("acr.received"), "ACRs for unanswered calls");
        assertEquals(committedBefore, sut.statusLong("cdr.committed"), "CDRs for unanswered calls");
    }

    @Test
    @Order(4)
    void healthAndMetricsReportEveryPart() throws Exception {
        // MicroProfile Health: one readiness check per part, all UP on a working system (HTTP 200).
        String health = Wait.until(Duration.ofSeconds(30), () -> {
            try {
                return sut.httpGet("/health");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, h -> h.startsWith("{\"status\":\"UP\""), "overall health UP");
        for (String check : List.of("sip-listener", "diameter", "jms", "database")) {
            assertTrue(health.contains("\"name\":\"" + check + "\",\"status\":\"UP\""), check + " UP in " + health);
        }
        assertEquals(200, sut.httpGetStatusCode("/health"));
        // MicroProfile Metrics: our gauges in the application scope carry the same figures as the status API.
        String metrics = sut.httpGet("/metrics?scope=application");
        long completed = metricValue(metrics, "sipcharge_calls_completed");
        assertTrue(completed >= CALLS + 1, "sipcharge_calls_completed " + completed + " after " + (CALLS + 1) + " answered calls");
        assertEquals(1, metricValue(metrics, "sipcharge_sip_listening"));
        assertEquals(1, metricValue(metrics, "sipcharge_diameter_rf_open"));
        assertEquals(0, metricValue(metrics, "sipcharge_acr_answered_error"));
    }

    @Test
    @Order(5)
    void theCdfRefusesMalformedAcrsWithFailedAvpAndStoresNothing() throws Exception {
        long committedBefore = sut.statusLong("cdr.committed");
        try (RawDiameterPeer peer = new RawDiameterPeer(sut.diameterPort)) {
            // RFC 6733 7.1.5 / 9.7.1: Accounting-Record-Number is mandatory in an ACR -> 5005 naming it in Failed-AVP.
            DiameterMessage missing = peer.exchange(RawDiameterPeer.acr("raw;1;missing-number",
                    Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, 4)));
            assertEquals(5005, missing.resultCode(), "missing Accounting-Record-Number: " + missing);
            assertEquals(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, failedAvpCode(missing), "Failed-AVP of " + missing);

            // RFC 6733 9.8.1: Accounting-Record-Type is 1..4; 9 is an invalid value -> 5004 with the AVP in Failed-AVP.
            DiameterMessage bad = peer.exchange(RawDiameterPeer.acr("raw;1;bad-type",
                    Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, 9),
                    Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, 0)));
            assertEquals(5004, bad.resultCode(), "Accounting-Record-Type 9: " + bad);
            assertEquals(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, failedAvpCode(bad), "Failed-AVP of " + bad);

            // RFC 6733 4.1 / 7.1.5: an AVP the CDF does not know, with the M bit set -> 5001 naming it in Failed-AVP.
            DiameterMessage unknown = peer.exchange(RawDiameterPeer.acr("raw;1;unknown-avp",
                    Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, 1),
                    Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, 0),
                    Avp.unsigned32(64999, 10415, true, 7)));
            assertEquals(5001, unknown.resultCode(), "unknown M-bit AVP: " + unknown);
            assertEquals(64999, failedAvpCode(unknown), "Failed-AVP of " + unknown);

            // The connection still serves: a good EVENT record is answered 2001 and makes one CDR.
            DiameterMessage ok = peer.exchange(RawDiameterPeer.acr("raw;1;event",
                    Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, 1),
                    Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, 0)));
            assertEquals(2001, ok.resultCode(), "EVENT record: " + ok);
        }
        Wait.until(Duration.ofSeconds(10), () -> sut.statusLong("cdr.committed"), n -> n == committedBefore + 1,
                "exactly one CDR (the EVENT) from the raw peer");
    }

    @Test
    @Order(6)
    void aMessageOutsideADialogIsRelayedAndChargedWithOneEventRecord() throws Exception {
        // Earlier tests' CDRs first reach the billing system, so that the count below is this test's only.
        Wait.until(Duration.ofSeconds(60), () -> {
            try {
                return sut.billingRecords().size() == sut.statusLong("cdr.committed");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, Boolean::booleanValue, "every committed CDR at the billing system");
        int before = sut.billingRecords().size();
        int messages = 3;
        Sipp.Result r = Sipp.calls(sut, messages, 0, "message", Sipp.scenarioFile("uac-message.xml"),
                Sipp.scenarioFile("uas-message.xml"));
        assertEquals(messages, r.successfulCalls(), "MESSAGEs answered 200 through the B2BUA; " + r.summary());
        List<String[]> records = Wait.until(Duration.ofSeconds(60), () -> {
            try {
                return sut.billingRecords();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, l -> l.size() >= before + messages, "one EVENT CDR per MESSAGE");
        assertEquals(before + messages, records.size(), "CDRs at the billing system");
        for (String[] cdr : records.subList(before, records.size())) {
            assertTrue(cdr[1].startsWith("sip:sipp@"), String.join(" ", cdr));
            assertTrue(cdr[2].startsWith("sip:service@"), String.join(" ", cdr));
            long duration = Long.parseLong(cdr[3]);
            assertTrue(duration >= 0 && duration < 1000, "an event lasts from the request to its answer: " + duration + " ms");
        }
    }

    @Test
    @Order(7)
    void anErlangOtpRfClientChargesAgainstTheDeployedCdf() throws Exception {
        // The Erlang/OTP diameter application as CTF (diameter-interop/src/test/erlang/rf_client.escript): session A
        // START 0, INTERIM 1, INTERIM 1 again with the T flag (a duplicate), STOP 2; session B EVENT 0.
        Wait.until(Duration.ofSeconds(60), () -> {
            try {
                return sut.billingRecords().size() == sut.statusLong("cdr.committed");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, Boolean::booleanValue, "every committed CDR at the billing system");
        int before = sut.billingRecords().size();
        long duplicatesBefore = sut.statusLong("acr.duplicates");
        Processes.Result erlang = Processes.run(List.of("escript",
                        sut.root.resolve("diameter-interop/src/test/erlang/rf_client.escript").toString(),
                        Integer.toString(sut.diameterPort), "sipcharge.local"),
                Map.of(), sut.runDir.resolve("logs/erlang-rf-client.log"), Duration.ofSeconds(60));
        assertEquals(0, erlang.exitCode(), erlang.output());
        List<String> results = erlang.output().lines().filter(l -> l.startsWith("RESULT ")).toList();
        assertEquals(5, results.size(), erlang.output());
        for (String r : results) {
            assertEquals("2001", r.split(" ")[5], "Result-Code in " + r);
        }
        assertEquals(duplicatesBefore + 1, sut.statusLong("acr.duplicates"), "the retransmitted INTERIM is a duplicate");
        List<String[]> records = Wait.until(Duration.ofSeconds(60), () -> {
            try {
                return sut.billingRecords();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, l -> l.size() >= before + 2, "the STOP's and the EVENT's CDRs at the billing system");
        assertEquals(before + 2, records.size(), "one CDR for session A, one for the EVENT");
    }

    private static long failedAvpCode(DiameterMessage answer) {
        Avp failed = answer.avp(DiameterConstants.AVP_FAILED_AVP).orElseThrow(() -> new AssertionError("no Failed-AVP in " + answer));
        return failed.groupedAvps().get(0).code();
    }

    private static long metricValue(String exposition, String name) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                String v = line.substring(line.lastIndexOf(' ') + 1).trim();
                return (long) Double.parseDouble(v);
            }
        }
        throw new AssertionError("metric " + name + " not found in:\n" + exposition);
    }

    private static String receive(DatagramSocket socket) throws IOException {
        byte[] buf = new byte[4096];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
            return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    /** An INVITE with one header left out. */
    private static String invite(String without) {
        String[] headers = {
                "Via: SIP/2.0/UDP 127.0.0.1:$PORT;branch=z9hG4bK-malformed-" + without,
                "From: <sip:bad@127.0.0.1>;tag=1",
                "To: <sip:service@127.0.0.1>",
                "Call-ID: malformed-" + without + "@127.0.0.1",
                "CSeq: 1 INVITE",
                "Contact: <sip:bad@127.0.0.1:$PORT>",
                "Max-Forwards: 70",
                "Content-Length: 0",
        };
        StringBuilder sb = new StringBuilder("INVITE sip:service@127.0.0.1 SIP/2.0\r\n");
        for (String h : headers) {
            if (!h.startsWith(without + ":")) {
                sb.append(h).append("\r\n");
            }
        }
        return sb.append("\r\n").toString();
    }

}
