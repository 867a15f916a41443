package org.sipcharge.systemtests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A TLS key pair and a trust store holding its certificate, made by the JDK's keytool for one test run with a random
 * password: nothing secret is in the repository. One node's certificate trusted by itself is what a single server
 * whose CTF charges against its own CDF over TLS needs.
 */
final class TestKeys {

    final Path keyStore;
    final Path trustStore;
    final String password;

    private TestKeys(Path keyStore, Path trustStore, String password) {
        this.keyStore = keyStore;
        this.trustStore = trustStore;
        this.password = password;
    }

    static TestKeys selfTrusting(Path dir, String name) throws Exception {
        Files.createDirectories(dir);
        byte[] b = new byte[12];
        new SecureRandom().nextBytes(b);
        String password = HexFormat.of().formatHex(b);
        Path keys = dir.resolve(name + ".p12");
        Path trust = dir.resolve(name + "-trust.p12");
        Path pem = dir.resolve(name + ".pem");
        for (Path p : List.of(keys, trust, pem)) {
            Files.deleteIfExists(p);
        }
        keytool(dir, "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", keys.toString(),
                "-storepass", password, "-keypass", password);
        keytool(dir, "-exportcert", "-rfc", "-alias", name, "-keystore", keys.toString(), "-storepass", password, "-file", pem.toString());
        keytool(dir, "-importcert", "-noprompt", "-alias", name, "-file", pem.toString(), "-storetype", "PKCS12",
                "-keystore", trust.toString(), "-storepass", password);
        return new TestKeys(keys, trust, password);
    }

    private static void keytool(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Processes.Result r = Processes.run(cmd, Map.of(), dir.resolve("keytool.log"), Duration.ofSeconds(60));
        if (r.exitCode() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + r.output());
        }
    }
}
