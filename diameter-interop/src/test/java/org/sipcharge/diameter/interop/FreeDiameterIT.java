package org.sipcharge.diameter.interop;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;
import org.sipcharge.diameter.SessionIds;
import org.sipcharge.diameter.peer.DiameterClient;
import org.sipcharge.diameter.peer.DiameterServer;
import org.sipcharge.diameter.peer.PeerState;
import org.sipcharge.diameter.peer.ServerOptions;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our peers against freeDiameterd 1.2.1, an independent RFC 6733 base-protocol implementation: capabilities exchange,
 * watchdog and disconnect, both ways. A {@link DiameterTap} between the two records what each said.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FreeDiameterIT {

    static final String REALM = "interop.test";
    static final String FD = "fd.interop.test";
    static final String CLIENT = "cscf.interop.test";
    static final String SERVER = "cdf.interop.test";

    static Path work;

    @BeforeAll
    static void setUp() {
        DebianPackages.require(DebianPackages.FREEDIAMETER);
        DebianPackages.require(List.of("openssl"));
        work = Interop.workDir("freediameter");
        FreeDiameterd.makeTlsCredentials(work, FD);
    }

    /** (a) our DiameterClient connects to freeDiameterd: CER/CEA, DWR/DWA, an ACR (3002: no accounting there), DPR/DPA. */
    @Test
    void ourClientConnectsToFreeDiameterd() throws Exception {
        Path dir = Interop.workDir("freediameter/client");
        FreeDiameterd.makeTlsCredentials(dir, FD);
        int port = Interop.freePort();
        Path conf = FreeDiameterd.writeConfig(dir, FD, REALM, port, Interop.freePort(), 6, REALM, null);
        ExternalProcess fd = FreeDiameterd.start(dir, conf);
        DiameterTap tap = null;
        DiameterClient client = null;
        try {
            tap = new DiameterTap(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            client = new DiameterClient(Interop.identity(CLIENT, REALM),
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), tap.port()), REALM, Interop.THREADS,
                    Interop.clientOptions(Duration.ofSeconds(2)));
            client.start();
            DiameterClient c = client;
            Interop.await("client open towards freeDiameterd", Duration.ofSeconds(15), c::isOpen);
            DiameterTap.Frame cea = tap.frames(DiameterConstants.CMD_CAPABILITIES_EXCHANGE).stream()
                    .filter(f -> !f.request()).findFirst().orElseThrow();
            assertEquals(DiameterConstants.RESULT_SUCCESS, cea.resultCode());
            assertEquals(FD, cea.originHost());

            // an ACR: freeDiameterd has no accounting application in Debian's build; it must answer, not hang up
            String sessionId = SessionIds.next(CLIENT);
            DiameterMessage answer = client.send(RfAcrs.acr(RfAcrs.Call.of(sessionId, RfAcrs.EVENT, 0), REALM))
                    .get(10, TimeUnit.SECONDS);
            System.out.println("[freediameter] ACR answered " + answer.resultCode() + (answer.isError() ? " (E)" : ""));
            assertEquals(DiameterConstants.RESULT_UNABLE_TO_DELIVER, answer.resultCode());
            assertTrue(answer.isError(), "3002 is a protocol error: E flag");
            assertEquals(sessionId, RfAcrs.sessionId(answer), "Session-Id echoed");
            // (freeDiameterd's 3002 carries Session-Id, Origin-Host/-Realm, Result-Code and Error-Message only: it
            // does not know the ACA grammar, so Accounting-Record-Type/-Number are not echoed)

            // Tw = 2 s on our side: a DWR after 2 s of silence, answered by freeDiameterd
            DiameterTap t = tap;
            Interop.await("our DWR answered by freeDiameterd", Duration.ofSeconds(15), () -> t.frames().stream().anyMatch(f ->
                    f.commandCode() == DiameterConstants.CMD_DEVICE_WATCHDOG && !f.request()
                            && f.direction() == DiameterTap.Direction.DOWNSTREAM && f.resultCode() == DiameterConstants.RESULT_SUCCESS));
            assertEquals(PeerState.OPEN, client.state());
            assertTrue(fd.isAlive(), "freeDiameterd died");

            client.stop(); // DPR, waits up to 1 s for the DPA
            Interop.await("DPA from freeDiameterd", Duration.ofSeconds(5), () -> t.frames().stream().anyMatch(f ->
                    f.commandCode() == DiameterConstants.CMD_DISCONNECT_PEER && !f.request()
                            && f.direction() == DiameterTap.Direction.DOWNSTREAM));
            DiameterTap.Frame dpa = tap.frames(DiameterConstants.CMD_DISCONNECT_PEER).stream()
                    .filter(f -> !f.request()).findFirst().orElseThrow();
            assertEquals(DiameterConstants.RESULT_SUCCESS, dpa.resultCode());
            assertEquals(PeerState.CLOSED, client.state());
            System.out.println("[freediameter] (a) tap saw: " + tap.frames());
            // freeDiameterd lived through all of it and logged nothing at error level about our peer
            assertTrue(fd.isAlive(), "freeDiameterd died");
            // and its own account of the peer: opened, and closed by our DPR
            fd.awaitOutput("our DPR in its log", Duration.ofSeconds(5), s -> s.contains("Peer '" + CLIENT + "' sent a DPR"));
            String log = fd.stdout() + fd.stderr();
            assertTrue(log.contains("-> 'STATE_OPEN'\t'" + CLIENT + "'"), log);
            assertFalse(log.contains("STATE_SUSPECT"), "freeDiameterd suspected our peer:\n" + log);
            assertFalse(log.contains("FATAL"), log);
        } finally {
            if (client != null) {
                client.stop();
            }
            if (tap != null) {
                tap.close();
            }
            fd.close();
        }
    }

    /** (b) freeDiameterd connects to our DiameterServer (ConnectPeer, No_TLS): CER/CEA, its DWRs answered, its DPR at shutdown. */
    @Test
    void freeDiameterdConnectsToOurServer() throws Exception {
        Path dir = Interop.workDir("freediameter/server");
        FreeDiameterd.makeTlsCredentials(dir, FD);
        RecordingCdf cdf = new RecordingCdf(SERVER, REALM, 0);
        DiameterServer server = new DiameterServer(Interop.identity(SERVER, REALM),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Interop.THREADS, cdf,
                ServerOptions.defaults().withWatchdogInterval(Duration.ofSeconds(30)));
        DiameterTap tap = null;
        ExternalProcess fd = null;
        try {
            server.start();
            tap = new DiameterTap(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.localPort()));
            String peer = "\"" + SERVER + "\" { ConnectTo = \"127.0.0.1\"; Port = " + tap.port() + "; No_TLS; No_SCTP; }";
            Path conf = FreeDiameterd.writeConfig(dir, FD, REALM, Interop.freePort(), Interop.freePort(), 6, REALM, peer);
            fd = FreeDiameterd.start(dir, conf);

            Interop.await("freeDiameterd open at our server", Duration.ofSeconds(20),
                    () -> server.openPeers().stream().anyMatch(p -> p.originHost().equals(FD)));
            assertEquals(REALM, server.openPeers().get(0).originRealm());
            DiameterTap t = tap;
            // our server is OPEN once it has written the CEA; the tap may still be relaying it
            Interop.await("CEA through the tap", Duration.ofSeconds(5), () -> t.frames(DiameterConstants.CMD_CAPABILITIES_EXCHANGE)
                    .stream().anyMatch(f -> !f.request()));
            DiameterTap.Frame cea = tap.frames(DiameterConstants.CMD_CAPABILITIES_EXCHANGE).stream()
                    .filter(f -> !f.request()).findFirst().orElseThrow();
            assertEquals(DiameterConstants.RESULT_SUCCESS, cea.resultCode());
            assertEquals(SERVER, cea.originHost());

            // freeDiameterd's Tw is 6 s (its minimum), jittered by up to 2 s: its DWR comes within ~8 s
            Interop.await("freeDiameterd's DWR answered by our server", Duration.ofSeconds(20), () -> t.frames().stream().anyMatch(f ->
                    f.commandCode() == DiameterConstants.CMD_DEVICE_WATCHDOG && !f.request()
                            && f.direction() == DiameterTap.Direction.DOWNSTREAM && f.resultCode() == DiameterConstants.RESULT_SUCCESS));
            DiameterTap.Frame dwr = tap.frames(DiameterConstants.CMD_DEVICE_WATCHDOG).stream()
                    .filter(DiameterTap.Frame::request).findFirst().orElseThrow();
            assertEquals(DiameterTap.Direction.UPSTREAM, dwr.direction(), "the first DWR comes from freeDiameterd");
            assertEquals(FD, dwr.originHost());
            assertTrue(fd.isAlive(), "freeDiameterd died");
            assertTrue(server.openPeers().stream().anyMatch(p -> p.originHost().equals(FD)), "connection lost after DWR");
            String log = fd.stdout() + fd.stderr();
            assertTrue(log.contains("-> 'STATE_OPEN'\t'" + SERVER + "'"), "freeDiameterd's log:\n" + log);
            assertFalse(log.contains("STATE_SUSPECT"), "freeDiameterd suspected our server:\n" + log);

            // freeDiameterd stopping (SIGTERM) says goodbye with a DPR that we answer
            fd.stop(Duration.ofSeconds(10));
            Interop.await("DPR from freeDiameterd answered", Duration.ofSeconds(5), () -> t.frames().stream().anyMatch(f ->
                    f.commandCode() == DiameterConstants.CMD_DISCONNECT_PEER && !f.request()
                            && f.direction() == DiameterTap.Direction.DOWNSTREAM));
            Interop.await("our server closed the connection", Duration.ofSeconds(5), () -> server.openPeers().isEmpty());
            assertTrue((fd.stdout() + fd.stderr()).contains("'STATE_OPEN'\t-> 'STATE_CLOSING_GRACE'\t'" + SERVER + "'"),
                    "freeDiameterd did not close gracefully:\n" + fd.stdout());
            System.out.println("[freediameter] (b) tap saw: " + tap.frames());
            assertEquals(List.of(), cdf.received(), "freeDiameterd sent no application request");
        } finally {
            if (fd != null) {
                fd.close();
            }
            if (tap != null) {
                tap.close();
            }
            server.stop();
        }
    }
    /** (c) the other direction of the watchdog: our server's own DWR (server Tw = 2 s) is answered by freeDiameterd. */
    @Test
    void ourServerWatchdogIsAnsweredByFreeDiameterd() throws Exception {
        Path dir = Interop.workDir("freediameter/server-watchdog");
        FreeDiameterd.makeTlsCredentials(dir, FD);
        DiameterServer server = new DiameterServer(Interop.identity(SERVER, REALM),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Interop.THREADS, new RecordingCdf(SERVER, REALM, 0),
                ServerOptions.defaults().withWatchdogInterval(Duration.ofSeconds(2)));
        DiameterTap tap = null;
        ExternalProcess fd = null;
        try {
            server.start();
            tap = new DiameterTap(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.localPort()));
            String peer = "\"" + SERVER + "\" { ConnectTo = \"127.0.0.1\"; Port = " + tap.port() + "; No_TLS; No_SCTP; }";
            Path conf = FreeDiameterd.writeConfig(dir, FD, REALM, Interop.freePort(), Interop.freePort(), 30, REALM, peer);
            fd = FreeDiameterd.start(dir, conf);
            Interop.await("freeDiameterd open at our server", Duration.ofSeconds(20),
                    () -> server.openPeers().stream().anyMatch(p -> p.originHost().equals(FD)));
            DiameterTap t = tap;
            // two rounds: the connection survives its first watchdog exchange and keeps answering
            Interop.await("two DWAs from freeDiameterd to our DWRs", Duration.ofSeconds(15), () -> t.frames().stream()
                    .filter(f -> f.commandCode() == DiameterConstants.CMD_DEVICE_WATCHDOG && !f.request()
                            && f.direction() == DiameterTap.Direction.UPSTREAM
                            && f.resultCode() == DiameterConstants.RESULT_SUCCESS).count() >= 2);
            System.out.println("[freediameter] (c) tap saw: " + tap.frames());
            assertTrue(tap.frames(DiameterConstants.CMD_DEVICE_WATCHDOG).stream().filter(DiameterTap.Frame::request)
                    .allMatch(f -> f.direction() == DiameterTap.Direction.DOWNSTREAM && SERVER.equals(f.originHost())),
                    "only our server sends DWRs (freeDiameterd's Tw is 30 s): " + tap.frames());
            assertTrue(server.openPeers().stream().anyMatch(p -> p.originHost().equals(FD)), "connection lost");
            String log = fd.stdout() + fd.stderr();
            assertFalse(log.contains("STATE_SUSPECT"), "freeDiameterd's log:\n" + log);
        } finally {
            if (fd != null) {
                fd.close();
            }
            if (tap != null) {
                tap.close();
            }
            server.stop();
        }
    }
}
