package org.sipcharge.diameter.interop;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;
import org.sipcharge.diameter.peer.DiameterClient;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * RFC 6733 5.4.3: "BUSY ... A receiver of a DPR with above result code SHOULD NOT attempt reconnection", and the
 * same for DO_NOT_WANT_TO_TALK_TO_YOU. DiameterClient.connectLoop reconnects after reconnectMin whatever the
 * Disconnect-Cause of the DPR that closed the connection (it only sees "peer sent DPR"), so a CDF that sheds load with
 * DPR(BUSY) is reconnected to within half a second (ClientOptions default reconnectMin 500 ms) and keeps being
 * hammered. Found while writing the interop tests; freeDiameterd itself only ever sends REBOOTING (at shutdown), where
 * reconnecting is allowed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DisconnectCauseReconnectTest {

    @ParameterizedTest
    @ValueSource(ints = {DiameterConstants.DISCONNECT_BUSY, DiameterConstants.DISCONNECT_DO_NOT_WANT_TO_TALK_TO_YOU})
    void clientDoesNotReconnectAfterDprBusyOrDoNotWantToTalkToYou(int cause) throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            DiameterClient client = new DiameterClient(Interop.identity("cscf.interop.test", "interop.test"),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()), "interop.test",
                    Interop.THREADS, org.sipcharge.diameter.peer.ClientOptions.defaults().withWatchdogInterval(Duration.ofSeconds(30))
                            // the client waits reconnectMax (10 s) after such a DPR instead of reconnectMin (200 ms)
                            .withReconnect(Duration.ofMillis(200), Duration.ofSeconds(10)));
            client.start();
            try {
                try (Socket s = ss.accept()) {
                    s.setSoTimeout(5000);
                    DiameterMessage cer = read(s.getInputStream());
                    assertEquals(DiameterConstants.CMD_CAPABILITIES_EXCHANGE, cer.commandCode());
                    s.getOutputStream().write(DiameterMessage.answerTo(cer)
                            .add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, DiameterConstants.RESULT_SUCCESS))
                            .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "cdf.interop.test"))
                            .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "interop.test"))
                            .add(Avp.address(DiameterConstants.AVP_HOST_IP_ADDRESS, 0, true, InetAddress.getLoopbackAddress()))
                            .add(Avp.unsigned32(DiameterConstants.AVP_VENDOR_ID, 0, true, DiameterConstants.VENDOR_3GPP))
                            .add(Avp.utf8(DiameterConstants.AVP_PRODUCT_NAME, 0, false, "raw-cdf"))
                            .add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, 3))
                            .build().encode());
                    Interop.await("client open", Duration.ofSeconds(5), client::isOpen);
                    s.getOutputStream().write(DiameterMessage.request(DiameterConstants.CMD_DISCONNECT_PEER, 0).proxiable(false)
                            .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "cdf.interop.test"))
                            .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "interop.test"))
                            .add(Avp.enumerated(DiameterConstants.AVP_DISCONNECT_CAUSE, 0, true, cause))
                            .build().withIdentifiers(0x700, 0x701).encode());
                    DiameterMessage dpa = read(s.getInputStream());
                    assertEquals(DiameterConstants.CMD_DISCONNECT_PEER, dpa.commandCode());
                    assertFalse(dpa.isRequest());
                }
                Interop.await("client closed", Duration.ofSeconds(5), () -> !client.isOpen());
                // reconnectMin is 200 ms here: a client honouring the cause stays away for reconnectMax (10 s), longer than 3 s
                ss.setSoTimeout(3000);
                try (Socket again = ss.accept()) {
                    fail("the client reconnected after DPR with Disconnect-Cause " + cause + " from " + again.getRemoteSocketAddress());
                } catch (SocketTimeoutException expected) {
                    // no reconnection: RFC 6733 5.4.3 honoured
                }
            } finally {
                client.stop();
            }
        }
    }

    private static DiameterMessage read(InputStream in) throws Exception {
        byte[] header = in.readNBytes(DiameterConstants.HEADER_LENGTH);
        if (header.length < DiameterConstants.HEADER_LENGTH) {
            throw new IOException("closed");
        }
        int length = DiameterMessage.frameLength(header);
        byte[] frame = new byte[length];
        System.arraycopy(header, 0, frame, 0, header.length);
        in.readNBytes(frame, header.length, length - header.length);
        return DiameterMessage.decode(frame);
    }
}
