package org.sipcharge.diameter.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * freeDiameterd 1.2.1 (Debian) with a generated configuration: its own Identity and Realm, TCP only on free ports,
 * TLS credentials made with openssl at test time (freeDiameter refuses to start without them even when every peer
 * is No_TLS), the acl_wl extension letting peers of our realm connect without TLS, and optional ConnectPeer entries.
 */
final class FreeDiameterd {

    static final String BINARY = "/usr/bin/freeDiameterd";
    static final String ACL_WL = "/usr/lib/freeDiameter/acl_wl.fdx";

    private FreeDiameterd() {
    }

    /** A self-signed certificate and key in {@code dir} (cert.pem, key.pem), made once per directory. */
    static void makeTlsCredentials(Path dir, String commonName) {
        if (Files.exists(dir.resolve("cert.pem")) && Files.exists(dir.resolve("key.pem"))) {
            return;
        }
        try (ExternalProcess p = ExternalProcess.start("openssl", dir, List.of("openssl", "req", "-x509",
                "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2",
                "-subj", "/CN=" + commonName))) {
            int rc = p.waitFor(Duration.ofSeconds(60));
            if (rc != 0) {
                throw new AssertionError("openssl exited " + rc + ": " + p.stderr());
            }
        }
    }

    /**
     * Writes freeDiameter.conf and acl.conf into {@code dir}.
     *
     * @param allowedDomain peers *.allowedDomain may connect without TLS (acl_wl: ALLOW_OLD_TLS ALLOW_IPSEC)
     * @param connectPeer   a ConnectPeer line's body ("id" { ... }) or null
     */
    static Path writeConfig(Path dir, String identity, String realm, int port, int secPort, int twSeconds,
                            String allowedDomain, String connectPeer) {
        String acl = "ALLOW_OLD_TLS ALLOW_IPSEC *." + allowedDomain + "\n";
        String conf = """
                Identity = "%s";
                Realm = "%s";
                Port = %d;
                SecPort = %d;
                No_SCTP;
                No_IPv6;
                ListenOn = "127.0.0.1";
                TwTimer = %d;
                TcTimer = 6;
                AppServThreads = 2;
                TLS_Cred = "%s", "%s";
                TLS_CA = "%s";
                LoadExtension = "%s" : "%s";
                """.formatted(identity, realm, port, secPort, twSeconds,
                dir.resolve("cert.pem"), dir.resolve("key.pem"), dir.resolve("cert.pem"), ACL_WL, dir.resolve("acl.conf"));
        if (connectPeer != null) {
            conf += "ConnectPeer = " + connectPeer + ";\n";
        }
        try {
            Files.writeString(dir.resolve("acl.conf"), acl);
            Path file = dir.resolve("freeDiameter.conf");
            Files.writeString(file, conf);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts freeDiameterd and waits until it says it is initialized. */
    static ExternalProcess start(Path dir, Path config) {
        ExternalProcess p = ExternalProcess.start("freeDiameterd", dir, List.of(BINARY, "-c", config.toString()));
        boolean ok = false;
        try {
            p.awaitOutput("'daemon initialized'", Duration.ofSeconds(20), s -> s.contains("daemon initialized"));
            ok = true;
            return p;
        } finally {
            if (!ok) {
                p.close();
            }
        }
    }
}
