package org.sipcharge.billing.files;

import org.eclipse.microprofile.config.Config;
import org.sipcharge.cdr.file.CdrFileWriter;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Configuration of the CDR files (MicroProfile Config):
 * <ul>
 *   <li>{@value #SYSTEM_KEY}: the billing system (one of {@code sipcharge.billing.systems}) whose CDRs are written
 *       to files; empty (the default): no files;</li>
 *   <li>{@value #DIRECTORY_KEY}: where (default {@code <instance root>/cdr-files}; in a cluster every instance must
 *       name the same directory, cluster.sh does);</li>
 *   <li>{@value #NODE_ID_KEY} (default {@code sipcharge}): first part of the file names (TS 32.297 6.1.4);</li>
 *   <li>{@value #MAX_BYTES_KEY} (default 4 MiB), {@value #MAX_CDRS_KEY} (default 10,000) and {@value #MAX_OPEN_KEY}
 *       (default PT15M): a file is closed on the first limit reached.</li>
 * </ul>
 */
public final class CdrFileSettings {

    public static final String SYSTEM_KEY = "sipcharge.billing.file-system";
    public static final String DIRECTORY_KEY = "sipcharge.cdr-files.directory";
    public static final String NODE_ID_KEY = "sipcharge.cdr-files.node-id";
    public static final String MAX_BYTES_KEY = "sipcharge.cdr-files.max-bytes";
    public static final String MAX_CDRS_KEY = "sipcharge.cdr-files.max-cdrs";
    public static final String MAX_OPEN_KEY = "sipcharge.cdr-files.max-open-time";
    /** TS 32.298 release of the records' ASN.1 (Rel-17) and the version of that specification, for the file header. */
    static final int RELEASE = 17;
    static final int VERSION = 0;

    private CdrFileSettings() {
    }

    /** The billing system written to files, or null. */
    public static String system(Config config) {
        return config.getOptionalValue(SYSTEM_KEY, String.class).map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
    }

    public static CdrFileWriter.Settings writerSettings(Config config) {
        String dir = config.getOptionalValue(DIRECTORY_KEY, String.class).map(String::trim).filter(s -> !s.isEmpty())
                .orElseGet(() -> Path.of(System.getProperty("com.sun.aas.instanceRoot", "."), "cdr-files").toString());
        String nodeId = config.getOptionalValue(NODE_ID_KEY, String.class).orElse("sipcharge").trim();
        long maxBytes = config.getOptionalValue(MAX_BYTES_KEY, Long.class).orElse(4L * 1024 * 1024);
        int maxCdrs = config.getOptionalValue(MAX_CDRS_KEY, Integer.class).orElse(10_000);
        String open = config.getOptionalValue(MAX_OPEN_KEY, String.class).orElse("PT15M").trim();
        InetAddress address;
        try {
            address = InetAddress.getLocalHost();
        } catch (UnknownHostException e) {
            address = InetAddress.getLoopbackAddress();
        }
        try {
            return new CdrFileWriter.Settings(Path.of(dir), nodeId, address, RELEASE, VERSION, maxBytes, maxCdrs, Duration.parse(open));
        } catch (RuntimeException e) {
            throw new IllegalStateException("BIL-070 CDR file settings (" + DIRECTORY_KEY + ", " + NODE_ID_KEY + ", "
                    + MAX_BYTES_KEY + ", " + MAX_CDRS_KEY + ", " + MAX_OPEN_KEY + "): " + e.getMessage(), e);
        }
    }
}
