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

    RawDiameterPeer(int port) throws Exception {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
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
