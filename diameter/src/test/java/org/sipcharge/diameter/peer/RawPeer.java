package org.sipcharge.diameter.peer;

import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** A hand-driven Diameter peer on a plain socket, to send well-formed and malformed frames. */
final class RawPeer implements AutoCloseable {

    private static final AtomicInteger IDS = new AtomicInteger(0x5000);

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawPeer(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
        socket.setSoTimeout(5000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    static int nextId() {
        return IDS.incrementAndGet();
    }

    static DiameterMessage.Builder cer(String originHost, long... acctApps) {
        DiameterMessage.Builder b = DiameterMessage.request(DiameterConstants.CMD_CAPABILITIES_EXCHANGE, 0).proxiable(false)
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, originHost))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "raw.realm"))
                .add(Avp.address(DiameterConstants.AVP_HOST_IP_ADDRESS, 0, true, InetAddress.getLoopbackAddress()))
                .add(Avp.unsigned32(DiameterConstants.AVP_VENDOR_ID, 0, true, 0))
                .add(Avp.utf8(DiameterConstants.AVP_PRODUCT_NAME, 0, false, "raw"));
        for (long app : acctApps) {
            b.add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, app));
        }
        return b;
    }

    /** Sends a message, giving it fresh identifiers when it has none; returns what was sent. */
    DiameterMessage send(DiameterMessage m) throws IOException {
        DiameterMessage framed = m.hopByHop() == 0 ? m.withIdentifiers(nextId(), nextId()) : m;
        sendBytes(framed.encode());
        return framed;
    }

    void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one whole message (5 s read timeout). */
    DiameterMessage read() throws Exception {
        byte[] header = new byte[20];
        in.readFully(header);
        int length = DiameterMessage.frameLength(header);
        byte[] frame = new byte[length];
        System.arraycopy(header, 0, frame, 0, 20);
        in.readFully(frame, 20, length - 20);
        return DiameterMessage.decode(frame);
    }

    /** Sends CER and returns the CEA. */
    DiameterMessage exchangeCapabilities(String originHost, long... acctApps) throws Exception {
        DiameterMessage sent = send(cer(originHost, acctApps).build());
        DiameterMessage cea = read();
        if (cea.hopByHop() != sent.hopByHop()) {
            throw new AssertionError("CEA hop-by-hop " + cea.hopByHop() + " for CER " + sent.hopByHop());
        }
        return cea;
    }

    /**
     * True when the other side closed the connection (EOF or reset) within the timeout; anything it sends before
     * is skipped.
     */
    boolean closedByPeerWithin(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buf = new byte[4096];
        while (System.nanoTime() < deadline) {
            socket.setSoTimeout((int) Math.max(1, Math.min(500, (deadline - System.nanoTime()) / 1_000_000)));
            try {
                if (in.read(buf) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                // keep waiting
            } catch (EOFException e) {
                return true;
            } catch (IOException e) {
                return true; // connection reset
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
