package org.sipcharge.systemtests;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.sipcharge.diameter.Avp;
import org.sipcharge.diameter.DiameterConstants;
import org.sipcharge.diameter.DiameterMessage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed Diameter input against the deployed CDF, one malformation per test, each on its own connection. Each
 * test asserts the RFC 6733 answer (Result-Code, E bit, Failed-AVP) or a clean disconnect within a deadline; after
 * each, a second, well-behaved peer still gets 2001 for a good ACR, and the bad input stored nothing (the status
 * API's {@code acr.recordsStored} and {@code cdr.committed} grow by the good ACR only).
 */
class CdfMalformedInputIT {

    /** ServerOptions.defaults(): a new connection has 10 s to send its CER. */
    static final Duration CAPABILITIES_TIMEOUT = Duration.ofSeconds(10);
    /** RFC 3539 Tw of the CDF (30 s, jittered by up to 2 s): a peer silent in mid-message is given up after it. */
    static final Duration WATCHDOG_INTERVAL = Duration.ofSeconds(32);
    static final Duration MARGIN = Duration.ofSeconds(10);
    static final AtomicInteger SESSIONS = new AtomicInteger();
    /** Connections of the 16 MB storm: under the CDF's 64 connections, with room for the CTF and the good peer. */
    static final int CLAIMS = 48;

    static SystemUnderTest sut;
    long recordsBefore;
    long cdrsBefore;

    @BeforeAll
    static void startTheProduct() throws Exception {
        sut = SystemUnderTest.start("cdf-malformed", "");
    }

    @AfterAll
    static void stopTheProduct() throws Exception {
        if (sut != null) {
            sut.close();
        }
    }

    @BeforeEach
    void countStoredRecords() throws Exception {
        // the CTF's own connection is open too: the CDF is serving a peer when the bad input arrives
        Wait.until(Duration.ofSeconds(60), () -> sut.status().get("diameter.rf.peerOpen"), "true"::equals, "CTF connected");
        recordsBefore = sut.statusLong("acr.recordsStored");
        cdrsBefore = sut.statusLong("cdr.committed");
    }

    /** The CDF keeps serving other peers, and nothing of the bad input was stored. */
    @AfterEach
    void anotherPeerIsStillServedAndNothingBadWasStored() throws Exception {
        try (RawDiameterPeer good = new RawDiameterPeer(sut.diameterPort)) {
            DiameterMessage aca = good.exchange(event("good-after-bad"));
            assertEquals(2001, aca.resultCode(), "a good ACR from another peer after the bad input: " + aca);
        }
        // 2001 is sent only after the commit (docs/diameter-rf.md), so both figures are final here.
        assertEquals(recordsBefore + 1, sut.statusLong("acr.recordsStored"), "accounting records: the good ACR's only");
        assertEquals(cdrsBefore + 1, sut.statusLong("cdr.committed"), "CDRs: the good EVENT's only");
        assertEquals("true", sut.status().get("diameter.cdf.listening"));
    }

    // ---- the stream cannot be framed: closed, answered first when a request header was read (RFC 6733 7.1.5)

    @Test
    void truncatedHeaderThenEndOfStreamIsClosedWithoutAnswer() throws Exception {
        try (RawDiameterPeer peer = new RawDiameterPeer(sut.diameterPort)) {
            peer.sendBytes(Arrays.copyOf(acrBytes(event("truncated")), 13));
            peer.shutdownOutput();
            byte[] sent = peer.awaitClosedByCdf(Duration.ofSeconds(5));
            assertNotNull(sent, "the CDF closes a connection that ends inside a header");
            assertEquals(0, sent.length, "a header fragment is not answered");
        }
    }

    @Test
    void halfAHeaderAndSilenceBeforeCerIsClosedAfterTheCapabilitiesTimeout() throws Exception {
        try (RawDiameterPeer peer = RawDiameterPeer.connectWithoutCer(sut.diameterPort)) {
            peer.sendBytes(Arrays.copyOf(acrBytes(event("half-header")), 10));
            long t0 = System.nanoTime();
            byte[] sent = peer.awaitClosedByCdf(CAPABILITIES_TIMEOUT.plus(MARGIN));
            assertNotNull(sent, "closed within the capabilities timeout");
            assertEquals(0, sent.length);
            System.out.printf("[CdfMalformedInputIT] half a header before CER: closed after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        }
    }

    @Test
    void declaredLengthBeyondTheBytesSentIsClosedWhenThePeerStalls() throws Exception {
        try (RawDiameterPeer peer = new RawDiameterPeer(sut.diameterPort)) {
            byte[] wire = acrBytes(event("length-beyond"));
            setLength(wire, wire.length + 64); // 64 bytes promised that never come
            peer.sendBytes(wire);
            long t0 = System.nanoTime();
            // The CDF cannot tell a slow peer from a lying one before its read timeout (Tw): it waits, then closes.
            byte[] sent = peer.awaitClosedByCdf(WATCHDOG_INTERVAL.plus(MARGIN));
            assertNotNull(sent, "closed after the peer stalled in the middle of a message");
            assertEquals(0, sent.length, "a partial message is neither served nor answered");
            System.out.printf("[CdfMalformedInputIT] declared length beyond the bytes sent: closed after %d ms%n",
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }

    @Test
    void sixteenMegabyteLengthClaimIsAnswered5015AndClosedWithoutReadingTheBody() throws Exception {
        try (RawDiameterPeer peer = new RawDiameterPeer(sut.diameterPort)) {
            byte[] header = Arrays.copyOf(acrBytes(event("16MB")), 20);
            setLength(header, 0xFFFFFC); // the largest multiple of 4 the 24-bit field holds
            peer.sendBytes(header);
            DiameterMessage answer = peer.read();
            assertAnswer(answer, header, DiameterConstants.RESULT_INVALID_MESSAGE_LENGTH, false);
            assertNotNull(peer.awaitClosedByCdf(Duration.ofSeconds(5)), "closed after the answer");
        }
    }

    /**
     * Memory stays bounded: 48 connections each claim a 16 MB message at once and stay open without sending it.
     * A decoder that allocated the claimed length before reading would hold 768 MB here, beyond the domain's heap;
     * ours refuses from the 20-byte header (unit test DecodeNegativeTest.sixteenMegabyteLengthClaimFailsFastWithoutAllocating
     * measures the allocation), so every connection is answered and closed and the CDF keeps serving.
     */
    @Test
    void manyConcurrentSixteenMegabyteClaimsLeaveTheServerHealthy() throws Exception {
        List<RawDiameterPeer> peers = new ArrayList<>();
        try {
            for (int i = 0; i < CLAIMS; i++) {
                RawDiameterPeer p = RawDiameterPeer.connectWithoutCer(sut.diameterPort);
                peers.add(p);
                byte[] header = new byte[20];
                header[0] = 1;
                header[4] = (byte) 0x80;
                header[7] = (byte) DiameterConstants.CMD_CAPABILITIES_EXCHANGE;
                ByteBuffer.wrap(header, 12, 8).putInt(RawDiameterPeer.nextId()).putInt(i);
                setLength(header, 0xFFFFFC);
                p.sendBytes(header);
            }
            for (RawDiameterPeer p : peers) {
                DiameterMessage answer = p.read();
                assertEquals(DiameterConstants.RESULT_INVALID_MESSAGE_LENGTH, answer.resultCode(), answer.toString());
                assertNotNull(p.awaitClosedByCdf(Duration.ofSeconds(5)));
            }
        } finally {
            for (RawDiameterPeer p : peers) {
                p.close();
            }
        }
        long heap = payaraMaxHeapBytes();
        System.out.printf("[CdfMalformedInputIT] %d connections claimed %d MB in all; the domain's heap is at most %d MB%n",
                CLAIMS, CLAIMS * 16L, heap >> 20);
        assertTrue(heap < 0 || CLAIMS * 0xFFFFFCL > heap, "the claims together exceed the heap, so honouring them could not go unnoticed");
    }

    @Test
    void versionOtherThan1IsAnswered5011AndClosed() throws Exception {
        try (RawDiameterPeer peer = new RawDiameterPeer(sut.diameterPort)) {
            byte[] wire = acrBytes(event("version-2"));
            wire[0] = 2;
            peer.sendBytes(wire);
            assertAnswer(peer.read(), wire, DiameterConstants.RESULT_UNSUPPORTED_VERSION, false);
            assertNotNull(peer.awaitClosedByCdf(Duration.ofSeconds(5)), "the rest of the stream cannot be framed");
        }
    }

    @Test
    void messageLengthNotAMultipleOf4IsAnswered5015AndClosed() throws Exception {
        try (RawDiameterPeer peer = new RawDiameterPeer(sut.diameterPort)) {
            byte[] wire = acrBytes(event("length-odd"));
            setLength(wire, wire.length - 2); // RFC 6733 3: the length is always a multiple of 4
            peer.sendBytes(wire);
            assertAnswer(peer.read(), wire, DiameterConstants.RESULT_INVALID_MESSAGE_LENGTH, false);
            assertNotNull(peer.awaitClosedByCdf(Duration.ofSeconds(5)));
        }
    }

    @Test
    void garbageAfterAGoodCapabilitiesExchangeIsClosedWithoutAnswer() throws Exception {
        try (RawDiameterPeer peer = new RawDiameterPeer(sut.diameterPort)) {
            // version 'G' and no R bit: nothing that can be answered
            peer.sendBytes("GET /sipcharge/api/status HTTP/1.1\r\nHost: cdf\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] sent = peer.awaitClosedByCdf(Duration.ofSeconds(5));
            assertNotNull(sent, "closed");
            assertEquals(0, sent.length, "garbage is not answered");
        }
    }

    @Test
    void requestBeforeCerIsClosedWithoutAnswer() throws Exception {
        try (RawDiameterPeer peer = RawDiameterPeer.connectWithoutCer(sut.diameterPort)) {
            // RFC 6733 5.6: a responder's connection starts with R-Conn-CER; any other first message leaves it closed.
            peer.sendBytes(acrBytes(event("before-cer")));
            byte[] sent = peer.awaitClosedByCdf(Duration.ofSeconds(5));
            assertNotNull(sent, "closed");
            assertEquals(0, sent.length, "not answered and not served");
        }
    }

    // ---- answerable: the connection stays open (RFC 6733 7.1.3 with the E bit, 7.1.5 without)

    @Test
    void avpLengthUnder8IsAnswered5014NamingTheAvp() throws Exception {
        try (RawDiameterPeer peer = new RawDiameterPeer(sut.diameterPort)) {
            byte[] good = acrBytes(event("avp-length-6"));
            // one more AVP (code 999, M bit) whose length field, 6, is shorter than an AVP header
            byte[] wire = Arrays.copyOf(good, good.length + 8);
            ByteBuffer.wrap(wire, good.length, 8).putInt(999).putInt((0x40 << 24) | 6);
            setLength(wire, wire.length);
            peer.sendBytes(wire);
            DiameterMessage answer = peer.read();
            assertAnswer(answer, wire, DiameterConstants.RESULT_INVALID_AVP_LENGTH, false);
            assertEquals(999, failedAvp(answer).code(), "RFC 6733 7.1.5: 5014 MUST carry the offending AVP in Failed-AVP");
            assertStillOpen(peer);
        }
    }

    @Test
    void groupedAvpWhoseMemberOverrunsItIsAnswered5014NamingTheMember() throws Exception {
        try (RawDiameterPeer peer = new RawDiameterPeer(sut.diameterPort)) {
            // Service-Information (873, 3GPP) holding Node-Id (2064, 3GPP) whose length field (60) runs 40 bytes past
            // the group: the group's own length is consistent with the message, its content is not (RFC 6733 4.4).
            byte[] member = ByteBuffer.allocate(20).putInt(DiameterConstants.AVP_NODE_ID).putInt((0xC0 << 24) | 60)
                    .putInt((int) DiameterConstants.VENDOR_3GPP).put("cdf1\0\0\0\0".getBytes(StandardCharsets.US_ASCII)).array();
            byte[] group = ByteBuffer.allocate(12 + member.length).putInt(DiameterConstants.AVP_SERVICE_INFORMATION)
                    .putInt((0xC0 << 24) | (12 + member.length)).putInt((int) DiameterConstants.VENDOR_3GPP).put(member).array();
            byte[] wire = concat(acrBytes(event("grouped-overrun")), group);
            setLength(wire, wire.length);
            peer.sendBytes(wire);
            DiameterMessage answer = peer.read();
            assertAnswer(answer, wire, DiameterConstants.RESULT_INVALID_AVP_LENGTH, false);
            Avp failed = failedAvp(answer);
            // RFC 6733 7.5: the offending member itself, or the group that holds it
            boolean namesTheMember = failed.code() == DiameterConstants.AVP_NODE_ID
                    || (failed.code() == DiameterConstants.AVP_SERVICE_INFORMATION
                    && failed.groupedAvps().stream().anyMatch(a -> a.code() == DiameterConstants.AVP_NODE_ID));
            assertTrue(namesTheMember, "Failed-AVP names the overrunning member: " + failed.code());
            assertStillOpen(peer);
        }
    }

    @Test
    void errorBitInARequestIsAnswered3008() throws Exception {
        try (RawDiameterPeer peer = new RawDiameterPeer(sut.diameterPort)) {
            byte[] wire = acrBytes(event("e-bit"));
            wire[4] |= DiameterConstants.FLAG_ERROR; // RFC 6733 3: E MUST NOT be set in requests
            peer.sendBytes(wire);
            // RFC 6733 7.1.3 DIAMETER_INVALID_HDR_BITS, a protocol error: the answer has the E bit
            assertAnswer(peer.read(), wire, DiameterConstants.RESULT_INVALID_HDR_BITS, true);
            assertStillOpen(peer);
        }
    }

    @Test
    void unknownCommandIsAnswered3001() throws Exception {
        try (RawDiameterPeer peer = new RawDiameterPeer(sut.diameterPort)) {
            DiameterMessage answer = peer.exchange(DiameterMessage.request(999, DiameterConstants.APP_BASE_ACCOUNTING)
                    .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, "raw;unknown-command;" + SESSIONS.incrementAndGet()))
                    .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, RawDiameterPeer.ORIGIN_HOST))
                    .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, RawDiameterPeer.REALM))
                    .add(Avp.utf8(DiameterConstants.AVP_DESTINATION_REALM, 0, true, "sipcharge.local")));
            assertEquals(DiameterConstants.RESULT_COMMAND_UNSUPPORTED, answer.resultCode(), answer.toString());
            assertTrue(answer.isError(), "RFC 6733 7.1.3: protocol errors carry the E bit");
            assertEquals(999, answer.commandCode());
            assertStillOpen(peer);
        }
    }

    @Test
    void unknownApplicationIsAnswered3007() throws Exception {
        try (RawDiameterPeer peer = new RawDiameterPeer(sut.diameterPort)) {
            // an ACR of the Diameter credit-control application (4), which the CDF did not advertise
            DiameterMessage.Builder acr = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 4)
                    .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, "raw;unknown-app;" + SESSIONS.incrementAndGet()))
                    .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, RawDiameterPeer.ORIGIN_HOST))
                    .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, RawDiameterPeer.REALM))
                    .add(Avp.utf8(DiameterConstants.AVP_DESTINATION_REALM, 0, true, "sipcharge.local"))
                    .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, 1))
                    .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, 0));
            DiameterMessage answer = peer.exchange(acr);
            assertEquals(DiameterConstants.RESULT_APPLICATION_UNSUPPORTED, answer.resultCode(), answer.toString());
            assertTrue(answer.isError());
            assertEquals(4, answer.applicationId());
            assertStillOpen(peer);
        }
    }

    // ---- helpers

    /** A complete, valid EVENT ACR (the CDF would answer it 2001 and store it). */
    static DiameterMessage.Builder event(String tag) {
        return RawDiameterPeer.acr("raw;" + tag + ";" + SESSIONS.incrementAndGet(),
                Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, DiameterConstants.ACCOUNTING_RECORD_EVENT),
                Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, 0));
    }

    static byte[] acrBytes(DiameterMessage.Builder b) {
        int id = RawDiameterPeer.nextId();
        return b.build().withIdentifiers(id, id).encode();
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    static void setLength(byte[] wire, int length) {
        wire[1] = (byte) (length >>> 16);
        wire[2] = (byte) (length >>> 8);
        wire[3] = (byte) length;
    }

    /** An answer to the request whose bytes are {@code request}: same command and identifiers, no AVPs of it kept. */
    static void assertAnswer(DiameterMessage answer, byte[] request, long resultCode, boolean errorBit) {
        ByteBuffer r = ByteBuffer.wrap(request);
        assertFalse(answer.isRequest(), answer.toString());
        assertEquals(resultCode, answer.resultCode(), answer.toString());
        assertEquals(errorBit, answer.isError(), "E bit of " + answer);
        assertEquals(r.getInt(4) & 0xFFFFFF, answer.commandCode());
        assertEquals(r.getInt(12), answer.hopByHop());
        assertEquals(r.getInt(16), answer.endToEnd());
        assertTrue(answer.avp(DiameterConstants.AVP_ORIGIN_HOST).isPresent(), "RFC 6733 7.2: Origin-Host in " + answer);
        assertTrue(answer.avp(DiameterConstants.AVP_ORIGIN_REALM).isPresent(), "RFC 6733 7.2: Origin-Realm in " + answer);
    }

    static Avp failedAvp(DiameterMessage answer) {
        Avp failed = answer.avp(DiameterConstants.AVP_FAILED_AVP).orElseThrow(() -> new AssertionError("no Failed-AVP in " + answer));
        return failed.groupedAvps().get(0);
    }

    /** The same connection still answers a DWR (RFC 6733 5.5): the bad request cost it nothing. */
    static void assertStillOpen(RawDiameterPeer peer) throws Exception {
        DiameterMessage dwa = peer.exchange(DiameterMessage.request(DiameterConstants.CMD_DEVICE_WATCHDOG, 0).proxiable(false)
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, RawDiameterPeer.ORIGIN_HOST))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, RawDiameterPeer.REALM)));
        assertEquals(2001, dwa.resultCode(), "DWA on the same connection: " + dwa);
    }

    /** The domain's maximum heap in bytes, from its domain.xml {@code -Xmx} option, or -1 when not found. */
    static long payaraMaxHeapBytes() throws IOException {
        try (var paths = Files.walk(sut.runDir)) {
            for (Path domainXml : paths.filter(p -> p.endsWith(Path.of("config", "domain.xml"))).toList()) {
                Matcher m = Pattern.compile("-Xmx(\\d+)([kKmMgG]?)").matcher(Files.readString(domainXml));
                if (m.find()) {
                    long n = Long.parseLong(m.group(1));
                    return switch (m.group(2).toLowerCase()) {
                        case "k" -> n << 10;
                        case "m" -> n << 20;
                        case "g" -> n << 30;
                        default -> n;
                    };
                }
            }
        }
        return -1;
    }
}
