package org.sipcharge.systemtests;

import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Diameter peer on a plain socket, for sending the deployed CDF what the product's own client never sends.
 * It does the capabilities exchange (RFC 6733 5.3) and then one request at a time.
 */
final class RawDiameterPeer implements AutoCloseable {

    static final String ORIGIN_HOST = "raw-test-peer.sipcharge.test";
    static final String REALM = "sipcharge.test";
    private static final AtomicInteger IDS = new AtomicInteger(0x7100);

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** Connects and exchanges capabilities (CEA 2001 or an exception). */
    RawDiameterPeer(int port) throws Exception {
        this(port, true);
    }

    private RawDiameterPeer(int port, boolean exchangeCapabilities) throws Exception {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        if (!exchangeCapabilities) {
            return;
        }
        DiameterMessage cea = exchange(DiameterMessage.request(DiameterConstants.CMD_CAPABILITIES_EXCHANGE, 0)
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, ORIGIN_HOST))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, REALM))
                .add(Avp.address(DiameterConstants.AVP_HOST_IP_ADDRESS, 0, true, InetAddress.getLoopbackAddress()))
                .add(Avp.unsigned32(DiameterConstants.AVP_VENDOR_ID, 0, true, 0))
                .add(Avp.utf8(DiameterConstants.AVP_PRODUCT_NAME, 0, false, "sipcharge-system-test"))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, DiameterConstants.APP_BASE_ACCOUNTING)));
        if (cea.resultCode() != 2001) {
            throw new IllegalStateException("CER refused: " + cea);
        }
    }

    /** A bare TCP connection to the Diameter port: no CER sent. */
    static RawDiameterPeer connectWithoutCer(int port) throws Exception {
        return new RawDiameterPeer(port, false);
    }

    /** Next identifier for a hand-built request. */
    static int nextId() {
        return IDS.incrementAndGet();
    }

    void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Half-closes: the CDF reads end of stream after what was sent. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** The next message from the CDF, skipping its watchdog requests (10 s read timeout). */
    DiameterMessage read() throws Exception {
        while (true) {
            byte[] header = new byte[20];
            in.readFully(header);
            int length = DiameterMessage.frameLength(header);
            byte[] frame = java.util.Arrays.copyOf(header, length);
            in.readFully(frame, 20, length - 20);
            DiameterMessage m = DiameterMessage.decode(frame);
            if (!(m.isRequest() && m.commandCode() == DiameterConstants.CMD_DEVICE_WATCHDOG)) {
                return m;
            }
        }
    }

    /**
     * Waits until the CDF closes the connection (end of stream or reset).
     *
     * @return the bytes it sent before closing, or null when it did not close within the deadline
     */
    byte[] awaitClosedByCdf(java.time.Duration deadline) throws IOException {
        long end = System.nanoTime() + deadline.toNanos();
        java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (System.nanoTime() < end) {
            socket.setSoTimeout((int) Math.max(1, Math.min(500, (end - System.nanoTime()) / 1_000_000)));
            try {
                int n = in.read(buf);
                if (n < 0) {
                    return received.toByteArray();
                }
                received.write(buf, 0, n);
            } catch (java.net.SocketTimeoutException e) {
                // not yet
            } catch (IOException e) {
                return received.toByteArray(); // reset
            }
        }
        return null;
    }

    /** An ACR with the base AVPs; callers drop or spoil some of them. */
    static DiameterMessage.Builder acr(String sessionId, Avp... more) {
        DiameterMessage.Builder b = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, DiameterConstants.APP_BASE_ACCOUNTING)
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, sessionId))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, ORIGIN_HOST))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, REALM))
                .add(Avp.utf8(DiameterConstants.AVP_DESTINATION_REALM, 0, true, "sipcharge.local"));
        for (Avp a : more) {
            b.add(a);
        }
        return b;
    }

    DiameterMessage exchange(DiameterMessage.Builder request) throws Exception {
        int id = IDS.incrementAndGet();
        DiameterMessage m = request.build().withIdentifiers(id, id);
        out.write(m.encode());
        out.flush();
        while (true) {
            byte[] header = new byte[20];
            in.readFully(header);
            int length = DiameterMessage.frameLength(header);
            byte[] frame = java.util.Arrays.copyOf(header, length);
            in.readFully(frame, 20, length - 20);
            DiameterMessage answer = DiameterMessage.decode(frame);
            if (!answer.isRequest() && answer.hopByHop() == id) {
                return answer;
            }
            // A DWR from the CDF in between is not what this test looks at; the CDF tolerates one missed DWA.
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
