package org.sipcharge.diameter.interop;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Installs the Debian packages an interop test needs with {@code apt-get install -y} when they are missing and the
 * JVM runs as root. When not root and a package is missing, the calling test is skipped (JUnit assumption) with the
 * command to run by hand, rather than failing for a reason that is not about our code.
 */
final class DebianPackages {

    /** Wireshark's console dissector. */
    static final List<String> TSHARK = List.of("tshark");
    /** freeDiameterd (binary /usr/bin/freeDiameterd) and its extensions (acl_wl.fdx lets our client in). */
    static final List<String> FREEDIAMETER = List.of("freediameterd", "freediameter-extensions");
    /** escript and OTP's diameter application. */
    static final List<String> ERLANG = List.of("erlang-base", "erlang-diameter");

    private static final Duration APT_TIMEOUT = Duration.ofMinutes(5);
    private static boolean updated;

    private DebianPackages() {
    }

    /** Makes sure every package is installed, or skips the test. */
    static synchronized void require(List<String> packages) {
        List<String> missing = missing(packages);
        if (missing.isEmpty()) {
            return;
        }
        Assumptions.assumeTrue(isRoot(), "Debian packages " + missing + " are missing and this JVM is not root: run "
                + "`apt-get install -y " + String.join(" ", missing) + "`");
        if (apt("install", missing) != 0 || !missing(missing).isEmpty()) {
            // the package lists may be absent or stale on a fresh machine
            if (!updated) {
                updated = true;
                apt("update", List.of());
            }
            int rc = apt("install", missing);
            if (rc != 0 || !missing(missing).isEmpty()) {
                throw new IllegalStateException("apt-get install -y " + missing + " failed (exit " + rc + ")");
            }
        }
    }

    static List<String> missing(List<String> packages) {
        List<String> missing = new ArrayList<>();
        for (String p : packages) {
            if (!installed(p)) {
                missing.add(p);
            }
        }
        return missing;
    }

    static boolean installed(String pkg) {
        try {
            Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Status}", pkg).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0 && out.contains("install ok installed");
        } catch (IOException e) {
            return false; // no dpkg-query: not Debian
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static boolean isRoot() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            return "0".equals(out);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int apt(String verb, List<String> packages) {
        List<String> cmd = new ArrayList<>(List.of("apt-get", verb, "-y", "-q"));
        cmd.addAll(packages);
        try {
            Path log = Files.createTempFile("apt-" + verb, ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(Map.of("DEBIAN_FRONTEND", "noninteractive"));
            Process p = pb.start();
            try {
                if (!p.waitFor(APT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    return -1;
                }
                int rc = p.exitValue();
                if (rc != 0) {
                    System.err.println("[interop] " + String.join(" ", cmd) + " exited " + rc + ":\n"
                            + Files.readString(log, StandardCharsets.UTF_8));
                }
                return rc;
            } finally {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            System.err.println("[interop] cannot run " + cmd + ": " + e);
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
