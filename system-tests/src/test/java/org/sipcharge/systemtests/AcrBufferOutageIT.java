package org.sipcharge.systemtests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No record is lost when no CDF is reachable, even across a server restart (TS 32.299 6.1.2): the Rf client
 * reaches the CDF through a TCP path the test cuts; calls made meanwhile are buffered durably, the server is
 * restarted, the path is restored, and every call's CDR reaches the billing system exactly once.
 */
class AcrBufferOutageIT {

    static SystemUnderTest sut;
    static TcpForwarder pathToCdf;

    @AfterAll
    static void stopAll() throws Exception {
        if (pathToCdf != null) {
            pathToCdf.close();
        }
        if (sut != null) {
            sut.close();
        }
    }

    @Test
    void acrsBufferedDuringACdfOutageSurviveARestartAndAreDeliveredOnce() throws Exception {
        int forwarderPort = FreePorts.tcpAndUdp();
        sut = SystemUnderTest.prepare("acr-buffer", "", Map.of("SIPCHARGE_CTF_CDF_PORT", Integer.toString(forwarderPort)));
        pathToCdf = new TcpForwarder(forwarderPort, sut.diameterPort);
        pathToCdf.start();
        sut.launch();

        Sipp.Result before = Sipp.calls(sut, 2, 500, "before-outage");
        assertEquals(2, before.successfulCalls(), before.summary());
        waitForBillingRecords(2);

        // The network path to the CDF fails: the Rf client loses its connection.
        pathToCdf.stop();
        Wait.until(Duration.ofSeconds(30), () -> sut.status().get("diameter.rf.peerOpen"), "false"::equals, "Rf connection down");

        int outageCalls = 4;
        Sipp.Result during = Sipp.calls(sut, outageCalls, 500, "during-outage");
        assertEquals(outageCalls, during.successfulCalls(), "SIP keeps working without a CDF; " + during.summary());
        // START and STOP of each call wait in the durable buffer.
        Wait.until(Duration.ofSeconds(30), () -> sut.statusLong("acr.bufferBacklog"), n -> n == 2L * outageCalls,
                "two buffered ACRs per call");
        assertEquals(2, sut.billingRecords().size(), "nothing new reaches billing while no CDF answers");

        // The server restarts while the CDF is still unreachable: the buffer is on disk.
        Processes.Result restart = sut.script(Duration.ofMinutes(4), "restart-server");
        assertEquals(0, restart.exitCode(), restart.output());
        Wait.until(Duration.ofSeconds(60), () -> sut.statusLong("acr.bufferBacklog"), n -> n == 2L * outageCalls,
                "the buffer after the restart");

        // The path comes back: the buffer drains in order and every call gets its CDR, once.
        pathToCdf.start();
        List<String[]> records = waitForBillingRecords(2 + outageCalls);
        Wait.until(Duration.ofSeconds(30), () -> sut.statusLong("acr.bufferBacklog"), n -> n == 0, "an empty buffer");
        assertEquals(2 + outageCalls, records.size(), "one CDR per call");
        Set<String> ids = new HashSet<>();
        for (String[] r : records) {
            assertTrue(ids.add(r[0]), "CDR delivered twice: " + r[0]);
            assertEquals("false", r[5], "duplicate flagged by the billing simulator: " + String.join(" ", r));
            assertTrue(r[1].startsWith("sip:sipp@") && r[2].startsWith("sip:service@"), String.join(" ", r));
        }
        // The CDF saw START before STOP for every buffered session: none of the CDRs is marked incomplete.
        assertEquals(0, sut.statusLong("acr.answeredError"), "ACRs refused by the CDF");
    }

    private static List<String[]> waitForBillingRecords(int n) throws InterruptedException {
        return Wait.until(Duration.ofSeconds(90), () -> {
            try {
                return sut.billingRecords();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, r -> r.size() >= n, n + " CDRs at the billing simulator");
    }
}
