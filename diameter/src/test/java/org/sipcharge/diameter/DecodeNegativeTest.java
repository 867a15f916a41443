package org.sipcharge.diameter;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** One test per malformation, each asserting the specific error. */
class DecodeNegativeTest {

    private static final int HBH = 0x0A0B0C0D;
    private static final int E2E = 0x01020304;

    /** A header (R and P set, ACR, app 3) followed by raw AVP bytes; the length field is the real length. */
    static byte[] message(int flags, byte[] avpBytes) {
        ByteBuffer b = ByteBuffer.allocate(20 + avpBytes.length);
        b.putInt((1 << 24) | (20 + avpBytes.length));
        b.putInt((flags << 24) | DiameterConstants.CMD_ACCOUNTING);
        b.putInt(3);
        b.putInt(HBH);
        b.putInt(E2E);
        b.put(avpBytes);
        return b.array();
    }

    /** Raw AVP bytes with an arbitrary length field and data (padded to 4). */
    static byte[] rawAvp(int code, int flags, int lengthField, byte[] data) {
        int padded = (8 + data.length + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(padded);
        b.putInt(code);
        b.putInt((flags << 24) | lengthField);
        b.put(data);
        return b.array();
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

    private static byte[] validAcr() {
        return DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3)
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, "s;1;2"))
                .add(Avp.enumerated(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, 1))
                .build().withIdentifiers(HBH, E2E).encode();
    }

    // ---- framing errors (the connection cannot be trusted: DiameterFramingException)

    @Test
    void truncatedHeaderIsAFramingError() {
        byte[] shortHeader = Arrays.copyOf(validAcr(), 19);
        DiameterFramingException e = assertThrows(DiameterFramingException.class, () -> DiameterMessage.decode(shortHeader));
        assertTrue(e.getMessage().contains("shorter than 20"), e.getMessage());
        assertThrows(DiameterFramingException.class, () -> DiameterMessage.frameLength(new byte[0]));
        assertThrows(DiameterFramingException.class, () -> DiameterMessage.frameLength(new byte[19]));
    }

    @Test
    void declaredLengthBeyondTheBytesIsAFramingError() {
        byte[] wire = validAcr();
        byte[] truncated = Arrays.copyOf(wire, wire.length - 4);
        DiameterFramingException e = assertThrows(DiameterFramingException.class, () -> DiameterMessage.decode(truncated));
        assertTrue(e.getMessage().contains("message length " + wire.length + " but " + truncated.length + " bytes given"),
                e.getMessage());
    }

    @Test
    void bytesBeyondTheDeclaredLengthAreAFramingError() {
        byte[] wire = validAcr();
        byte[] longer = Arrays.copyOf(wire, wire.length + 4);
        DiameterFramingException e = assertThrows(DiameterFramingException.class, () -> DiameterMessage.decode(longer));
        assertTrue(e.getMessage().contains("bytes given"), e.getMessage());
    }

    @Test
    void messageLengthNotAMultipleOf4IsAFramingError() {
        byte[] wire = Arrays.copyOf(validAcr(), validAcr().length + 2);
        int len = wire.length;
        wire[1] = (byte) (len >>> 16);
        wire[2] = (byte) (len >>> 8);
        wire[3] = (byte) len;
        DiameterFramingException e = assertThrows(DiameterFramingException.class, () -> DiameterMessage.decode(wire));
        assertTrue(e.getMessage().contains("not a multiple of 4"), e.getMessage());
        assertThrows(DiameterFramingException.class, () -> DiameterMessage.frameLength(wire));
    }

    @Test
    void messageLengthBelowTheHeaderIsAFramingError() {
        byte[] wire = validAcr();
        wire[1] = 0;
        wire[2] = 0;
        wire[3] = 16;
        DiameterFramingException e = assertThrows(DiameterFramingException.class, () -> DiameterMessage.frameLength(wire));
        assertTrue(e.getMessage().contains("at least 20"), e.getMessage());
    }

    @Test
    void versionOtherThan1IsAFramingError() {
        for (int v : new int[]{0, 2, 255}) {
            byte[] wire = validAcr();
            wire[0] = (byte) v;
            DiameterFramingException e = assertThrows(DiameterFramingException.class, () -> DiameterMessage.decode(wire));
            assertTrue(e.getMessage().contains("unsupported Diameter version " + v), e.getMessage());
        }
    }

    @Test
    void anUnframeableRequestHeaderCarriesItsRfc6733Answer() throws Exception {
        // RFC 6733 7.1.5: 5011 DIAMETER_UNSUPPORTED_VERSION
        byte[] v2 = validAcr();
        v2[0] = 2;
        DiameterFramingException version = assertThrows(DiameterFramingException.class, () -> DiameterMessage.frameLength(v2));
        assertEquals(DiameterConstants.RESULT_UNSUPPORTED_VERSION, version.resultCode());
        assertTrue(version.isAnswerable());
        assertEquals(HBH, version.header().hopByHop());
        assertEquals(E2E, version.header().endToEnd());
        assertEquals(DiameterConstants.CMD_ACCOUNTING, version.header().commandCode());
        assertEquals(DiameterConstants.APP_BASE_ACCOUNTING, version.header().applicationId());
        // RFC 6733 7.1.5: 5015 DIAMETER_INVALID_MESSAGE_LENGTH, for each way the length field can be wrong
        for (int length : new int[]{16, 42, DiameterConstants.MESSAGE_LENGTH_FIELD_MAX & ~3}) {
            byte[] wire = validAcr();
            wire[1] = (byte) (length >>> 16);
            wire[2] = (byte) (length >>> 8);
            wire[3] = (byte) length;
            DiameterFramingException e = assertThrows(DiameterFramingException.class, () -> DiameterMessage.frameLength(wire));
            assertEquals(DiameterConstants.RESULT_INVALID_MESSAGE_LENGTH, e.resultCode(), "length " + length);
            assertTrue(e.isAnswerable());
            assertEquals(HBH, e.header().hopByHop());
        }
        // an answer with a bad header is not answered; a short header has nothing to answer with
        byte[] answer = validAcr();
        answer[0] = 2;
        answer[4] = 0x40;
        assertFalse(assertThrows(DiameterFramingException.class, () -> DiameterMessage.frameLength(answer)).isAnswerable());
        assertFalse(assertThrows(DiameterFramingException.class, () -> DiameterMessage.frameLength(new byte[19])).isAnswerable());
    }

    @Test
    void sixteenMegabyteLengthClaimFailsFastWithoutAllocating() {
        byte[] header = new byte[20];
        header[0] = 1;
        header[1] = (byte) 0xFF;
        header[2] = (byte) 0xFF;
        header[3] = (byte) 0xFC; // 16 777 212: a multiple of 4, the largest the 24-bit field allows
        header[4] = (byte) 0x80;

        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean sun = (com.sun.management.ThreadMXBean) mx;
        assumeTrue(sun.isThreadAllocatedMemorySupported() && sun.isThreadAllocatedMemoryEnabled());

        // warm up the exception path so that class loading does not count
        assertThrows(DiameterFramingException.class, () -> DiameterMessage.frameLength(header));
        assertThrows(DiameterFramingException.class, () -> DiameterMessage.decode(header));

        long before = sun.getCurrentThreadAllocatedBytes();
        DiameterFramingException e1 = assertThrows(DiameterFramingException.class, () -> DiameterMessage.frameLength(header));
        DiameterFramingException e2 = assertThrows(DiameterFramingException.class, () -> DiameterMessage.decode(header));
        long allocated = sun.getCurrentThreadAllocatedBytes() - before;

        assertTrue(e1.getMessage().contains("exceeds the limit of " + DiameterConstants.MAX_MESSAGE_LENGTH), e1.getMessage());
        assertTrue(e2.getMessage().contains("exceeds"), e2.getMessage());
        assertTrue(allocated < 1024 * 1024, "rejecting a 16 MB claim allocated " + allocated + " bytes");
    }

    @Test
    void lengthJustAboveTheLimitIsRefusedAndTheLimitAccepted() throws Exception {
        byte[] header = new byte[20];
        header[0] = 1;
        int over = DiameterConstants.MAX_MESSAGE_LENGTH + 4;
        header[1] = (byte) (over >>> 16);
        header[2] = (byte) (over >>> 8);
        header[3] = (byte) over;
        assertThrows(DiameterFramingException.class, () -> DiameterMessage.frameLength(header));
        int max = DiameterConstants.MAX_MESSAGE_LENGTH;
        header[1] = (byte) (max >>> 16);
        header[2] = (byte) (max >>> 8);
        header[3] = (byte) max;
        assertEquals(max, DiameterMessage.frameLength(header));
    }

    // ---- header bits (answerable: 3008)

    @Test
    void reservedHeaderBitsAre3008WithTheHeaderKept() {
        for (int reserved = 1; reserved <= 8; reserved <<= 1) {
            byte[] wire = message(0x80 | 0x40 | reserved, new byte[0]);
            DiameterMessage.DecodeFailure f = assertThrows(DiameterMessage.DecodeFailure.class, () -> DiameterMessage.decode(wire));
            assertEquals(DiameterConstants.RESULT_INVALID_HDR_BITS, f.resultCode());
            assertNull(f.failedAvp());
            assertTrue(f.header().isRequest());
            assertEquals(HBH, f.header().hopByHop());
            assertEquals(E2E, f.header().endToEnd());
            assertEquals(DiameterConstants.CMD_ACCOUNTING, f.header().commandCode());
            assertTrue(f.header().avps().isEmpty());
        }
    }

    @Test
    void errorBitInARequestIs3008() {
        byte[] wire = message(0x80 | 0x20, new byte[0]);
        DiameterMessage.DecodeFailure f = assertThrows(DiameterMessage.DecodeFailure.class, () -> DiameterMessage.decode(wire));
        assertEquals(DiameterConstants.RESULT_INVALID_HDR_BITS, f.resultCode());
    }

    // ---- AVP lengths (answerable: 5014 naming the AVP)

    @Test
    void avpLengthBelow8Is5014() {
        byte[] wire = message(0xC0, rawAvp(1234, 0x40, 4, new byte[0]));
        DiameterMessage.DecodeFailure f = assertThrows(DiameterMessage.DecodeFailure.class, () -> DiameterMessage.decode(wire));
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, f.resultCode());
        assertNotNull(f.failedAvp());
        assertEquals(1234, f.failedAvp().code());
        assertTrue(f.getMessage().contains("less than its header"), f.getMessage());
        assertEquals(HBH, f.header().hopByHop());
    }

    @Test
    void vendorAvpLengthBelow12Is5014() {
        byte[] vendorAvp = ByteBuffer.allocate(16).putInt(873).putInt((0xC0 << 24) | 10).putInt(10415).putInt(0).array();
        byte[] wire = message(0xC0, vendorAvp);
        DiameterMessage.DecodeFailure f = assertThrows(DiameterMessage.DecodeFailure.class, () -> DiameterMessage.decode(wire));
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, f.resultCode());
        assertEquals(873, f.failedAvp().code());
        assertEquals(10415L, f.failedAvp().vendorId());
    }

    @Test
    void avpLengthBeyondTheMessageIs5014() {
        byte[] first = rawAvp(DiameterConstants.AVP_SESSION_ID, 0x40, 12, "abcd".getBytes());
        byte[] overrun = rawAvp(DiameterConstants.AVP_ORIGIN_HOST, 0x40, 100, "host".getBytes());
        byte[] wire = message(0xC0, concat(first, overrun));
        DiameterMessage.DecodeFailure f = assertThrows(DiameterMessage.DecodeFailure.class, () -> DiameterMessage.decode(wire));
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, f.resultCode());
        assertEquals(DiameterConstants.AVP_ORIGIN_HOST, f.failedAvp().code());
        assertArrayEquals("host".getBytes(), f.failedAvp().data(), "Failed-AVP carries what data there is");
        assertTrue(f.getMessage().contains("declares length 100"), f.getMessage());
    }

    @Test
    void trailingBytesTooShortForAnAvpHeaderAre5014() {
        byte[] wire = message(0xC0, concat(rawAvp(1, 0, 12, new byte[4]), new byte[4]));
        DiameterMessage.DecodeFailure f = assertThrows(DiameterMessage.DecodeFailure.class, () -> DiameterMessage.decode(wire));
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, f.resultCode());
        assertTrue(f.getMessage().contains("too few for an AVP header"), f.getMessage());
        // RFC 6733 7.1.5 (5014): Failed-AVP is mandatory; the incomplete header is padded with zeros
        assertNotNull(f.failedAvp(), "Failed-AVP of a truncated AVP header");
        assertEquals(0, f.failedAvp().code());
        assertEquals(0, f.failedAvp().data().length);
    }

    @Test
    void aTruncatedAvpHeaderInsideAGroupIsPaddedWithZerosNotWithTheNextAvp() throws Exception {
        // Grouped 873 holds one whole AVP and 4 stray bytes (0x000003E7 = code 999); another AVP follows the group.
        byte[] member = rawAvp(1, 0, 12, new byte[4]);
        byte[] stray = ByteBuffer.allocate(4).putInt(999).array();
        byte[] group = rawAvp(873, 0x40, 8 + member.length + stray.length, concat(member, stray));
        // the code's first byte is 0x40: a padding taken from beyond the group would show it as the M flag
        byte[] next = rawAvp(0x40000107, 0x40, 12, new byte[]{1, 2, 3, 4});
        DiameterMessage m = DiameterMessage.decode(message(0xC0, concat(group, next)));
        DiameterProtocolException e = assertThrows(DiameterProtocolException.class, () -> m.avps().get(0).groupedAvps());
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, e.resultCode());
        assertEquals(999, e.failedAvp().code());
        assertEquals(0, e.failedAvp().flags(), "flags come from the zero padding, not from the AVP after the group");
    }

    @Test
    void vendorAvpTruncatedInItsVendorIdIs5014() {
        byte[] wire = message(0xC0, ByteBuffer.allocate(8).putInt(873).putInt((0xC0 << 24) | 12).array());
        DiameterMessage.DecodeFailure f = assertThrows(DiameterMessage.DecodeFailure.class, () -> DiameterMessage.decode(wire));
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, f.resultCode());
        assertEquals(873, f.failedAvp().code());
        assertTrue(f.getMessage().contains("Vendor-Id"), f.getMessage());
    }

    @Test
    void groupedChildOverrunningItsParentIs5014NamingTheChild() throws Exception {
        // child declares 40 bytes inside a parent whose data is only 12 bytes
        byte[] child = rawAvp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0x40, 40, new byte[4]);
        Avp parent = Avp.of(DiameterConstants.AVP_FAILED_AVP, 0, true, child);
        byte[] wire = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3).add(parent).build().encode();
        // the message itself is well formed: the parent's own length is right
        DiameterMessage m = DiameterMessage.decode(wire);
        Avp decodedParent = m.avp(DiameterConstants.AVP_FAILED_AVP).orElseThrow();
        DiameterProtocolException e = assertThrows(DiameterProtocolException.class, decodedParent::groupedAvps);
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, e.resultCode());
        assertEquals(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, e.failedAvp().code());
    }

    @Test
    void groupedChildOverrunningItsParentButNotTheMessageIs5014() throws Exception {
        // parent (12 bytes of data) is followed by another AVP; the child's length would reach into that AVP
        byte[] child = rawAvp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0x40, 20, new byte[4]);
        Avp parent = Avp.of(DiameterConstants.AVP_FAILED_AVP, 0, true, child);
        byte[] wire = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3).add(parent)
                .add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, 2001)).build().encode();
        Avp decodedParent = DiameterMessage.decode(wire).avp(DiameterConstants.AVP_FAILED_AVP).orElseThrow();
        DiameterProtocolException e = assertThrows(DiameterProtocolException.class, decodedParent::groupedAvps);
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, e.resultCode());
        assertEquals(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, e.failedAvp().code());
    }

    /** Nests {@code levels} grouped AVPs around an Unsigned32. */
    private static Avp nested(int levels) {
        Avp a = Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, 2001);
        for (int i = 0; i < levels; i++) {
            a = Avp.grouped(DiameterConstants.AVP_FAILED_AVP, 0, true, List.of(a));
        }
        return a;
    }

    /** Walks every Grouped level; returns the innermost non-grouped AVP. */
    private static Avp walk(Avp a, int levels) {
        for (int i = 0; i < levels; i++) {
            a = a.groupedAvps().get(0);
        }
        return a;
    }

    @Test
    void nestingUpToMaxGroupDepthIsAccepted() throws Exception {
        int levels = DiameterConstants.MAX_GROUP_DEPTH;
        byte[] wire = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3).add(nested(levels)).build().encode();
        Avp top = DiameterMessage.decode(wire).avps().get(0);
        assertEquals(2001L, walk(top, levels).asUnsigned32());
    }

    @Test
    void nestingDeeperThanMaxGroupDepthIsRefused() throws Exception {
        int levels = DiameterConstants.MAX_GROUP_DEPTH + 4;
        byte[] wire = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3).add(nested(levels)).build().encode();
        Avp top = DiameterMessage.decode(wire).avps().get(0);
        DiameterProtocolException e = assertThrows(DiameterProtocolException.class, () -> walk(top, levels));
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_VALUE, e.resultCode());
        assertTrue(e.getMessage().contains("nested deeper than " + DiameterConstants.MAX_GROUP_DEPTH), e.getMessage());
    }

    // ---- typed readers (5004 / 5014 with Failed-AVP)

    @Test
    void invalidUtf8Is5004WithFailedAvp() throws Exception {
        byte[] bad = {'a', (byte) 0xC3, (byte) 0x28, 'b'}; // 0xC3 0x28: invalid 2-byte sequence
        byte[] wire = message(0xC0, rawAvp(DiameterConstants.AVP_ORIGIN_HOST, 0x40, 8 + bad.length, bad));
        Avp a = DiameterMessage.decode(wire).avp(DiameterConstants.AVP_ORIGIN_HOST).orElseThrow();
        DiameterProtocolException e = assertThrows(DiameterProtocolException.class, a::asUtf8);
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_VALUE, e.resultCode());
        assertSame(a, e.failedAvp());
        assertEquals(DiameterConstants.AVP_ORIGIN_HOST, e.failedAvp().code());
        assertArrayEquals(bad, e.failedAvp().data());
    }

    @Test
    void overlongUtf8EncodingIs5004() {
        Avp a = Avp.octets(DiameterConstants.AVP_ORIGIN_HOST, 0, true, new byte[]{(byte) 0xC0, (byte) 0xAF});
        DiameterProtocolException e = assertThrows(DiameterProtocolException.class, a::asUtf8);
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_VALUE, e.resultCode());
    }

    @Test
    void unsigned32OfWrongLengthIs5014WithFailedAvp() throws Exception {
        for (int n : new int[]{0, 3, 5, 8}) {
            byte[] wire = message(0xC0, rawAvp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0x40, 8 + n, new byte[n]));
            Avp a = DiameterMessage.decode(wire).avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow();
            DiameterProtocolException e = assertThrows(DiameterProtocolException.class, a::asUnsigned32);
            assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, e.resultCode(), "length " + n);
            assertSame(a, e.failedAvp());
        }
    }

    @Test
    void otherFixedLengthReadersOfWrongLengthAre5014() {
        Avp three = Avp.octets(1, 0, true, new byte[3]);
        Avp four = Avp.octets(1, 0, true, new byte[4]);
        assertEquals(5014L, assertThrows(DiameterProtocolException.class, three::asInteger32).resultCode());
        assertEquals(5014L, assertThrows(DiameterProtocolException.class, four::asUnsigned64).resultCode());
        assertEquals(5014L, assertThrows(DiameterProtocolException.class, four::asInteger64).resultCode());
        assertEquals(5014L, assertThrows(DiameterProtocolException.class, three::asTime).resultCode());
        assertEquals(5014L, assertThrows(DiameterProtocolException.class, four::asAddress).resultCode());
    }

    @Test
    void addressWithUnknownOrMismatchedFamilyIs5004() {
        Avp family3 = Avp.octets(257, 0, true, new byte[]{0, 3, 127, 0, 0, 1});
        Avp ipv6FamilyWith4Bytes = Avp.octets(257, 0, true, new byte[]{0, 2, 127, 0, 0, 1});
        byte[] v6With1 = new byte[18];
        v6With1[1] = 1;
        Avp ipv4FamilyWith16Bytes = Avp.octets(257, 0, true, v6With1);
        for (Avp a : List.of(family3, ipv6FamilyWith4Bytes, ipv4FamilyWith16Bytes)) {
            DiameterProtocolException e = assertThrows(DiameterProtocolException.class, a::asAddress);
            assertEquals(DiameterConstants.RESULT_INVALID_AVP_VALUE, e.resultCode());
            assertSame(a, e.failedAvp());
        }
    }

    @Test
    void encodingRefusesOversizeAvpsAndMessages() {
        assertThrows(IllegalArgumentException.class,
                () -> Avp.octets(1, 0, true, new byte[DiameterConstants.MAX_AVP_LENGTH]));
        List<Avp> many = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            many.add(Avp.octets(1, 0, true, new byte[30_000]));
        }
        DiameterMessage big = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3).addAll(many).build();
        assertThrows(IllegalStateException.class, big::encode);
    }
}
