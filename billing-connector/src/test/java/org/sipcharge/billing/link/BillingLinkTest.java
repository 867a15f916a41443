package org.sipcharge.billing.link;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BillingLinkTest {

    static final byte[] BODY = "cdrId=a\n".getBytes(StandardCharsets.UTF_8);

    FakeBilling billing;
    BillingLink link;

    @AfterEach
    void stop() throws IOException {
        if (link != null) {
            link.close();
        }
        if (billing != null) {
            billing.close();
        }
    }

    /** Answers each request line with what the function returns (null: close the connection without answer). */
    static final class FakeBilling implements AutoCloseable {
        final ServerSocket server;
        final List<String> requests = new CopyOnWriteArrayList<>();
        final AtomicInteger connections = new AtomicInteger();

        FakeBilling(Function<String, String> answer) throws IOException {
            server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        connections.incrementAndGet();
                        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                        OutputStream out = s.getOutputStream();
                        String line;
                        while ((line = in.readLine()) != null) {
                            requests.add(line);
                            String a = answer.apply(line);
                            if (a == null) {
                                break;
                            }
                            if (!a.isEmpty()) {
                                out.write((a + "\n").getBytes(StandardCharsets.UTF_8));
                                out.flush();
                            }
                        }
                    } catch (IOException e) {
                        // next connection, or closed
                    }
                }
            }, "fake-billing");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    static String id(String request) {
        return request.split(" ")[1];
    }

    @Test
    void ackIsCountedAsDelivered() throws Exception {
        billing = new FakeBilling(r -> "ACK " + id(r));
        link = new BillingLink("127.0.0.1", billing.port(), Duration.ofSeconds(5));
        assertFalse(link.isConnected());
        assertTrue(link.deliver("a", 1, BODY).acknowledged());
        assertTrue(link.deliver("b", 1, BODY).acknowledged());
        assertEquals(2, link.delivered());
        assertTrue(link.isConnected());
        assertEquals(1, billing.connections.get(), "one connection for both CDRs");
        assertEquals(BillingWireProtocol.cdrRequest("a", 1, BODY), billing.requests.get(0));
    }

    @Test
    void nakIsCountedAsRejectedAndKeepsTheConnection() throws Exception {
        billing = new FakeBilling(r -> "NAK " + id(r) + " unknown subscriber");
        link = new BillingLink("127.0.0.1", billing.port(), Duration.ofSeconds(5));
        BillingWireProtocol.Answer a = link.deliver("a", 1, BODY);
        assertFalse(a.acknowledged());
        assertEquals("unknown subscriber", a.reason());
        assertEquals(1, link.rejected());
        assertTrue(link.isConnected());
        assertTrue(link.lastError().contains("unknown subscriber"), link.lastError());
    }

    @Test
    void wrongIdClosesTheConnectionAndTheNextCallReconnects() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        billing = new FakeBilling(r -> calls.incrementAndGet() == 1 ? "ACK other" : "ACK " + id(r));
        link = new BillingLink("127.0.0.1", billing.port(), Duration.ofSeconds(5));
        assertThrows(BillingProtocolException.class, () -> link.deliver("a", 1, BODY));
        assertFalse(link.isConnected());
        assertNotNull(link.lastError());
        assertTrue(link.deliver("a", 1, BODY).acknowledged());
        assertEquals(1, link.delivered());
        Wait.until(Duration.ofSeconds(5), () -> billing.connections.get() == 2, "a second connection");
    }

    @Test
    void peerClosingIsAnIoError() throws Exception {
        billing = new FakeBilling(r -> null);
        link = new BillingLink("127.0.0.1", billing.port(), Duration.ofSeconds(5));
        IOException e = assertThrows(IOException.class, () -> link.deliver("a", 1, BODY));
        assertTrue(e.getMessage().contains("closed the connection"), e.getMessage());
        assertFalse(link.isConnected());
    }

    @Test
    void silenceIsATimeout() throws Exception {
        billing = new FakeBilling(r -> "");
        link = new BillingLink("127.0.0.1", billing.port(), Duration.ofMillis(300));
        assertThrows(SocketTimeoutException.class, () -> link.deliver("a", 1, BODY));
        assertFalse(link.isConnected());
        assertTrue(link.lastError().contains("no answer"), link.lastError());
    }

    @Test
    void nobodyListeningIsAnIoError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        link = new BillingLink("127.0.0.1", port, Duration.ofSeconds(1));
        IOException e = assertThrows(IOException.class, () -> link.deliver("a", 1, BODY));
        assertTrue(e.getMessage().startsWith("cannot connect"), e.getMessage());
        assertEquals("127.0.0.1:" + port, link.address());
        assertEquals(0, link.delivered());
    }

    /** Polls with a deadline instead of sleeping. */
    static final class Wait {
        static void until(Duration timeout, java.util.function.BooleanSupplier condition, String what) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out waiting for " + what);
                }
                Thread.onSpinWait();
            }
        }
    }
}
