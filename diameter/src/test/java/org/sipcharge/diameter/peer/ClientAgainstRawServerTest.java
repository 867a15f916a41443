package org.sipcharge.diameter.peer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sipcharge.diameter.peer.PeerLoopbackTest.CLIENT_HOST;
import static org.sipcharge.diameter.peer.PeerLoopbackTest.await;
import static org.sipcharge.diameter.peer.PeerLoopbackTest.identity;

/** DiameterClient against a hand-driven server socket (loopback, port 0). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientAgainstRawServerTest {

    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();
    private final List<Thread> clientThreads = new CopyOnWriteArrayList<>();
    private final ThreadFactory threads = r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        clientThreads.add(t);
        return t;
    };

    @AfterEach
    void tearDown() {
        while (!cleanup.isEmpty()) {
            try {
                cleanup.pop().close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private ServerSocket listen(int backlog) throws IOException {
        ServerSocket ss = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
        ss.setSoTimeout(10_000);
        cleanup.push(ss);
        return ss;
    }

    private DiameterClient client(ServerSocket ss, ClientOptions options) {
        DiameterClient c = new DiameterClient(identity(CLIENT_HOST, Set.of(3L)),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()), "test.realm", threads, options);
        cleanup.push(c::stop);
        return c;
    }

    private static ClientOptions noReconnect() {
        return ClientOptions.defaults().withReconnect(Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    /** The accepted side of the client's connection. */
    private final class Conn {
        final Socket socket;
        final DataInputStream in;
        final OutputStream out;

        Conn(ServerSocket ss) throws IOException {
            socket = ss.accept();
            cleanup.push(socket);
            socket.setSoTimeout(5000);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        DiameterMessage read() throws Exception {
            byte[] header = new byte[20];
            in.readFully(header);
            byte[] frame = Arrays.copyOf(header, DiameterMessage.frameLength(header));
            in.readFully(frame, 20, frame.length - 20);
            return DiameterMessage.decode(frame);
        }

        void send(DiameterMessage m) throws IOException {
            out.write(m.encode());
            out.flush();
        }

        DiameterMessage answerCer(long resultCode) throws Exception {
            DiameterMessage cer = read();
            send(cea(cer, resultCode));
            return cer;
        }

        boolean closedByPeerWithin(Duration d) throws IOException {
            long deadline = System.nanoTime() + d.toNanos();
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout((int) Math.max(1, Math.min(500, (deadline - System.nanoTime()) / 1_000_000)));
                try {
                    if (in.read() < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    // keep waiting
                } catch (IOException e) {
                    return true;
                }
            }
            return false;
        }
    }

    static DiameterMessage cea(DiameterMessage cer, long resultCode) {
        DiameterMessage.Builder b = DiameterMessage.answerTo(cer)
                .add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, resultCode))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "rawserver.test"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "raw.realm"))
                .add(Avp.address(DiameterConstants.AVP_HOST_IP_ADDRESS, 0, true, InetAddress.getLoopbackAddress()))
                .add(Avp.unsigned32(DiameterConstants.AVP_VENDOR_ID, 0, true, 0))
                .add(Avp.utf8(DiameterConstants.AVP_PRODUCT_NAME, 0, false, "raw"))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, 3));
        if (DiameterConstants.isProtocolError(resultCode)) {
            b.flagError();
        }
        return b.build();
    }

    private static DiameterMessage request(int command, long app, int hbh) {
        return DiameterMessage.request(command, app).proxiable(false)
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "rawserver.test"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "raw.realm"))
                .build().withIdentifiers(hbh, hbh + 1);
    }

    @Test
    void clientSendsAWellFormedCer() throws Exception {
        ServerSocket ss = listen(50);
        DiameterClient client = client(ss, noReconnect());
        client.start();
        Conn conn = new Conn(ss);
        DiameterMessage cer = conn.answerCer(DiameterConstants.RESULT_SUCCESS);
        assertTrue(cer.isRequest());
        assertEquals(DiameterConstants.CMD_CAPABILITIES_EXCHANGE, cer.commandCode());
        assertEquals(0L, cer.applicationId());
        assertEquals(0, cer.flags() & DiameterConstants.FLAG_PROXIABLE, "CER is not proxiable (RFC 6733 5.3.1)");
        assertNotEquals(0, cer.hopByHop());
        assertEquals(CLIENT_HOST, cer.avp(DiameterConstants.AVP_ORIGIN_HOST).orElseThrow().asUtf8());
        assertEquals("test.realm", cer.avp(DiameterConstants.AVP_ORIGIN_REALM).orElseThrow().asUtf8());
        assertEquals(InetAddress.getLoopbackAddress(),
                cer.avp(DiameterConstants.AVP_HOST_IP_ADDRESS).orElseThrow().asAddress());
        assertEquals(DiameterConstants.VENDOR_3GPP, cer.avp(DiameterConstants.AVP_VENDOR_ID).orElseThrow().asUnsigned32());
        assertFalse(cer.avp(DiameterConstants.AVP_PRODUCT_NAME).orElseThrow().isMandatory());
        assertFalse(cer.avp(DiameterConstants.AVP_FIRMWARE_REVISION).orElseThrow().isMandatory());
        assertEquals(3L, cer.avp(DiameterConstants.AVP_ACCT_APPLICATION_ID).orElseThrow().asUnsigned32());
        await("client open", Duration.ofSeconds(5), client::isOpen);
    }

    @Test
    void ceaWithTheWrongHopByHopIsNotAccepted() throws Exception {
        ServerSocket ss = listen(50);
        DiameterClient client = client(ss, noReconnect());
        client.start();
        Conn conn = new Conn(ss);
        DiameterMessage cer = conn.read();
        conn.send(cea(cer.withIdentifiers(cer.hopByHop() + 1, cer.endToEnd()), DiameterConstants.RESULT_SUCCESS));
        await("client gives up", Duration.ofSeconds(5), () -> client.lastError().contains("not our CEA"));
        assertFalse(client.isOpen());
        assertTrue(conn.closedByPeerWithin(Duration.ofSeconds(5)));
    }

    @Test
    void noCeaWithinTheConnectTimeoutClosesTheConnection() throws Exception {
        ServerSocket ss = listen(50);
        DiameterClient client = client(ss, new ClientOptions(Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofMillis(300), Duration.ofSeconds(30), Duration.ofSeconds(30)));
        client.start();
        Conn conn = new Conn(ss);
        conn.read(); // CER, never answered
        assertTrue(conn.closedByPeerWithin(Duration.ofSeconds(5)));
        await("client reports the missing CEA", Duration.ofSeconds(5), () -> client.lastError().contains("no CEA"));
        assertFalse(client.isOpen());
    }

    @Test
    void clientAnswersDwrAndRefusesApplicationRequests() throws Exception {
        ServerSocket ss = listen(50);
        DiameterClient client = client(ss, noReconnect());
        client.start();
        Conn conn = new Conn(ss);
        conn.answerCer(DiameterConstants.RESULT_SUCCESS);
        await("client open", Duration.ofSeconds(5), client::isOpen);

        conn.send(request(DiameterConstants.CMD_DEVICE_WATCHDOG, 0, 0x100));
        DiameterMessage dwa = conn.read();
        assertEquals(DiameterConstants.CMD_DEVICE_WATCHDOG, dwa.commandCode());
        assertFalse(dwa.isRequest());
        assertEquals(0x100, dwa.hopByHop());
        assertEquals(DiameterConstants.RESULT_SUCCESS, dwa.resultCode());

        // the client has no RequestHandler: application requests get 3001 (RFC 6733 7.1.3)
        conn.send(request(DiameterConstants.CMD_ACCOUNTING, 3, 0x200));
        DiameterMessage refused = conn.read();
        assertEquals(0x200, refused.hopByHop());
        assertEquals(DiameterConstants.RESULT_COMMAND_UNSUPPORTED, refused.resultCode());
        assertTrue(refused.isError());
        assertTrue(client.isOpen());
    }

    @Test
    void idleClientSendsDwrAndGivesUpWhenItIsNotAnswered() throws Exception {
        ServerSocket ss = listen(50);
        DiameterClient client = client(ss, noReconnect().withWatchdogInterval(Duration.ofMillis(100)));
        client.start();
        Conn conn = new Conn(ss);
        conn.answerCer(DiameterConstants.RESULT_SUCCESS);
        DiameterMessage dwr = conn.read();
        assertEquals(DiameterConstants.CMD_DEVICE_WATCHDOG, dwr.commandCode());
        assertTrue(dwr.isRequest());
        assertEquals(CLIENT_HOST, dwr.avp(DiameterConstants.AVP_ORIGIN_HOST).orElseThrow().asUtf8());
        assertTrue(conn.closedByPeerWithin(Duration.ofSeconds(10)));
        await("client reports the watchdog failure", Duration.ofSeconds(5), () -> client.lastError().contains("DWA"));
        assertFalse(client.isOpen());
    }

    @Test
    void answeredDwrKeepsTheClientOpen() throws Exception {
        ServerSocket ss = listen(50);
        DiameterClient client = client(ss, noReconnect().withWatchdogInterval(Duration.ofMillis(100)));
        client.start();
        Conn conn = new Conn(ss);
        conn.answerCer(DiameterConstants.RESULT_SUCCESS);
        for (int i = 0; i < 2; i++) {
            DiameterMessage dwr = conn.read();
            assertEquals(DiameterConstants.CMD_DEVICE_WATCHDOG, dwr.commandCode());
            conn.send(DiameterMessage.answerTo(dwr)
                    .add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, 2001))
                    .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "rawserver.test"))
                    .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "raw.realm")).build());
        }
        assertTrue(client.isOpen(), "two watchdog rounds answered: still open");
    }

    /** An ACR the raw server never answers; the client's request timeout is short, its watchdog interval long. */
    private DiameterClient clientWithAnUnansweredRequest(ServerSocket ss, Conn[] accepted) throws Exception {
        DiameterClient client = client(ss, noReconnect().withRequestTimeout(Duration.ofMillis(300))
                .withWatchdogInterval(Duration.ofSeconds(30)));
        client.start();
        Conn conn = new Conn(ss);
        accepted[0] = conn;
        conn.answerCer(DiameterConstants.RESULT_SUCCESS);
        await("client open", Duration.ofSeconds(5), client::isOpen);
        var sent = client.send(DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3)
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, "ctf.test;1;1")));
        assertEquals(DiameterConstants.CMD_ACCOUNTING, conn.read().commandCode(), "the ACR reaches the server");
        await("the ACR times out", Duration.ofSeconds(5), () -> sent.isCompletedExceptionally());
        return client;
    }

    @Test
    void aTimedOutRequestMakesThePeerSuspectAndSendsADwrAtOnceAndItsAnswerReopens() throws Exception {
        ServerSocket ss = listen(50);
        Conn[] conn = new Conn[1];
        long t0 = System.nanoTime();
        DiameterClient client = clientWithAnUnansweredRequest(ss, conn);
        DiameterMessage dwr = conn[0].read();
        long waitedMillis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(DiameterConstants.CMD_DEVICE_WATCHDOG, dwr.commandCode(), "a DWR after the timeout");
        assertTrue(waitedMillis < 5_000, "DWR " + waitedMillis + " ms after the ACR, not after Tw (30 s)");
        assertEquals(PeerState.SUSPECT, client.state(), "suspect while the DWR is out");
        assertFalse(client.isOpen(), "callers with another peer open send there");
        assertTrue(client.isConnected(), "a caller without one may still send here");
        conn[0].send(DiameterMessage.answerTo(dwr)
                .add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, 2001))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "rawserver.test"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "raw.realm")).build());
        await("the DWA reopens the connection", Duration.ofSeconds(5), client::isOpen);
    }

    @Test
    void aTimedOutRequestWhoseDwrIsNotAnsweredEitherClosesTheConnection() throws Exception {
        ServerSocket ss = listen(50);
        Conn[] conn = new Conn[1];
        DiameterClient client = clientWithAnUnansweredRequest(ss, conn);
        assertEquals(DiameterConstants.CMD_DEVICE_WATCHDOG, conn[0].read().commandCode());
        assertTrue(conn[0].closedByPeerWithin(Duration.ofSeconds(5)), "closed one request timeout after the DWR, not after 2 Tw");
        await("client reports it", Duration.ofSeconds(5), () -> client.lastError().contains("no DWA after a request timed out"));
        assertFalse(client.isOpen());
    }

    @Test
    void dprFromTheServerIsAnsweredAndClosesTheClient() throws Exception {
        ServerSocket ss = listen(50);
        DiameterClient client = client(ss, noReconnect());
        client.start();
        Conn conn = new Conn(ss);
        conn.answerCer(DiameterConstants.RESULT_SUCCESS);
        await("client open", Duration.ofSeconds(5), client::isOpen);
        conn.send(DiameterMessage.request(DiameterConstants.CMD_DISCONNECT_PEER, 0).proxiable(false)
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "rawserver.test"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "raw.realm"))
                .add(Avp.enumerated(DiameterConstants.AVP_DISCONNECT_CAUSE, 0, true, DiameterConstants.DISCONNECT_BUSY))
                .build().withIdentifiers(0x300, 0x301));
        DiameterMessage dpa = conn.read();
        assertEquals(DiameterConstants.CMD_DISCONNECT_PEER, dpa.commandCode());
        assertFalse(dpa.isRequest());
        assertEquals(0x300, dpa.hopByHop());
        assertEquals(DiameterConstants.RESULT_SUCCESS, dpa.resultCode());
        assertTrue(conn.closedByPeerWithin(Duration.ofSeconds(5)));
        await("client closed by DPR", Duration.ofSeconds(5), () -> client.lastError().contains("DPR"));
        assertFalse(client.isOpen());
    }

    @Test
    void clientStoppedWhileConnectingDoesNotOpenAConnection() throws Exception {
        // A backlog of 1 with two queued connections makes the client's connect() wait (Linux drops the SYN).
        ServerSocket ss = listen(1);
        int port = ss.getLocalPort();
        for (int i = 0; i < 2; i++) {
            Socket filler = new Socket();
            cleanup.push(filler);
            filler.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
        }
        DiameterClient client = client(ss, new ClientOptions(Duration.ofSeconds(5), Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30)));
        client.start();
        await("connector thread inside connect()", Duration.ofSeconds(5), () -> clientThreads.stream().anyMatch(t ->
                Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("connect")
                        && f.getClassName().endsWith("Socket"))));
        client.stop();
        assertFalse(client.isOpen());
        // free the queue: the retransmitted SYN gets through and the stopped client's connect() returns
        for (int i = 0; i < 2; i++) {
            cleanup.push(ss.accept());
        }
        Socket late;
        try {
            late = ss.accept();
        } catch (SocketTimeoutException e) {
            return; // the client never completed the connection: nothing leaked
        }
        cleanup.push(late);
        late.setSoTimeout(3000);
        int first;
        try {
            first = late.getInputStream().read();
        } catch (SocketTimeoutException e) {
            first = -2;
        } catch (IOException e) {
            first = -1;
        }
        assertEquals(-1, first, "a stopped client must close the connection it was making, not send a CER on it");
        assertFalse(client.isOpen());
    }
}
