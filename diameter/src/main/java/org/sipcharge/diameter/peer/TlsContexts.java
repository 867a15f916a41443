package org.sipcharge.diameter.peer;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/**
 * TLS contexts for Diameter peers from key stores on disk (RFC 6733 13: TLS from the first byte, both peers
 * authenticated by certificate). The key store holds this node's private key and certificate chain; the trust store
 * holds what it accepts from peers (a CA, or the peers' own certificates). PKCS12 and JKS are both read.
 */
public final class TlsContexts {

    private TlsContexts() {
    }

    /**
     * @throws IllegalArgumentException naming the file and the reason, when a store cannot be read or used
     */
    public static SSLContext fromKeyStores(Path keyStore, char[] keyStorePassword, Path trustStore, char[] trustStorePassword) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(load(keyStore, keyStorePassword, "key store"), keyStorePassword);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(load(trustStore, trustStorePassword, "trust store"));
            // "TLS" enables what the JDK allows: TLS 1.3 and 1.2 on JDK 17 (older versions are disabled, RFC 8996).
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS set-up from key store " + keyStore + " and trust store " + trustStore
                    + " failed: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Path file, char[] password, String what) throws GeneralSecurityException {
        if (file == null || !Files.isReadable(file)) {
            throw new IllegalArgumentException(what + " " + file + " is not a readable file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance(file.toString().endsWith(".jks") ? "JKS" : "PKCS12");
            ks.load(in, password);
            return ks;
        } catch (IOException e) {
            // A wrong password shows up here too (PKCS12 integrity check).
            throw new IllegalArgumentException(what + " " + file + " could not be read (wrong password or format?): " + e.getMessage(), e);
        }
    }
}
