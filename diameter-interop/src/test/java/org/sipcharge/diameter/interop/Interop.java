package org.sipcharge.diameter.interop;

import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.peer.ClientOptions;
import org.sipcharge.diameter.peer.LocalIdentity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Shared fixtures of the interop tests. */
final class Interop {

    static final ThreadFactory THREADS = r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    };

    private Interop() {
    }

    /** A port free right now on loopback (bind port 0, read it, release it). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** target/interop/NAME, created. */
    static Path workDir(String name) {
        Path base = Path.of(System.getProperty("interop.work", "target/interop"));
        Path dir = base.resolve(name).toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** src/test/erlang (set by failsafe; falls back to the path relative to the module). */
    static Path erlangDir() {
        return Path.of(System.getProperty("interop.erlangDir", "src/test/erlang")).toAbsolutePath();
    }

    /** Polls the condition every 5 ms until it holds or the deadline passes. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout + " waiting for: " + what);
            }
            LockSupport.parkNanos(5_000_000L);
        }
    }

    static LocalIdentity identity(String host, String realm) {
        return new LocalIdentity(host, realm, InetAddress.getLoopbackAddress(), DiameterConstants.VENDOR_3GPP,
                "sipcharge-interop", 1, System.currentTimeMillis() / 1000, Set.of(DiameterConstants.APP_BASE_ACCOUNTING));
    }

    static ClientOptions clientOptions(Duration watchdog) {
        return ClientOptions.defaults().withWatchdogInterval(watchdog)
                .withReconnect(Duration.ofMillis(200), Duration.ofSeconds(1));
    }
}
