package org.sipcharge.simulators.terminal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sipcharge.simulators.billing.BillingSystemSimulator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

class TerminalServerSimulatorTest {

    @TempDir
    Path dir;
    BillingSystemSimulator billing;
    TerminalServerSimulator terminal;
    int port;

    @BeforeEach
    void start() throws IOException {
        billing = new BillingSystemSimulator("127.0.0.1", 0, dir.resolve("received.tsv"), 0);
        int billingPort = billing.start();
        terminal = new TerminalServerSimulator("127.0.0.1", 0, new InetSocketAddress("127.0.0.1", billingPort), Duration.ofSeconds(1));
        port = terminal.start();
    }

    @AfterEach
    void stop() {
        terminal.close();
        billing.close();
    }

    @Test
    void relaysOneConnectionAndRefusesASecondUntilTheFirstCloses() throws Exception {
        try (Client a = new Client(port)) {
            assertEquals("PONG", a.call("PING"));
            try (Client b = new Client(port)) {
                assertNull(b.in.readLine(), "a second connection is closed without a byte");
            }
            waitUntil(() -> terminal.refused() == 1, "the refusal counted");
            assertEquals("PONG", a.call("PING"), "the first connection keeps the line");
        }
        waitUntil(() -> !terminal.lineHeld(), "the line freed when its holder closes");
        try (Client c = new Client(port)) {
            assertEquals("PONG", c.call("PING"));
        }
        assertEquals(2, terminal.admitted());
    }

    @Test
    void silentHolderIsDroppedAfterTheIdleTimeout() throws Exception {
        try (Client a = new Client(port)) {
            assertEquals("PONG", a.call("PING"));
            assertNull(a.in.readLine(), "dropped after 1 s of silence");
        }
        waitUntil(() -> terminal.idleDrops() == 1 && !terminal.lineHeld(), "the idle drop");
        try (Client b = new Client(port)) {
            assertEquals("PONG", b.call("PING"));
        }
    }

    @Test
    void aStalledAddressGetsNoAnswersWhileOthersAreServed() throws Exception {
        try (Client a = new Client(port)) {
            assertEquals("PONG", a.call("PING"));
            terminal.stallActive();
            a.socket.setSoTimeout(500);
            assertThrows(java.net.SocketTimeoutException.class, () -> a.call("PING"));
        }
        waitUntil(() -> !terminal.lineHeld(), "the line freed");
        try (Client again = new Client(port)) {
            again.socket.setSoTimeout(500);
            assertThrows(java.net.SocketTimeoutException.class, () -> again.call("PING"), "the same address stays stalled");
        }
        waitUntil(() -> !terminal.lineHeld(), "the line freed");
        try (Client other = new Client(port, "127.0.0.2")) {
            assertEquals("PONG", other.call("PING"), "another client address is served");
        }
    }

    static void waitUntil(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.onSpinWait();
        }
    }

    static final class Client implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;

        Client(int port) throws IOException {
            this(port, "127.0.0.1");
        }

        Client(int port, String from) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port, InetAddress.getByName(from), 0);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        String call(String line) throws IOException {
            socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
