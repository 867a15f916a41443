package org.sipcharge.diameter.peer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Diameter over TLS from the first byte (RFC 6733 13.1, mutual authentication). Keys and certificates are made by
 * the JDK's keytool for each run, with a random password, in a temporary directory: nothing secret is in the
 * repository.
 */
class TlsTransportTest {

    @TempDir
    static Path dir;
    static String password;
    static SSLContext cdfTls;
    static SSLContext ctfTls;
    static SSLContext strangerTls;

    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();

    @BeforeAll
    static void makeKeys() throws Exception {
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        password = HexFormat.of().formatHex(b);
        keyPair("cdf", "ip:127.0.0.1,dns:localhost");
        keyPair("ctf", "dns:ctf.test.realm");
        keyPair("stranger", "dns:stranger.test.realm");
        trust("cdf-trust", "ctf");
        trust("ctf-trust", "cdf");
        trust("stranger-trust", "cdf");
        cdfTls = context("cdf", "cdf-trust");
        ctfTls = context("ctf", "ctf-trust");
        strangerTls = context("stranger", "stranger-trust");
    }

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

    @Test
    void unreadableOrWrongPasswordKeyStoresFailWithTheFileNamed() {
        IllegalArgumentException missing = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TlsContexts.fromKeyStores(dir.resolve("none.p12"), password.toCharArray(), dir.resolve("cdf-trust.p12"),
                        password.toCharArray()));
        assertTrue(missing.getMessage().contains("none.p12"), missing.getMessage());
        IllegalArgumentException wrong = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> TlsContexts.fromKeyStores(dir.resolve("cdf.p12"), "not-it".toCharArray(), dir.resolve("cdf-trust.p12"),
                        password.toCharArray()));
        assertTrue(wrong.getMessage().contains("cdf.p12") && wrong.getMessage().contains("wrong password"), wrong.getMessage());
    }

    @Test
    void cerAndAcrTravelOverMutuallyAuthenticatedTls() throws Exception {
        DiameterServer server = server();
        DiameterClient client = client(server, ctfTls);
        PeerLoopbackTest.await("client open over TLS", Duration.ofSeconds(15), client::isOpen);
        DiameterMessage aca = client.send(PeerLoopbackTest.acr(0)).get(10, TimeUnit.SECONDS);
        assertEquals(DiameterConstants.RESULT_SUCCESS, aca.resultCode());
    }

    @Test
    void aPeerWhoseCertificateIsNotTrustedNeverOpens() throws Exception {
        DiameterServer server = server();
        DiameterClient stranger = client(server, strangerTls);
        DiameterClient plain = client(server, null);
        DiameterClient trusted = client(server, ctfTls);
        PeerLoopbackTest.await("trusted client open", Duration.ofSeconds(15), trusted::isOpen);
        // By the time a trusted peer is through, the others have tried at least once; they must still be out.
        PeerLoopbackTest.await("stranger refused", Duration.ofSeconds(15), () -> !stranger.lastError().isEmpty());
        PeerLoopbackTest.await("plain TCP refused", Duration.ofSeconds(15), () -> !plain.lastError().isEmpty());
        assertFalse(stranger.isOpen(), "a client with an untrusted certificate: " + stranger.lastError());
        assertFalse(plain.isOpen(), "a client without TLS: " + plain.lastError());
        assertTrue(trusted.isOpen());
    }

    private DiameterServer server() throws IOException {
        DiameterServer server = new DiameterServer(PeerLoopbackTest.identity(PeerLoopbackTest.SERVER_HOST, Set.of(3L)),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), PeerLoopbackTest.THREADS,
                (request, peer) -> PeerLoopbackTest.aca(request), ServerOptions.defaults().withTls(cdfTls));
        server.start();
        cleanup.push(server::stop);
        return server;
    }

    private DiameterClient client(DiameterServer server, SSLContext tls) {
        ClientOptions options = ClientOptions.defaults().withReconnect(Duration.ofMillis(200), Duration.ofSeconds(1))
                .withRequestTimeout(Duration.ofSeconds(5));
        DiameterClient client = new DiameterClient(PeerLoopbackTest.identity("c" + System.nanoTime() + ".test.realm", Set.of(3L)),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), server.localPort()), "test.realm", PeerLoopbackTest.THREADS,
                tls == null ? options : options.withTls(tls));
        client.start();
        cleanup.push(client::stop);
        return client;
    }

    private static void keyPair(String name, String san) throws Exception {
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "san=" + san, "-validity", "2", "-storetype", "PKCS12",
                "-keystore", dir.resolve(name + ".p12").toString(), "-storepass", password, "-keypass", password);
        keytool("-exportcert", "-rfc", "-alias", name, "-keystore", dir.resolve(name + ".p12").toString(),
                "-storepass", password, "-file", dir.resolve(name + ".pem").toString());
    }

    private static void trust(String store, String certOf) throws Exception {
        keytool("-importcert", "-noprompt", "-alias", certOf, "-file", dir.resolve(certOf + ".pem").toString(),
                "-storetype", "PKCS12", "-keystore", dir.resolve(store + ".p12").toString(), "-storepass", password);
    }

    private static SSLContext context(String keys, String trust) {
        return TlsContexts.fromKeyStores(dir.resolve(keys + ".p12"), password.toCharArray(), dir.resolve(trust + ".p12"),
                password.toCharArray());
    }

    private static void keytool(String... args) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> cmd = new java.util.ArrayList<>(List.of(keytool.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
        }
    }
}
