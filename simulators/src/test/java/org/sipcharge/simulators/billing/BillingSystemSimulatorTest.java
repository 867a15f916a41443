package org.sipcharge.simulators.billing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipcharge.cdr.CdrTextCodec;
import org.sipcharge.cdr.ChargingDataRecord;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class BillingSystemSimulatorTest {

    @TempDir
    Path dir;
    Path out;
    BillingSystemSimulator simulator;
    int port;

    @BeforeEach
    void start() throws IOException {
        out = dir.resolve("billing/received.tsv");
        simulator = new BillingSystemSimulator("127.0.0.1", 0, out, 0);
        port = simulator.start();
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    static ChargingDataRecord cdr(String id, long seq) {
        Instant start = Instant.parse("2026-01-01T10:00:00Z");
        return new ChargingDataRecord(id, "cdf;1;" + seq, "call-" + seq + "@host", "sip:alice@example.com",
                "sip:bob@example.com", start.minusSeconds(2), start, start.plusMillis(2500), seq, 0, false, "node-1");
    }

    static String cdrLine(ChargingDataRecord cdr) {
        return cdrLine(cdr, 1);
    }

    static String cdrLine(ChargingDataRecord cdr, long epoch) {
        return "CDR " + cdr.cdrId() + " " + epoch + " " + Base64.getEncoder().encodeToString(CdrTextCodec.encode(cdr));
    }

    @Test
    void goodCdrIsRecordedThenAcknowledged() throws Exception {
        try (Client c = new Client(port)) {
            assertEquals("ACK node-1-7", c.call(cdrLine(cdr("node-1-7", 7))));
        }
        // The line is fsynced before the ACK, so it is there now.
        List<String> lines = Files.readAllLines(out);
        assertEquals(1, lines.size());
        assertArrayEquals(new String[]{"node-1-7", "sip:alice@example.com", "sip:bob@example.com", "2500", "7", "false", "1", "0", "-"},
                lines.get(0).split("\t", -1));
        assertEquals(1, simulator.recorded());
    }

    @Test
    void theIncompleteIndicationSaysWhichRecordsWereLost() {
        ChargingDataRecord c = cdr("node-1-8", 8);
        assertEquals("-", BillingSystemSimulator.lost(c));
        for (boolean[] lost : new boolean[][]{{true, false}, {false, true}, {true, true}}) {
            ChargingDataRecord i = new ChargingDataRecord(c.cdrId(), c.sessionId(), c.userSessionId(), c.callingParty(),
                    c.calledParty(), c.serviceRequestTime(), c.deliveryStartTime(), c.deliveryEndTime(), c.localSequenceNumber(),
                    4, true, c.nodeAddress(), 0, null, null, null, null, null, null, null, List.of(), lost[0], lost[1]);
            assertEquals(lost[0] && lost[1] ? "start+stop" : lost[0] ? "start" : "stop", BillingSystemSimulator.lost(i));
        }
    }

    @Test
    void pingIsAnswered() throws Exception {
        try (Client c = new Client(port)) {
            assertEquals("PONG", c.call("PING"));
            assertEquals("PONG", c.call("PING\r"));
        }
    }

    @Test
    void duplicateIsAcknowledgedButFlagged() throws Exception {
        try (Client c = new Client(port)) {
            assertEquals("ACK node-1-1", c.call(cdrLine(cdr("node-1-1", 1))));
        }
        try (Client c = new Client(port)) {
            assertEquals("ACK node-1-1", c.call(cdrLine(cdr("node-1-1", 1))));
        }
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).endsWith("\tfalse\t1\t0\t-"), lines.get(0));
        assertTrue(lines.get(1).endsWith("\ttrue\t1\t0\t-"), lines.get(1));
        assertEquals(1, simulator.duplicates());
    }

    @Test
    void idsInTheFileAtStartupCountAsSeen() throws Exception {
        try (Client c = new Client(port)) {
            assertEquals("ACK node-1-2", c.call(cdrLine(cdr("node-1-2", 2))));
        }
        simulator.close();
        simulator = new BillingSystemSimulator("127.0.0.1", 0, out, 0);
        port = simulator.start();
        try (Client c = new Client(port)) {
            assertEquals("ACK node-1-2", c.call(cdrLine(cdr("node-1-2", 2))));
        }
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size());
        assertTrue(lines.get(1).endsWith("\ttrue\t1\t0\t-"), lines.get(1));
    }

    @Test
    void badBase64IsRefused() throws Exception {
        try (Client c = new Client(port)) {
            assertEquals("NAK node-1-3 bad-base64", c.call("CDR node-1-3 1 !!not*base64!!"));
        }
        assertEquals(0, Files.size(out));
        assertEquals(1, simulator.naks());
    }

    @Test
    void undecodableBodyIsRefused() throws Exception {
        String b64 = Base64.getEncoder().encodeToString("cdrId=x\n".getBytes(StandardCharsets.UTF_8));
        try (Client c = new Client(port)) {
            String answer = c.call("CDR x 1 " + b64);
            assertTrue(answer.startsWith("NAK x bad-body: CDR field missing"), answer);
        }
        assertEquals(0, Files.size(out));
    }

    @Test
    void missingBodyIsRefused() throws Exception {
        try (Client c = new Client(port)) {
            assertEquals("NAK node-1-3 missing-epoch", c.call("CDR node-1-3"));
            assertEquals("NAK node-1-3 missing-body", c.call("CDR node-1-3 4"));
            assertEquals("ERR malformed-request", c.call("CDR "));
        }
    }

    @Test
    void idMismatchIsRefused() throws Exception {
        String body = Base64.getEncoder().encodeToString(CdrTextCodec.encode(cdr("node-1-5", 5)));
        try (Client c = new Client(port)) {
            assertEquals("NAK node-1-4 cdr-id-mismatch: body has node-1-5", c.call("CDR node-1-4 1 " + body));
            // The connection stays usable after a NAK.
            assertEquals("ACK node-1-5", c.call("CDR node-1-5 1 " + body));
        }
        List<String> lines = Files.readAllLines(out);
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).startsWith("node-1-5\t"), lines.get(0));
    }

    @Test
    void badEpochsAreRefused() throws Exception {
        String body = Base64.getEncoder().encodeToString(CdrTextCodec.encode(cdr("node-1-5", 5)));
        try (Client c = new Client(port)) {
            assertEquals("NAK node-1-5 bad-epoch", c.call("CDR node-1-5 x " + body));
            assertEquals("NAK node-1-5 bad-epoch", c.call("CDR node-1-5 0 " + body));
            assertEquals("NAK node-1-5 bad-epoch", c.call("CDR node-1-5 -3 " + body));
            assertEquals("NAK node-1-5 extra-fields", c.call("CDR node-1-5 1 " + body + " more"));
            // The old request form (no epoch) is refused: its body is taken for the epoch.
            assertEquals("NAK node-1-5 bad-epoch", c.call("CDR node-1-5 " + body));
        }
        assertEquals(0, Files.size(out));
    }

    @Test
    void staleEpochIsFencedAndNotRecorded() throws Exception {
        try (Client c = new Client(port)) {
            assertEquals("ACK node-1-1", c.call(cdrLine(cdr("node-1-1", 1), 3)));
            assertEquals("FENCED node-1-2 3", c.call(cdrLine(cdr("node-1-2", 2), 2)));
            assertEquals("ACK node-1-3", c.call(cdrLine(cdr("node-1-3", 3), 3)));
            assertEquals("ACK node-1-4", c.call(cdrLine(cdr("node-1-4", 4), 5)));
            assertEquals("FENCED node-1-2 5", c.call(cdrLine(cdr("node-1-2", 2), 4)));
        }
        List<String> lines = Files.readAllLines(out);
        assertEquals(3, lines.size());
        assertEquals(2, simulator.fencedRequests());
        assertEquals(1, simulator.gaps(), "node-1-2 is missing between 1 and 4");
        // The highest epoch survives a restart.
        simulator.close();
        simulator = new BillingSystemSimulator("127.0.0.1", 0, out, 0);
        port = simulator.start();
        try (Client c = new Client(port)) {
            assertEquals("FENCED node-1-2 5", c.call(cdrLine(cdr("node-1-2", 2), 4)));
            assertEquals("ACK node-1-2", c.call(cdrLine(cdr("node-1-2", 2), 5)));
        }
        assertEquals(0, simulator.gaps());
        assertTrue(simulator.summary().contains("highestEpoch=5"), simulator.summary());
    }

    @Test
    void unknownCommandIsAnsweredWithAnError() throws Exception {
        try (Client c = new Client(port)) {
            assertEquals("ERR unknown-command", c.call("HELLO"));
            assertEquals("ERR unknown-command", c.call(""));
            assertEquals("ERR unknown-command", c.call("cdr node-1-1 AAAA"));
            assertEquals("PONG", c.call("PING"));
        }
    }

    @Test
    void tooLongLineIsRefusedAndTheConnectionClosed() throws Exception {
        try (Client c = new Client(port)) {
            byte[] line = new byte[BillingSystemSimulator.MAX_LINE_BYTES + 1];
            Arrays.fill(line, (byte) 'A');
            c.out.write(line);
            c.out.flush();
            assertEquals("ERR line-too-long", c.in.readLine());
            assertNull(c.in.readLine(), "connection closed after the error");
        }
        assertEquals(0, Files.size(out));
        // The server still accepts new connections.
        try (Client c = new Client(port)) {
            assertEquals("PONG", c.call("PING"));
        }
    }

    @Test
    void lineOfExactlyTheLimitIsAccepted() throws Exception {
        try (Client c = new Client(port)) {
            byte[] line = new byte[BillingSystemSimulator.MAX_LINE_BYTES];
            Arrays.fill(line, (byte) 'A');
            c.out.write(line);
            c.out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            c.out.flush();
            assertEquals("ERR unknown-command", c.in.readLine());
        }
    }

    @Test
    void nakEveryRefusesEveryKthCdr() throws Exception {
        simulator.close();
        simulator = new BillingSystemSimulator("127.0.0.1", 0, out, 2);
        port = simulator.start();
        try (Client c = new Client(port)) {
            assertEquals("ACK node-1-1", c.call(cdrLine(cdr("node-1-1", 1))));
            assertEquals("NAK node-1-2 simulated-rejection", c.call(cdrLine(cdr("node-1-2", 2))));
            assertEquals("ACK node-1-3", c.call(cdrLine(cdr("node-1-3", 3))));
        }
        assertEquals(2, Files.readAllLines(out).size());
    }

    @Test
    void concurrentConnectionsAreServedAndCounted() throws Exception {
        try (Client a = new Client(port); Client b = new Client(port)) {
            assertEquals("PONG", b.call("PING"));
            assertEquals("PONG", a.call("PING"));
        }
        waitUntil(Duration.ofSeconds(5), () -> simulator.connections() == 2, "two connections counted");
        assertTrue(simulator.summary().contains("connections=2"), simulator.summary());
    }

    static void waitUntil(Duration timeout, BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    static final class Client implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final BufferedReader in;

        Client(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        String call(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
