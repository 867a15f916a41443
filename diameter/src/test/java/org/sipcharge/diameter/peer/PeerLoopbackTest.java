package org.sipcharge.diameter.peer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;
import org.sipcharge.diameter.SessionIds;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Server and client on loopback (port 0), and raw sockets crafting good and bad frames. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerLoopbackTest {

    static final String SERVER_HOST = "cdf.test";
    static final String CLIENT_HOST = "cscf.test";
    static final ThreadFactory THREADS = r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    };

    private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();

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

    // ---- fixtures

    static LocalIdentity identity(String host, Set<Long> apps) {
        return new LocalIdentity(host, "test.realm", InetAddress.getLoopbackAddress(), DiameterConstants.VENDOR_3GPP,
                "sipcharge-test", 1, 1_700_000_000L, apps);
    }

    /** ACR -> ACA 2001 echoing Session-Id and the record type and number. */
    static CompletableFuture<DiameterMessage> aca(DiameterMessage acr) {
        DiameterMessage.Builder b = DiameterMessage.answerTo(acr);
        acr.avp(DiameterConstants.AVP_SESSION_ID).ifPresent(b::add);
        b.add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, DiameterConstants.RESULT_SUCCESS))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, SERVER_HOST))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "test.realm"));
        acr.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE).ifPresent(b::add);
        acr.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).ifPresent(b::add);
        return CompletableFuture.completedFuture(b.build());
    }

    static DiameterMessage.Builder acr(long recordNumber) {
        return DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, DiameterConstants.APP_BASE_ACCOUNTING)
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, SessionIds.next(CLIENT_HOST)))
                .add(Avp.utf8(DiameterConstants.AVP_DESTINATION_REALM, 0, true, "test.realm"))
                .add(Avp.enumerated(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, 1))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, recordNumber))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, 3))
                .add(Avp.utf8(DiameterConstants.AVP_SERVICE_CONTEXT_ID, 0, true, DiameterConstants.SERVICE_CONTEXT_ID_IMS));
    }

    DiameterServer startServer(RequestHandler handler, ServerOptions options) throws IOException {
        DiameterServer server = new DiameterServer(identity(SERVER_HOST, Set.of(3L)),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), THREADS, handler, options);
        server.start();
        cleanup.push(server::stop);
        assertTrue(server.isRunning());
        assertTrue(server.localPort() > 0);
        return server;
    }

    DiameterServer startServer(RequestHandler handler) throws IOException {
        return startServer(handler, ServerOptions.defaults());
    }

    DiameterClient startClient(DiameterServer server, String host, Set<Long> apps, ClientOptions options) {
        DiameterClient client = new DiameterClient(identity(host, apps),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), server.localPort()), "test.realm", THREADS, options);
        client.start();
        cleanup.push(client::stop);
        return client;
    }

    DiameterClient startClient(DiameterServer server) {
        return startClient(server, CLIENT_HOST, Set.of(3L), ClientOptions.defaults().withReconnect(Duration.ofMillis(200), Duration.ofSeconds(1)));
    }

    RawPeer raw(DiameterServer server) throws IOException {
        RawPeer p = new RawPeer(server.localPort());
        cleanup.push(p);
        return p;
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            LockSupport.parkNanos(2_000_000); // poll interval, bounded by the deadline above
        }
    }

    static void awaitOpen(DiameterClient client) {
        await("client open", Duration.ofSeconds(10), client::isOpen);
    }

    // ---- capabilities exchange and requests

    @Test
    void clientExchangesCapabilitiesAndIsOpen() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        DiameterClient client = startClient(server);
        awaitOpen(client);
        assertEquals(PeerState.OPEN, client.state());
        await("server lists the client", Duration.ofSeconds(5),
                () -> server.openPeers().stream().anyMatch(p -> p.originHost().equals(CLIENT_HOST)));
        PeerInfo peer = server.openPeers().get(0);
        assertEquals("test.realm", peer.originRealm());
        assertTrue(peer.remoteAddress().getAddress().isLoopbackAddress());
        assertEquals("test.realm", client.destinationRealm());
    }

    @Test
    void answersCompletedInsideAWriteBatchLeaveWhenTheBatchEnds() throws Exception {
        // As the CDF's group commit does: hold the answers, then complete them all on one thread in one batch.
        List<CompletableFuture<DiameterMessage>> held = new ArrayList<>();
        List<DiameterMessage> requests = new ArrayList<>();
        DiameterServer server = startServer((r, p) -> {
            CompletableFuture<DiameterMessage> f = new CompletableFuture<>();
            synchronized (held) {
                held.add(f);
                requests.add(r);
            }
            return f;
        });
        DiameterClient client = startClient(server);
        awaitOpen(client);
        int n = 200;
        List<CompletableFuture<DiameterMessage>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            answers.add(client.send(acr(i)));
        }
        await("all requests reached the server", Duration.ofSeconds(10), () -> {
            synchronized (held) {
                return held.size() == n;
            }
        });
        CompletableFuture<Void> batchDone = new CompletableFuture<>();
        Thread committer = new Thread(() -> WriteBatch.run(() -> {
            synchronized (held) {
                for (int i = 0; i < n; i++) {
                    held.get(i).complete(aca(requests.get(i)).join());
                }
            }
            // Buffered, not sent: nothing may have reached the client while the batch is open.
            if (answers.stream().anyMatch(CompletableFuture::isDone)) {
                batchDone.completeExceptionally(new AssertionError("an answer left before the batch ended"));
            }
        }));
        committer.start();
        for (int i = 0; i < n; i++) {
            DiameterMessage aca = answers.get(i).get(10, TimeUnit.SECONDS);
            assertEquals(DiameterConstants.RESULT_SUCCESS, aca.resultCode());
            assertEquals(i, aca.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow().asUnsigned32());
        }
        committer.join(10_000);
        assertFalse(batchDone.isCompletedExceptionally(), "answers must wait for the end of the batch");
    }

    @Test
    void requestsSentFromAnswerCallbacksOnTheReaderAreDelivered() throws Exception {
        // The load generator's pattern (STOP sent from START's answer, on the reader thread): the reader batches these
        // writes and must flush them before it waits for more input, or both sides would wait for ever.
        DiameterServer server = startServer((r, p) -> aca(r));
        DiameterClient client = startClient(server);
        awaitOpen(client);
        int n = 300;
        List<CompletableFuture<DiameterMessage>> seconds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CompletableFuture<DiameterMessage> second = new CompletableFuture<>();
            seconds.add(second);
            client.send(acr(2L * i)).whenComplete((a, e) -> {
                if (e != null) {
                    second.completeExceptionally(e);
                } else {
                    client.send(acr(2L * a.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow().asUnsigned32() + 1))
                            .whenComplete((a2, e2) -> {
                                if (e2 != null) {
                                    second.completeExceptionally(e2);
                                } else {
                                    second.complete(a2);
                                }
                            });
                }
            });
        }
        for (CompletableFuture<DiameterMessage> f : seconds) {
            assertEquals(DiameterConstants.RESULT_SUCCESS, f.get(10, TimeUnit.SECONDS).resultCode());
        }
    }

    @Test
    void acrIsAnsweredByAcaMatchedByHopByHop() throws Exception {
        Map<Long, DiameterMessage> seen = new ConcurrentHashMap<>();
        Map<Long, PeerInfo> seenFrom = new ConcurrentHashMap<>();
        DiameterServer server = startServer((r, p) -> {
            long n = r.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow().asUnsigned32();
            seen.put(n, r);
            seenFrom.put(n, p);
            return aca(r);
        });
        DiameterClient client = startClient(server);
        awaitOpen(client);

        DiameterMessage aca = client.send(acr(7)).get(5, TimeUnit.SECONDS);

        DiameterMessage acr = seen.get(7L);
        assertEquals(DiameterConstants.RESULT_SUCCESS, aca.resultCode());
        assertFalse(aca.isRequest());
        assertFalse(aca.isError());
        assertEquals(DiameterConstants.CMD_ACCOUNTING, aca.commandCode());
        assertEquals(acr.hopByHop(), aca.hopByHop());
        assertEquals(acr.endToEnd(), aca.endToEnd());
        assertNotEquals(0, acr.hopByHop(), "the client assigns identifiers");
        assertEquals(7L, aca.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow().asUnsigned32());
        assertEquals(acr.avp(DiameterConstants.AVP_SESSION_ID), aca.avp(DiameterConstants.AVP_SESSION_ID));
        // the client adds Origin-Host and Origin-Realm right after Session-Id
        assertEquals(DiameterConstants.AVP_SESSION_ID, acr.avps().get(0).code());
        assertEquals(DiameterConstants.AVP_ORIGIN_HOST, acr.avps().get(1).code());
        assertEquals(CLIENT_HOST, acr.avps().get(1).asUtf8());
        assertEquals(DiameterConstants.AVP_ORIGIN_REALM, acr.avps().get(2).code());
        assertTrue(acr.isRequest());
        assertEquals(CLIENT_HOST, seenFrom.get(7L).originHost());
    }

    @Test
    void twoHundredConcurrentRequestsAnsweredOutOfOrderAreAllMatched() throws Exception {
        int n = 200;
        Map<Long, Integer> hbhByRecord = new ConcurrentHashMap<>();
        List<DiameterMessage> held = new ArrayList<>();
        List<CompletableFuture<DiameterMessage>> answers = new ArrayList<>();
        DiameterServer server = startServer((r, p) -> {
            // called on the connection's reader thread: hold every answer until all have arrived,
            // then answer in reverse order
            hbhByRecord.put(r.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow().asUnsigned32(), r.hopByHop());
            CompletableFuture<DiameterMessage> f = new CompletableFuture<>();
            held.add(r);
            answers.add(f);
            if (held.size() == n) {
                for (int i = n - 1; i >= 0; i--) {
                    answers.get(i).complete(aca(held.get(i)).join());
                }
            }
            return f;
        });
        DiameterClient client = startClient(server);
        awaitOpen(client);

        ExecutorService senders = Executors.newFixedThreadPool(8, THREADS);
        cleanup.push(senders::shutdownNow);
        List<CompletableFuture<CompletableFuture<DiameterMessage>>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long record = i;
            sent.add(CompletableFuture.supplyAsync(() -> client.send(acr(record)), senders));
        }
        Set<Integer> hopByHops = new HashSet<>();
        for (int i = 0; i < n; i++) {
            DiameterMessage aca = sent.get(i).get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
            assertEquals(DiameterConstants.RESULT_SUCCESS, aca.resultCode());
            long record = aca.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow().asUnsigned32();
            assertEquals(i, record, "answer " + i + " is the answer to request " + i);
            assertEquals(hbhByRecord.get(record), aca.hopByHop());
            hopByHops.add(aca.hopByHop());
        }
        assertEquals(n, hopByHops.size(), "hop-by-hop identifiers are unique");
        assertTrue(client.isOpen());
    }

    @Test
    void handlerThatNeverAnswersTimesOutOnTheClient() throws Exception {
        CompletableFuture<Boolean> called = new CompletableFuture<>();
        DiameterServer server = startServer((r, p) -> {
            called.complete(true);
            return new CompletableFuture<>(); // never completed
        });
        DiameterClient client = startClient(server, CLIENT_HOST, Set.of(3L),
                ClientOptions.defaults().withRequestTimeout(Duration.ofMillis(300)));
        awaitOpen(client);
        long start = System.nanoTime();
        CompletableFuture<DiameterMessage> answer = client.send(acr(1));
        ExecutionException e = assertThrows(ExecutionException.class, () -> answer.get(10, TimeUnit.SECONDS));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertInstanceOf(TimeoutException.class, e.getCause());
        assertTrue(elapsedMs >= 250, "timed out after " + elapsedMs + " ms, before the 300 ms timeout");
        assertTrue(called.get(5, TimeUnit.SECONDS));
        // The timeout makes the peer suspect (DIA-033) until it answers the DWR sent at once; it does.
        await("a timeout does not close the connection: the peer answers the DWR", Duration.ofSeconds(5), client::isOpen);
    }

    @Test
    void handlerThatFailsIsAnswered5012() throws Exception {
        DiameterServer server = startServer((r, p) -> {
            if (r.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow().asUnsigned32() == 1) {
                throw new IllegalStateException("boom");
            }
            return CompletableFuture.failedFuture(new IllegalStateException("async boom"));
        });
        DiameterClient client = startClient(server);
        awaitOpen(client);
        for (long record : new long[]{1, 2}) {
            DiameterMessage a = client.send(acr(record)).get(5, TimeUnit.SECONDS);
            assertEquals(DiameterConstants.RESULT_UNABLE_TO_COMPLY, a.resultCode());
            assertFalse(a.isError());
            assertEquals(record, a.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow().asUnsigned32());
        }
    }

    @Test
    void requestForAnApplicationNotServedIs3007() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        DiameterClient client = startClient(server);
        awaitOpen(client);
        DiameterMessage a = client.send(DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 4)
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, "s"))).get(5, TimeUnit.SECONDS);
        assertEquals(DiameterConstants.RESULT_APPLICATION_UNSUPPORTED, a.resultCode());
        assertTrue(a.isError());
    }

    @Test
    void sendBeforeOpenFailsAtOnce() {
        DiameterClient client = new DiameterClient(identity(CLIENT_HOST, Set.of(3L)),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), "test.realm", THREADS, ClientOptions.defaults());
        assertEquals(PeerState.CLOSED, client.state());
        CompletableFuture<DiameterMessage> f = client.send(acr(1));
        assertTrue(f.isCompletedExceptionally());
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(1, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, e.getCause());
    }

    // ---- capabilities refused

    @Test
    void clientNotInAllowedPeersGets3010AndIsNotOpen() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r), ServerOptions.defaults().withAllowedPeers(Set.of("other.test")));
        DiameterClient client = startClient(server, CLIENT_HOST, Set.of(3L),
                ClientOptions.defaults().withReconnect(Duration.ofSeconds(30), Duration.ofSeconds(30)));
        await("client refused with 3010", Duration.ofSeconds(10), () -> client.lastError().contains("3010"));
        assertFalse(client.isOpen());
        assertNotEquals(PeerState.OPEN, client.state());
        assertTrue(server.openPeers().isEmpty());
    }

    @Test
    void rawCerFromUnknownPeerGetsCea3010WithEBitThenClose() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r), ServerOptions.defaults().withAllowedPeers(Set.of("other.test")));
        RawPeer peer = raw(server);
        DiameterMessage cea = peer.exchangeCapabilities("intruder.test", 3);
        assertEquals(DiameterConstants.RESULT_UNKNOWN_PEER, cea.resultCode());
        assertTrue(cea.isError());
        assertEquals(DiameterConstants.CMD_CAPABILITIES_EXCHANGE, cea.commandCode());
        assertEquals(SERVER_HOST, cea.avp(DiameterConstants.AVP_ORIGIN_HOST).orElseThrow().asUtf8());
        assertTrue(peer.closedByPeerWithin(Duration.ofSeconds(5)));
        // an allowed peer is accepted
        RawPeer allowed = raw(server);
        assertEquals(DiameterConstants.RESULT_SUCCESS, allowed.exchangeCapabilities("other.test", 3).resultCode());
    }

    @Test
    void clientWithNoCommonApplicationGets5010AndIsNotOpen() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        DiameterClient client = startClient(server, CLIENT_HOST, Set.of(4L),
                ClientOptions.defaults().withReconnect(Duration.ofSeconds(30), Duration.ofSeconds(30)));
        await("client refused with 5010", Duration.ofSeconds(10), () -> client.lastError().contains("5010"));
        assertFalse(client.isOpen());
        assertTrue(server.openPeers().isEmpty());
    }

    @Test
    void rawCerWithNoCommonApplicationGetsCea5010WithoutEBitThenClose() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        RawPeer peer = raw(server);
        DiameterMessage cea = peer.exchangeCapabilities("raw.test", 4, 16777238);
        assertEquals(DiameterConstants.RESULT_NO_COMMON_APPLICATION, cea.resultCode());
        assertFalse(cea.isError());
        assertTrue(peer.closedByPeerWithin(Duration.ofSeconds(5)));

        RawPeer none = raw(server);
        assertEquals(DiameterConstants.RESULT_NO_COMMON_APPLICATION, none.exchangeCapabilities("raw2.test").resultCode());
    }

    @Test
    void applicationOfferedInVendorSpecificApplicationIdOrRelayIsCommon() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        RawPeer vsai = raw(server);
        vsai.send(RawPeer.cer("vsai.test").add(Avp.grouped(DiameterConstants.AVP_VENDOR_SPECIFIC_APPLICATION_ID, 0, true, List.of(
                Avp.unsigned32(DiameterConstants.AVP_VENDOR_ID, 0, true, DiameterConstants.VENDOR_3GPP),
                Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, 3)))).build());
        assertEquals(DiameterConstants.RESULT_SUCCESS, vsai.read().resultCode());

        RawPeer relay = raw(server);
        assertEquals(DiameterConstants.RESULT_SUCCESS, relay.exchangeCapabilities("relay.test", DiameterConstants.APP_RELAY).resultCode());
    }

    @Test
    void cerMissingAMandatoryAvpGets5005NamingIt() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        RawPeer peer = raw(server);
        DiameterMessage cer = DiameterMessage.request(DiameterConstants.CMD_CAPABILITIES_EXCHANGE, 0).proxiable(false)
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "raw.test"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "raw.realm"))
                .add(Avp.address(DiameterConstants.AVP_HOST_IP_ADDRESS, 0, true, InetAddress.getLoopbackAddress()))
                .add(Avp.utf8(DiameterConstants.AVP_PRODUCT_NAME, 0, false, "raw"))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, 3)).build();
        peer.send(cer);
        DiameterMessage cea = peer.read();
        assertEquals(DiameterConstants.RESULT_MISSING_AVP, cea.resultCode());
        Avp failed = cea.avp(DiameterConstants.AVP_FAILED_AVP).orElseThrow().groupedAvps().get(0);
        assertEquals(DiameterConstants.AVP_VENDOR_ID, failed.code());
        assertTrue(peer.closedByPeerWithin(Duration.ofSeconds(5)));
    }

    @Test
    void firstMessageOtherThanCerClosesTheConnection() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        RawPeer peer = raw(server);
        peer.send(acr(1).add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "raw.test")).build());
        assertTrue(peer.closedByPeerWithin(Duration.ofSeconds(5)));
    }

    // ---- watchdog

    @Test
    void serverAnswersDwrWithDwa() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        RawPeer peer = raw(server);
        assertEquals(DiameterConstants.RESULT_SUCCESS, peer.exchangeCapabilities("raw.test", 3).resultCode());
        DiameterMessage dwr = peer.send(DiameterMessage.request(DiameterConstants.CMD_DEVICE_WATCHDOG, 0).proxiable(false)
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "raw.test"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "raw.realm")).build());
        DiameterMessage dwa = peer.read();
        assertFalse(dwa.isRequest());
        assertEquals(DiameterConstants.CMD_DEVICE_WATCHDOG, dwa.commandCode());
        assertEquals(dwr.hopByHop(), dwa.hopByHop());
        assertEquals(dwr.endToEnd(), dwa.endToEnd());
        assertEquals(DiameterConstants.RESULT_SUCCESS, dwa.resultCode());
        assertEquals(SERVER_HOST, dwa.avp(DiameterConstants.AVP_ORIGIN_HOST).orElseThrow().asUtf8());
        assertEquals(1_700_000_000L, dwa.avp(DiameterConstants.AVP_ORIGIN_STATE_ID).orElseThrow().asUnsigned32());
    }

    @Test
    void idleServerSendsDwrAndClosesWhenItIsNotAnswered() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r),
                ServerOptions.defaults().withWatchdogInterval(Duration.ofMillis(100)));
        RawPeer peer = raw(server);
        assertEquals(DiameterConstants.RESULT_SUCCESS, peer.exchangeCapabilities("raw.test", 3).resultCode());
        DiameterMessage dwr = peer.read(); // within the 5 s read timeout (Tw is at least 1 s here)
        assertTrue(dwr.isRequest());
        assertEquals(DiameterConstants.CMD_DEVICE_WATCHDOG, dwr.commandCode());
        assertEquals(SERVER_HOST, dwr.avp(DiameterConstants.AVP_ORIGIN_HOST).orElseThrow().asUtf8());
        // not answered: RFC 3539 gives the connection up after another Tw
        assertTrue(peer.closedByPeerWithin(Duration.ofSeconds(10)));
    }

    // ---- malformed input after the capabilities exchange

    @Test
    void oversizeLengthClaimAfterCerDisconnectsOnlyThatPeer() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        DiameterClient client = startClient(server);
        awaitOpen(client);
        assertEquals(DiameterConstants.RESULT_SUCCESS, client.send(acr(1)).get(5, TimeUnit.SECONDS).resultCode());

        RawPeer bad = raw(server);
        assertEquals(DiameterConstants.RESULT_SUCCESS, bad.exchangeCapabilities("bad.test", 3).resultCode());
        byte[] header = new byte[20];
        header[0] = 1;
        header[1] = (byte) 0xFF;
        header[2] = (byte) 0xFF;
        header[3] = (byte) 0xFC; // claims ~16 MB
        header[4] = (byte) 0x80;
        header[7] = (byte) DiameterConstants.CMD_ACCOUNTING;
        bad.sendBytes(header);
        assertTrue(bad.closedByPeerWithin(Duration.ofSeconds(5)), "the server closes the connection");
        await("bad peer gone from the server", Duration.ofSeconds(5),
                () -> server.openPeers().stream().noneMatch(p -> p.originHost().equals("bad.test")));

        assertTrue(client.isOpen());
        assertEquals(DiameterConstants.RESULT_SUCCESS, client.send(acr(2)).get(5, TimeUnit.SECONDS).resultCode());
        assertTrue(server.openPeers().stream().anyMatch(p -> p.originHost().equals(CLIENT_HOST)));
    }

    @Test
    void garbageAfterCerDisconnectsOnlyThatPeer() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        DiameterClient client = startClient(server);
        awaitOpen(client);

        RawPeer bad = raw(server);
        assertEquals(DiameterConstants.RESULT_SUCCESS, bad.exchangeCapabilities("bad.test", 3).resultCode());
        bad.sendBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
        assertTrue(bad.closedByPeerWithin(Duration.ofSeconds(5)), "the server closes the connection");

        assertEquals(DiameterConstants.RESULT_SUCCESS, client.send(acr(3)).get(5, TimeUnit.SECONDS).resultCode());
    }

    @Test
    void lengthNotMultipleOf4AfterCerDisconnects() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        RawPeer bad = raw(server);
        assertEquals(DiameterConstants.RESULT_SUCCESS, bad.exchangeCapabilities("bad.test", 3).resultCode());
        byte[] wire = acr(1).add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "bad.test")).build()
                .withIdentifiers(1, 1).encode();
        wire[3] = (byte) (wire[3] + 2);
        bad.sendBytes(wire);
        assertTrue(bad.closedByPeerWithin(Duration.ofSeconds(5)));
    }

    @Test
    void peerStallingInTheMiddleOfAMessageIsNotServedAPartialMessage() throws Exception {
        List<DiameterMessage> served = java.util.Collections.synchronizedList(new ArrayList<>());
        DiameterServer server = startServer((r, p) -> {
            served.add(r);
            return aca(r);
        });
        RawPeer bad = raw(server);
        assertEquals(DiameterConstants.RESULT_SUCCESS, bad.exchangeCapabilities("bad.test", 3).resultCode());
        byte[] wire = acr(1).add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "bad.test")).build()
                .withIdentifiers(1, 1).encode();
        bad.sendBytes(java.util.Arrays.copyOf(wire, wire.length - 8));
        bad.socket.shutdownOutput(); // EOF in the middle of the message
        assertTrue(bad.closedByPeerWithin(Duration.ofSeconds(5)));
        assertTrue(served.isEmpty());
    }

    @Test
    void requestWithReservedHeaderBitsIsAnswered3008AndTheConnectionStaysOpen() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        RawPeer peer = raw(server);
        assertEquals(DiameterConstants.RESULT_SUCCESS, peer.exchangeCapabilities("raw.test", 3).resultCode());
        byte[] wire = acr(1).add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "raw.test")).build()
                .withIdentifiers(0x4242, 0x4343).encode();
        wire[4] |= 0x01;
        peer.sendBytes(wire);
        DiameterMessage answer = peer.read();
        assertFalse(answer.isRequest());
        assertTrue(answer.isError());
        assertEquals(DiameterConstants.RESULT_INVALID_HDR_BITS, answer.resultCode());
        assertEquals(0x4242, answer.hopByHop());
        assertEquals(0x4343, answer.endToEnd());

        DiameterMessage ok = peer.send(acr(2).add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "raw.test")).build());
        DiameterMessage aca = peer.read();
        assertEquals(ok.hopByHop(), aca.hopByHop());
        assertEquals(DiameterConstants.RESULT_SUCCESS, aca.resultCode());
    }

    @Test
    void requestWithABadAvpLengthIsAnswered5014WithFailedAvp() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        RawPeer peer = raw(server);
        assertEquals(DiameterConstants.RESULT_SUCCESS, peer.exchangeCapabilities("raw.test", 3).resultCode());
        DiameterMessage good = acr(1).add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "raw.test")).build()
                .withIdentifiers(0x7777, 0x8888);
        byte[] wire = java.util.Arrays.copyOf(good.encode(), good.encodedLength() + 8);
        int len = wire.length;
        wire[1] = (byte) (len >>> 16);
        wire[2] = (byte) (len >>> 8);
        wire[3] = (byte) len;
        // an extra AVP 999 whose length field (6) is shorter than its header
        int at = good.encodedLength();
        wire[at + 2] = 0x03;
        wire[at + 3] = (byte) 0xE7;
        wire[at + 4] = 0x40;
        wire[at + 7] = 6;
        peer.sendBytes(wire);
        DiameterMessage answer = peer.read();
        assertEquals(0x7777, answer.hopByHop());
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, answer.resultCode());
        assertFalse(answer.isError());
        Avp failed = answer.avp(DiameterConstants.AVP_FAILED_AVP).orElseThrow().groupedAvps().get(0);
        assertEquals(999, failed.code());
        // still open
        DiameterMessage ok = peer.send(acr(2).add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "raw.test")).build());
        assertEquals(ok.hopByHop(), peer.read().hopByHop());
    }

    @Test
    void requestOfAnUnsupportedVersionIsAnswered5011ThenDisconnected() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        RawPeer peer = raw(server);
        assertEquals(DiameterConstants.RESULT_SUCCESS, peer.exchangeCapabilities("raw.test", 3).resultCode());
        byte[] wire = acr(1).add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "raw.test")).build()
                .withIdentifiers(0x5151, 0x5252).encode();
        wire[0] = 2;
        peer.sendBytes(wire);
        // RFC 6733 7.1.5 DIAMETER_UNSUPPORTED_VERSION, a permanent failure: no E bit
        DiameterMessage answer = peer.read();
        assertFalse(answer.isRequest());
        assertFalse(answer.isError());
        assertEquals(DiameterConstants.RESULT_UNSUPPORTED_VERSION, answer.resultCode());
        assertEquals(0x5151, answer.hopByHop());
        assertEquals(0x5252, answer.endToEnd());
        assertEquals(SERVER_HOST, answer.avp(DiameterConstants.AVP_ORIGIN_HOST).orElseThrow().asUtf8());
        assertTrue(peer.closedByPeerWithin(Duration.ofSeconds(5)), "the rest of the stream cannot be framed");
    }

    @Test
    void sixteenMegabyteClaimIsAnswered5015ThenDisconnectedBeforeAnyBodyIsRead() throws Exception {
        List<DiameterMessage> served = java.util.Collections.synchronizedList(new ArrayList<>());
        DiameterServer server = startServer((r, p) -> {
            served.add(r);
            return aca(r);
        });
        RawPeer peer = raw(server);
        // before the capabilities exchange as well: the header alone is answered
        byte[] header = new byte[20];
        header[0] = 1;
        header[1] = (byte) 0xFF;
        header[2] = (byte) 0xFF;
        header[3] = (byte) 0xFC;
        header[4] = (byte) 0x80;
        header[7] = (byte) DiameterConstants.CMD_CAPABILITIES_EXCHANGE;
        header[15] = 0x61;
        peer.sendBytes(header);
        DiameterMessage answer = peer.read();
        assertEquals(DiameterConstants.RESULT_INVALID_MESSAGE_LENGTH, answer.resultCode());
        assertEquals(0x61, answer.hopByHop());
        assertTrue(peer.closedByPeerWithin(Duration.ofSeconds(5)));
        assertTrue(served.isEmpty());
    }

    @Test
    void unknownCommandOfTheCommonApplicationIs3001Not3007() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        RawPeer peer = raw(server);
        assertEquals(DiameterConstants.RESULT_SUCCESS, peer.exchangeCapabilities("raw.test", 3).resultCode());
        DiameterMessage sent = peer.send(DiameterMessage.request(4242, DiameterConstants.APP_COMMON_MESSAGES)
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "raw.test"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "raw.realm")).build());
        DiameterMessage answer = peer.read();
        assertEquals(sent.hopByHop(), answer.hopByHop());
        assertEquals(DiameterConstants.RESULT_COMMAND_UNSUPPORTED, answer.resultCode());
        assertTrue(answer.isError());
    }

    @Test
    void secondCerOnAnOpenConnectionIsRefused() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        RawPeer peer = raw(server);
        assertEquals(DiameterConstants.RESULT_SUCCESS, peer.exchangeCapabilities("raw.test", 3).resultCode());
        peer.send(RawPeer.cer("raw.test", 3).build());
        DiameterMessage again = peer.read();
        assertEquals(DiameterConstants.CMD_CAPABILITIES_EXCHANGE, again.commandCode());
        assertEquals(DiameterConstants.RESULT_UNABLE_TO_COMPLY, again.resultCode());
    }

    // ---- disconnect

    /** Repeated: stop() right after the client sees the CEA used to race the server's own move to OPEN (no DPR). */
    @RepeatedTest(10)
    void serverStopSendsDprAndTheClientIsNoLongerOpen() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        DiameterClient client = startClient(server, CLIENT_HOST, Set.of(3L),
                ClientOptions.defaults().withReconnect(Duration.ofSeconds(30), Duration.ofSeconds(30)));
        awaitOpen(client);
        server.stop();
        assertFalse(server.isRunning());
        await("client sees the DPR", Duration.ofSeconds(10), () -> client.lastError().contains("DPR"));
        assertFalse(client.isOpen());
        assertNotEquals(PeerState.OPEN, client.state());
        CompletableFuture<DiameterMessage> f = client.send(acr(1));
        assertTrue(f.isCompletedExceptionally());
    }

    @Test
    void serverStopSendsDprToARawPeer() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        RawPeer peer = raw(server);
        assertEquals(DiameterConstants.RESULT_SUCCESS, peer.exchangeCapabilities("raw.test", 3).resultCode());
        await("server open to the raw peer", Duration.ofSeconds(5), () -> !server.openPeers().isEmpty());
        ExecutorService stopper = Executors.newSingleThreadExecutor(THREADS);
        cleanup.push(stopper::shutdownNow);
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::stop, stopper);
        DiameterMessage dpr = peer.read();
        assertTrue(dpr.isRequest());
        assertEquals(DiameterConstants.CMD_DISCONNECT_PEER, dpr.commandCode());
        assertEquals(DiameterConstants.DISCONNECT_REBOOTING,
                dpr.avp(DiameterConstants.AVP_DISCONNECT_CAUSE).orElseThrow().asInteger32());
        assertEquals(SERVER_HOST, dpr.avp(DiameterConstants.AVP_ORIGIN_HOST).orElseThrow().asUtf8());
        peer.send(DiameterMessage.answerTo(dpr)
                .add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, 2001))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "raw.test"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "raw.realm")).build());
        stopped.get(5, TimeUnit.SECONDS);
        assertTrue(peer.closedByPeerWithin(Duration.ofSeconds(5)));
    }

    @Test
    void clientStopSendsDprAndTheServerForgetsThePeer() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        DiameterClient client = startClient(server);
        awaitOpen(client);
        await("server lists the client", Duration.ofSeconds(5), () -> !server.openPeers().isEmpty());
        client.stop();
        assertFalse(client.isOpen());
        await("server forgets the client", Duration.ofSeconds(5), () -> server.openPeers().isEmpty());
    }

    @Test
    void clientReconnectsAfterTheConnectionIsLost() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        DiameterClient client = startClient(server);
        awaitOpen(client);
        // a raw peer cannot drop the client's connection; stopping and restarting the server on the same port can
        int port = server.localPort();
        server.stop();
        await("client closed", Duration.ofSeconds(10), () -> !client.isOpen());
        DiameterServer again = new DiameterServer(identity(SERVER_HOST, Set.of(3L)),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), THREADS, (r, p) -> aca(r), ServerOptions.defaults());
        try {
            again.start();
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.abort("port " + port + " was taken in the meantime");
        }
        cleanup.push(again::stop);
        awaitOpen(client);
        assertEquals(DiameterConstants.RESULT_SUCCESS, client.send(acr(9)).get(5, TimeUnit.SECONDS).resultCode());
    }

    // ---- server limits and malformed CERs

    @Test
    void connectionsBeyondMaxConnectionsAreClosedAtAccept() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r),
                new ServerOptions(Set.of(), Duration.ofSeconds(30), Duration.ofSeconds(10), 1));
        RawPeer first = raw(server);
        assertEquals(DiameterConstants.RESULT_SUCCESS, first.exchangeCapabilities("first.test", 3).resultCode());
        RawPeer second = raw(server);
        assertTrue(second.closedByPeerWithin(Duration.ofSeconds(5)), "second connection refused");
        first.close();
        await("first connection released", Duration.ofSeconds(5), () -> server.openPeers().isEmpty());
        // the slot is free again (the server forgets a connection once it is closed)
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        DiameterMessage cea = null;
        while (cea == null && System.nanoTime() < deadline) {
            RawPeer third = raw(server);
            try {
                cea = third.exchangeCapabilities("third.test", 3);
            } catch (IOException e) {
                // closed at accept: the first connection was not forgotten yet; try again
            }
        }
        assertTrue(cea != null && cea.resultCode() == DiameterConstants.RESULT_SUCCESS, "third connection served");
    }

    @Test
    void connectionSendingNoCerIsClosedAfterTheCapabilitiesTimeout() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r),
                new ServerOptions(Set.of(), Duration.ofSeconds(30), Duration.ofMillis(300), 64));
        RawPeer silent = raw(server);
        long start = System.nanoTime();
        assertTrue(silent.closedByPeerWithin(Duration.ofSeconds(5)));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 250, "closed after " + ms + " ms");
    }

    @Test
    void cerWithReservedHeaderBitsGetsCea3008ThenClose() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        RawPeer peer = raw(server);
        byte[] wire = RawPeer.cer("raw.test", 3).build().withIdentifiers(0x99, 0x98).encode();
        wire[4] |= 0x02;
        peer.sendBytes(wire);
        DiameterMessage cea = peer.read();
        assertEquals(DiameterConstants.CMD_CAPABILITIES_EXCHANGE, cea.commandCode());
        assertEquals(0x99, cea.hopByHop());
        assertEquals(DiameterConstants.RESULT_INVALID_HDR_BITS, cea.resultCode());
        assertTrue(cea.isError());
        assertTrue(peer.closedByPeerWithin(Duration.ofSeconds(5)));
    }

    @Test
    void cerWithInvalidUtf8OriginHostGetsCea5004NamingIt() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        RawPeer peer = raw(server);
        DiameterMessage cer = DiameterMessage.request(DiameterConstants.CMD_CAPABILITIES_EXCHANGE, 0).proxiable(false)
                .add(Avp.octets(DiameterConstants.AVP_ORIGIN_HOST, 0, true, new byte[]{'h', (byte) 0xFF, 'x'}))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "raw.realm"))
                .add(Avp.address(DiameterConstants.AVP_HOST_IP_ADDRESS, 0, true, InetAddress.getLoopbackAddress()))
                .add(Avp.unsigned32(DiameterConstants.AVP_VENDOR_ID, 0, true, 0))
                .add(Avp.utf8(DiameterConstants.AVP_PRODUCT_NAME, 0, false, "raw"))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, 3)).build();
        peer.send(cer);
        DiameterMessage cea = peer.read();
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_VALUE, cea.resultCode());
        assertFalse(cea.isError());
        Avp failed = cea.avp(DiameterConstants.AVP_FAILED_AVP).orElseThrow().groupedAvps().get(0);
        assertEquals(DiameterConstants.AVP_ORIGIN_HOST, failed.code());
        assertTrue(peer.closedByPeerWithin(Duration.ofSeconds(5)));
    }

    @Test
    void cerWithAShortAcctApplicationIdGetsCea5014() throws Exception {
        DiameterServer server = startServer((r, p) -> aca(r));
        RawPeer peer = raw(server);
        peer.send(RawPeer.cer("raw.test").add(Avp.octets(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, new byte[]{0, 3})).build());
        DiameterMessage cea = peer.read();
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, cea.resultCode());
        assertEquals(DiameterConstants.AVP_ACCT_APPLICATION_ID,
                cea.avp(DiameterConstants.AVP_FAILED_AVP).orElseThrow().groupedAvps().get(0).code());
        assertTrue(peer.closedByPeerWithin(Duration.ofSeconds(5)));
    }
}
