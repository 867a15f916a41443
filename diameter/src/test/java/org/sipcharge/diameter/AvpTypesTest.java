package org.sipcharge.diameter;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Float32/64, DiameterIdentity, DiameterURI, the UTF-8 check and the zero-copy decoder. */
class AvpTypesTest {

    private static Avp roundTrip(Avp avp) throws DiameterFramingException {
        byte[] wire = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3).add(avp).build().encode();
        Avp back = DiameterMessage.decode(wire).avps().get(0);
        assertEquals(avp, back);
        return back;
    }

    // ---- Float32 / Float64 (RFC 6733 4.2)

    @Test
    void float32RoundTripBitForBit() throws Exception {
        for (float v : new float[]{0f, -0f, 1.5f, -3.25e-7f, Float.MIN_VALUE, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x7FC0_1234)}) {
            Avp back = roundTrip(Avp.float32(2000, 0, false, v));
            assertEquals(Float.floatToRawIntBits(v), Float.floatToRawIntBits(back.asFloat32()), "bits of " + v);
            assertEquals(4, back.dataLength());
        }
        // IEEE 754 single precision, network order: 1.0f is 3F 80 00 00
        assertArrayEquals(new byte[]{0x3F, (byte) 0x80, 0, 0}, Avp.float32(1, 0, false, 1.0f).data());
    }

    @Test
    void float64RoundTripBitForBit() throws Exception {
        for (double v : new double[]{0d, -0d, Math.PI, -1e300, Double.MIN_VALUE, Double.MAX_VALUE,
                Double.POSITIVE_INFINITY, Double.NaN, Double.longBitsToDouble(0x7FF8_0000_0000_0042L)}) {
            Avp back = roundTrip(Avp.float64(2001, DiameterConstants.VENDOR_3GPP, true, v));
            assertEquals(Double.doubleToRawLongBits(v), Double.doubleToRawLongBits(back.asFloat64()), "bits of " + v);
            assertEquals(8, back.dataLength());
        }
        // 1.0 is 3F F0 00 00 00 00 00 00
        assertArrayEquals(new byte[]{0x3F, (byte) 0xF0, 0, 0, 0, 0, 0, 0}, Avp.float64(1, 0, false, 1.0).data());
    }

    @Test
    void floatOfWrongLengthIs5014() {
        for (int n : new int[]{0, 3, 5, 8}) {
            Avp a = Avp.octets(2000, 0, true, new byte[n]);
            DiameterProtocolException e = assertThrows(DiameterProtocolException.class, a::asFloat32);
            assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, e.resultCode(), "Float32 of " + n);
            assertSame(a, e.failedAvp());
        }
        for (int n : new int[]{0, 4, 7, 9}) {
            Avp a = Avp.octets(2001, 0, true, new byte[n]);
            DiameterProtocolException e = assertThrows(DiameterProtocolException.class, a::asFloat64);
            assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, e.resultCode(), "Float64 of " + n);
        }
    }

    // ---- DiameterIdentity (RFC 6733 4.3.1)

    @Test
    void validDiameterIdentities() throws Exception {
        String max = String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(63)); // 255
        assertEquals(255, max.length());
        for (String s : List.of("cdf.example.org", "localhost", "CSCF-1.Example.ORG", "1host.123.net",
                "xn--bcher-kva.example", "a.b", max, "a".repeat(63) + ".org")) {
            assertTrue(DiameterIdentity.isValid(s), s);
            Avp back = roundTrip(Avp.diameterIdentity(DiameterConstants.AVP_ORIGIN_HOST, 0, true, s));
            assertEquals(s, back.asDiameterIdentity());
            assertEquals(s, back.asUtf8(), "ASCII is UTF-8");
        }
    }

    @Test
    void invalidDiameterIdentitiesAreRefusedWhenBuilt() {
        for (String s : Arrays.asList(null, "", ".", "a..b", ".lead", "trail.", "-a.org", "a-.org", "a.-b",
                "under_score.org", "sp ace.org", "ümlaut.de", "host:3868", "a".repeat(64) + ".org",
                String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(63), "e"))) {
            assertFalse(DiameterIdentity.isValid(s), String.valueOf(s));
            assertThrows(RuntimeException.class, () -> Avp.diameterIdentity(264, 0, true, s), String.valueOf(s));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DiameterIdentity.requireValid("bad host"));
        assertTrue(e.getMessage().contains("RFC 6733 4.3.1"), e.getMessage());
    }

    @Test
    void receivedInvalidDiameterIdentityIs5004() {
        for (byte[] bad : new byte[][]{"bad host".getBytes(StandardCharsets.US_ASCII),
                "h\u00f6st.de".getBytes(StandardCharsets.UTF_8), new byte[0], "a..b".getBytes(StandardCharsets.US_ASCII),
                {'a', 0, 'b'}}) {
            Avp a = Avp.octets(DiameterConstants.AVP_ORIGIN_HOST, 0, true, bad);
            DiameterProtocolException e = assertThrows(DiameterProtocolException.class, a::asDiameterIdentity);
            assertEquals(DiameterConstants.RESULT_INVALID_AVP_VALUE, e.resultCode());
            assertSame(a, e.failedAvp());
        }
    }

    // ---- DiameterURI (RFC 6733 4.3.1)

    @Test
    void diameterUriParsesEveryPartAndRoundTrips() throws Exception {
        DiameterUri u = DiameterUri.parse("aaa://host.example.com:6666;transport=tcp;protocol=diameter");
        assertFalse(u.secure());
        assertEquals("host.example.com", u.fqdn());
        assertEquals(6666, u.port());
        assertEquals("tcp", u.transport());
        assertEquals("diameter", u.protocol());
        assertEquals("aaa://host.example.com:6666;transport=tcp;protocol=diameter", u.toString());

        for (String s : List.of("aaa://host.example.com;transport=tcp", "aaa://host.example.com:6666;transport=tcp",
                "aaa://host.example.com;protocol=diameter", "aaa://host.example.com:6666;protocol=diameter",
                "aaa://host.example.com:1813;transport=udp;protocol=radius", "aaas://cdf.example.org",
                "aaas://cdf.example.org:5658;transport=sctp", "aaa://h:0", "aaa://h:65535;protocol=tacacs+")) {
            assertEquals(s, DiameterUri.parse(s).toString(), s);
            assertTrue(DiameterUri.isValid(s), s);
            Avp back = roundTrip(Avp.diameterUri(DiameterConstants.AVP_REDIRECT_HOST, 0, true, s));
            assertEquals(DiameterUri.parse(s), back.asDiameterUri());
            assertEquals(s, back.asUtf8());
        }
    }

    @Test
    void diameterUriDefaultsAndCase() {
        DiameterUri plain = DiameterUri.parse("aaa://cdf.example.org");
        assertEquals(-1, plain.port());
        assertNull(plain.transport());
        assertNull(plain.protocol());
        assertEquals(3868, plain.effectivePort());
        assertEquals("tcp", plain.effectiveTransport());
        assertEquals("diameter", plain.effectiveProtocol());
        assertEquals(5658, DiameterUri.parse("aaas://cdf.example.org").effectivePort());
        assertEquals(DiameterUri.of(true, "cdf.example.org"), DiameterUri.parse("AAAS://cdf.example.org"));
        DiameterUri upper = DiameterUri.parse("aaa://h.org;TRANSPORT=SCTP;Protocol=Diameter");
        assertEquals("sctp", upper.transport());
        assertEquals("diameter", upper.protocol());
    }

    @Test
    void invalidDiameterUrisAreRefused() {
        for (String s : List.of("", "aaa://", "http://host.example.com", "aaa:/host", "aaa://bad host",
                "aaa://host:", "aaa://host:65536", "aaa://host:123456", "aaa://host:-1", "aaa://host:80x",
                "aaa://host;transport=quic", "aaa://host;protocol=ldap", "aaa://host;transport=udp",
                "aaa://host;transport=udp;protocol=diameter", "aaa://host;protocol=radius;transport=tcp",
                "aaa://host;transport=tcp;transport=tcp", "aaa://host/path", "aaa://user@host")) {
            assertFalse(DiameterUri.isValid(s), s);
            assertThrows(IllegalArgumentException.class, () -> DiameterUri.parse(s), s);
            assertThrows(IllegalArgumentException.class, () -> Avp.diameterUri(292, 0, true, s), s);
        }
        assertThrows(IllegalArgumentException.class, () -> new DiameterUri(false, "h", 70000, null, null));
        assertThrows(IllegalArgumentException.class, () -> DiameterUri.parse("aaa://" + "a".repeat(70_000)));
    }

    @Test
    void receivedInvalidDiameterUriIs5004() {
        for (String s : List.of("http://x.org", "aaa://x.org;transport=udp", "aaa://x .org", "aaa://x.org:99999")) {
            Avp a = Avp.utf8(DiameterConstants.AVP_REDIRECT_HOST, 0, true, s);
            DiameterProtocolException e = assertThrows(DiameterProtocolException.class, a::asDiameterUri, s);
            assertEquals(DiameterConstants.RESULT_INVALID_AVP_VALUE, e.resultCode());
            assertSame(a, e.failedAvp());
        }
        Avp nonAscii = Avp.octets(292, 0, true, "aaa://h\u00e9.org".getBytes(StandardCharsets.UTF_8));
        assertEquals(5004L, assertThrows(DiameterProtocolException.class, nonAscii::asDiameterUri).resultCode());
    }

    // ---- UTF-8 (RFC 3629) as the JDK's reporting decoder sees it

    private static boolean jdkAccepts(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    @Test
    void utf8CheckAgreesWithTheJdkDecoder() {
        byte[][] edge = {
                {}, {'a'}, {(byte) 0xC2, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF}, {(byte) 0xC0, (byte) 0x80},
                {(byte) 0xE0, (byte) 0xA0, (byte) 0x80}, {(byte) 0xE0, (byte) 0x9F, (byte) 0xBF},
                {(byte) 0xED, (byte) 0x9F, (byte) 0xBF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xEF, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xF0, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                {(byte) 0xF0, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}, {(byte) 0xF4, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF},
                {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80},
                {(byte) 0xFF}, {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98},
                {'a', (byte) 0xC3, 0x28, 'b'}, "sip:alice@example.org;ü€😀".getBytes(StandardCharsets.UTF_8)};
        for (byte[] b : edge) {
            assertEquals(jdkAccepts(b), Bytes.isValidUtf8(b, 0, b.length), Arrays.toString(b));
        }
        Random r = new Random(6733);
        for (int i = 0; i < 200_000; i++) {
            byte[] b = new byte[1 + r.nextInt(6)];
            for (int j = 0; j < b.length; j++) {
                // bias towards the interesting lead and continuation bytes
                b[j] = (byte) (r.nextBoolean() ? 0x80 + r.nextInt(0x80) : r.nextInt(256));
            }
            assertEquals(jdkAccepts(b), Bytes.isValidUtf8(b, 0, b.length), Arrays.toString(b));
        }
    }

    // ---- decoding keeps nothing the caller can change

    @Test
    void decodedMessageDoesNotDependOnTheCallersArray() throws Exception {
        DiameterMessage m = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3)
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, "s;1;2"))
                .add(Avp.grouped(DiameterConstants.AVP_SERVICE_INFORMATION, DiameterConstants.VENDOR_3GPP, true,
                        List.of(Avp.unsigned32(DiameterConstants.AVP_ROLE_OF_NODE, DiameterConstants.VENDOR_3GPP, true, 1))))
                .build();
        byte[] wire = m.encode();
        DiameterMessage d = DiameterMessage.decode(wire);
        Arrays.fill(wire, (byte) 0x55);
        assertEquals("s;1;2", d.avp(DiameterConstants.AVP_SESSION_ID).orElseThrow().asUtf8());
        assertEquals(1L, d.avps().get(1).groupedAvps().get(0).asUnsigned32());
        byte[] data = d.avps().get(0).data();
        data[0] = 'X';
        assertEquals("s;1;2", d.avps().get(0).asUtf8(), "data() is a copy");
        assertThrows(UnsupportedOperationException.class, () -> d.avps().get(1).groupedAvps().clear());
        assertSame(d.avps().get(1).groupedAvps(), d.avps().get(1).groupedAvps(), "members decoded once");
    }

    @Test
    void avpEqualityComparesDataNotArrays() throws Exception {
        Avp built = Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, "abc");
        Avp decoded = roundTrip(built);
        assertEquals(built, decoded);
        assertEquals(built.hashCode(), decoded.hashCode());
        assertFalse(built.equals(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, "abd")));
        assertFalse(built.equals(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, false, "abc")));
    }

    @Test
    void groupedBuiltAndDecodedMembersAgree() throws Exception {
        List<Avp> members = List.of(Avp.utf8(DiameterConstants.AVP_SIP_METHOD, DiameterConstants.VENDOR_3GPP, true, "BYE"),
                Avp.unsigned32(DiameterConstants.AVP_EXPIRES, DiameterConstants.VENDOR_3GPP, true, 3600));
        Avp g = Avp.grouped(DiameterConstants.AVP_EVENT_TYPE, DiameterConstants.VENDOR_3GPP, true, members);
        assertEquals(members, g.groupedAvps());
        assertEquals(members, roundTrip(g).groupedAvps());
        assertEquals(members.get(0).encodedLength() + members.get(1).encodedLength(), g.dataLength());
    }

    @Test
    void groupedMembersBeyondTheAvpLimitAreRefused() {
        Avp big = Avp.octets(1, 0, false, new byte[DiameterConstants.MAX_AVP_LENGTH / 2]);
        assertThrows(IllegalArgumentException.class, () -> Avp.grouped(2, 0, false, List.of(big, big, big)));
    }

    @Test
    void writeToAByteBufferMatchesEncode() {
        Avp a = Avp.utf8(DiameterConstants.AVP_SIP_METHOD, DiameterConstants.VENDOR_3GPP, true, "INVITE");
        ByteBuffer heap = ByteBuffer.allocate(a.encodedLength() + 4).position(4);
        a.writeTo(heap);
        ByteBuffer direct = ByteBuffer.allocateDirect(a.encodedLength());
        a.writeTo(direct);
        byte[] expected = new byte[a.encodedLength()];
        a.writeTo(expected, 0);
        assertArrayEquals(expected, Arrays.copyOfRange(heap.array(), 4, heap.limit()));
        byte[] fromDirect = new byte[expected.length];
        direct.flip().get(fromDirect);
        assertArrayEquals(expected, fromDirect);
    }
}
