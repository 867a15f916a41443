package org.sipcharge.diameter;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encode then decode of every AVP data type, flags, identifiers, padding and a typical Rf ACR. */
class CodecRoundTripTest {

    private static final int TEST_APP_CMD = DiameterConstants.CMD_ACCOUNTING;

    /** Wraps the AVP in a request, encodes, decodes and returns the single decoded AVP. */
    private static Avp roundTrip(Avp avp) throws DiameterFramingException {
        DiameterMessage m = DiameterMessage.request(TEST_APP_CMD, DiameterConstants.APP_BASE_ACCOUNTING).add(avp).build();
        byte[] wire = m.encode();
        assertEquals(0, wire.length % 4, "message length is a multiple of 4");
        DiameterMessage d = DiameterMessage.decode(wire);
        assertEquals(1, d.avps().size());
        Avp back = d.avps().get(0);
        assertEquals(avp, back);
        assertEquals(avp.hashCode(), back.hashCode());
        return back;
    }

    @Test
    void octetStringRoundTrip() throws Exception {
        byte[] v = {0, 1, 2, (byte) 0xFF, (byte) 0x80};
        assertArrayEquals(v, roundTrip(Avp.octets(1000, 0, true, v)).asOctets());
        assertArrayEquals(new byte[0], roundTrip(Avp.octets(1000, 0, false, new byte[0])).asOctets());
    }

    @Test
    void utf8StringRoundTrip() throws Exception {
        String v = "sip:alice@example.org;ü€😀";
        Avp back = roundTrip(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, v));
        assertEquals(v, back.asUtf8());
        assertEquals(v.getBytes(StandardCharsets.UTF_8).length, back.dataLength());
    }

    @Test
    void unsigned32RoundTripIncludingExtremes() throws Exception {
        for (long v : new long[]{0, 1, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL}) {
            assertEquals(v, roundTrip(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, v)).asUnsigned32());
        }
        assertThrows(IllegalArgumentException.class, () -> Avp.unsigned32(1, 0, true, -1));
        assertThrows(IllegalArgumentException.class, () -> Avp.unsigned32(1, 0, true, 0x1_0000_0000L));
    }

    @Test
    void unsigned64RoundTrip() throws Exception {
        for (long v : new long[]{0, 1, Long.MAX_VALUE, -1L /* 2^64-1 as unsigned */}) {
            assertEquals(v, roundTrip(Avp.unsigned64(1001, 0, true, v)).asUnsigned64());
        }
    }

    @Test
    void integer32RoundTrip() throws Exception {
        for (int v : new int[]{0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 42}) {
            assertEquals(v, roundTrip(Avp.integer32(1002, 0, true, v)).asInteger32());
        }
    }

    @Test
    void integer64RoundTrip() throws Exception {
        for (long v : new long[]{0, -1, Long.MIN_VALUE, Long.MAX_VALUE}) {
            assertEquals(v, roundTrip(Avp.integer64(1003, 0, true, v)).asInteger64());
        }
    }

    @Test
    void enumeratedRoundTrip() throws Exception {
        Avp back = roundTrip(Avp.enumerated(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, 2));
        assertEquals(2, back.asInteger32());
        assertEquals(4, back.dataLength());
    }

    @Test
    void timeRoundTripEra0() throws Exception {
        Instant t = Instant.parse("2024-05-17T12:34:56Z");
        Avp back = roundTrip(Avp.time(DiameterConstants.AVP_EVENT_TIMESTAMP, 0, true, t));
        assertEquals(t, back.asTime());
        // RFC 6733 4.3.1: NTP seconds since 1900
        assertEquals(t.getEpochSecond() + 2_208_988_800L, back.asUnsigned32());
    }

    @Test
    void timeRoundTripAfter2036UsesRfc4330Era1() throws Exception {
        Instant t = Instant.parse("2040-01-01T00:00:00Z");
        Avp back = roundTrip(Avp.time(DiameterConstants.AVP_EVENT_TIMESTAMP, 0, true, t));
        assertEquals(t, back.asTime());
        // era 1: the MSB of the 32-bit value is clear
        assertTrue(back.asUnsigned32() < 0x8000_0000L);
    }

    @Test
    void timeAtTheEraBoundary() throws Exception {
        Instant wrap = Instant.parse("2036-02-07T06:28:16Z");
        Avp atWrap = roundTrip(Avp.time(55, 0, true, wrap));
        assertEquals(0L, atWrap.asUnsigned32());
        assertEquals(wrap, atWrap.asTime());
        Instant before = wrap.minusSeconds(1);
        Avp last = roundTrip(Avp.time(55, 0, true, before));
        assertEquals(0xFFFFFFFFL, last.asUnsigned32());
        assertEquals(before, last.asTime());
    }

    @Test
    void timeOutsideRfc4330RangeIsRefused() {
        // 1968-01-20T03:14:08Z is NTP 0x80000000, the start of the range RFC 4330 3 covers; 2104-02-26 is its end.
        assertThrows(IllegalArgumentException.class, () -> Avp.time(55, 0, true, Instant.parse("1960-01-01T00:00:00Z")));
        assertThrows(IllegalArgumentException.class, () -> Avp.time(55, 0, true, Instant.parse("2105-01-01T00:00:00Z")));
        Instant first = Instant.parse("1968-01-20T03:14:08Z");
        assertThrows(IllegalArgumentException.class, () -> Avp.time(55, 0, true, first.minusSeconds(1)));
        assertEquals(first, Avp.time(55, 0, true, first).asTime());
        Instant last = Instant.parse("2104-02-26T09:42:23Z");
        assertEquals(last, Avp.time(55, 0, true, last).asTime());
        assertThrows(IllegalArgumentException.class, () -> Avp.time(55, 0, true, last.plusSeconds(1)));
    }

    @Test
    void addressIpv4RoundTrip() throws Exception {
        InetAddress a = InetAddress.getByName("192.0.2.17");
        Avp back = roundTrip(Avp.address(DiameterConstants.AVP_HOST_IP_ADDRESS, 0, true, a));
        assertEquals(a, back.asAddress());
        byte[] d = back.data();
        assertEquals(6, d.length);
        assertEquals(1, ((d[0] & 0xFF) << 8) | (d[1] & 0xFF), "address family IPv4 = 1");
    }

    @Test
    void addressIpv6RoundTrip() throws Exception {
        InetAddress a = InetAddress.getByName("2001:db8::1:2");
        Avp back = roundTrip(Avp.address(DiameterConstants.AVP_HOST_IP_ADDRESS, 0, true, a));
        assertEquals(a, back.asAddress());
        byte[] d = back.data();
        assertEquals(18, d.length);
        assertEquals(2, ((d[0] & 0xFF) << 8) | (d[1] & 0xFF), "address family IPv6 = 2");
    }

    @Test
    void groupedNestedRoundTrip() throws Exception {
        Avp ts = Avp.grouped(DiameterConstants.AVP_TIME_STAMPS, DiameterConstants.VENDOR_3GPP, true, List.of(
                Avp.time(DiameterConstants.AVP_SIP_REQUEST_TIMESTAMP, DiameterConstants.VENDOR_3GPP, true,
                        Instant.parse("2025-01-01T00:00:00Z"))));
        Avp ims = Avp.grouped(DiameterConstants.AVP_IMS_INFORMATION, DiameterConstants.VENDOR_3GPP, true, List.of(
                Avp.enumerated(DiameterConstants.AVP_ROLE_OF_NODE, DiameterConstants.VENDOR_3GPP, true, 0),
                Avp.utf8(DiameterConstants.AVP_USER_SESSION_ID, DiameterConstants.VENDOR_3GPP, true, "call-1@x"),
                ts));
        Avp si = Avp.grouped(DiameterConstants.AVP_SERVICE_INFORMATION, DiameterConstants.VENDOR_3GPP, true, List.of(ims));
        Avp back = roundTrip(si);
        List<Avp> level1 = back.groupedAvps();
        assertEquals(List.of(ims), level1);
        List<Avp> level2 = level1.get(0).groupedAvps();
        assertEquals(3, level2.size());
        assertEquals("call-1@x", level2.get(1).asUtf8());
        List<Avp> level3 = level2.get(2).groupedAvps();
        assertEquals(Instant.parse("2025-01-01T00:00:00Z"), level3.get(0).asTime());
        assertTrue(Avp.grouped(1, 0, true, List.of()).groupedAvps().isEmpty());
    }

    @Test
    void vendorSpecificAvpHasVBitAndVendorId() throws Exception {
        Avp a = Avp.utf8(DiameterConstants.AVP_SIP_METHOD, DiameterConstants.VENDOR_3GPP, true, "INVITE");
        assertTrue(a.isVendorSpecific());
        assertTrue(a.isMandatory());
        byte[] wire = DiameterMessage.request(TEST_APP_CMD, 3).add(a).build().encode();
        ByteBuffer b = ByteBuffer.wrap(wire, 20, wire.length - 20);
        assertEquals(DiameterConstants.AVP_SIP_METHOD, b.getInt());
        int flagsAndLength = b.getInt();
        assertEquals(DiameterConstants.AVP_FLAG_VENDOR | DiameterConstants.AVP_FLAG_MANDATORY, flagsAndLength >>> 24);
        assertEquals(12 + 6, flagsAndLength & 0xFFFFFF, "AVP length counts the vendor header, not the padding");
        assertEquals(10415, b.getInt());
        Avp back = roundTrip(a);
        assertEquals(10415L, back.vendorId());
        assertTrue(back.isVendorSpecific());
        assertEquals("INVITE", back.asUtf8());

        Avp base = Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, false, "h");
        assertFalse(base.isVendorSpecific());
        assertFalse(base.isMandatory());
        assertThrows(IllegalArgumentException.class, () -> Avp.of(1, -1, true, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Avp.of(1, 0x1_0000_0000L, true, new byte[0]));
    }

    @Test
    void paddingForEveryLengthModulo4() throws Exception {
        for (int n = 0; n <= 9; n++) {
            byte[] v = new byte[n];
            for (int i = 0; i < n; i++) {
                v[i] = (byte) (0xA0 + i);
            }
            Avp a = Avp.octets(1000, 0, true, v);
            Avp second = Avp.unsigned32(1001, 0, true, 0xDEADBEEFL);
            assertEquals(((8 + n) + 3) & ~3, a.encodedLength());
            DiameterMessage m = DiameterMessage.request(TEST_APP_CMD, 3).add(a).add(second).build();
            byte[] wire = m.encode();
            assertEquals(20 + a.encodedLength() + 12, wire.length);
            // the padding bytes are zero and the AVP length field excludes them
            int lenField = ByteBuffer.wrap(wire, 24, 4).getInt() & 0xFFFFFF;
            assertEquals(8 + n, lenField);
            for (int i = 20 + 8 + n; i < 20 + a.encodedLength(); i++) {
                assertEquals(0, wire[i], "padding byte " + i);
            }
            DiameterMessage d = DiameterMessage.decode(wire);
            assertArrayEquals(v, d.avps().get(0).asOctets());
            assertEquals(0xDEADBEEFL, d.avps().get(1).asUnsigned32(), "the AVP after the padding is aligned");
        }
    }

    @Test
    void headerFlagsAndIdentifiers() throws Exception {
        DiameterMessage req = DiameterMessage.request(TEST_APP_CMD, 3).flagRetransmit()
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, "s")).build()
                .withIdentifiers(0x89ABCDEF, 0x01234567);
        byte[] wire = req.encode();
        assertEquals(1, wire[0], "version");
        assertEquals(DiameterConstants.FLAG_REQUEST | DiameterConstants.FLAG_PROXIABLE | DiameterConstants.FLAG_RETRANSMIT,
                wire[4] & 0xFF);
        DiameterMessage d = DiameterMessage.decode(wire);
        assertTrue(d.isRequest());
        assertTrue(d.isRetransmit());
        assertFalse(d.isError());
        assertEquals(DiameterConstants.FLAG_PROXIABLE, d.flags() & DiameterConstants.FLAG_PROXIABLE);
        assertEquals(0x89ABCDEF, d.hopByHop());
        assertEquals(0x01234567, d.endToEnd());
        assertEquals(TEST_APP_CMD, d.commandCode());
        assertEquals(3L, d.applicationId());

        DiameterMessage ans = DiameterMessage.answerTo(d).flagError()
                .add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, 3008)).build();
        DiameterMessage da = DiameterMessage.decode(ans.encode());
        assertFalse(da.isRequest());
        assertTrue(da.isError());
        assertFalse(da.isRetransmit());
        assertEquals(DiameterConstants.FLAG_PROXIABLE, da.flags() & DiameterConstants.FLAG_PROXIABLE, "P copied (6.2)");
        assertEquals(0x89ABCDEF, da.hopByHop());
        assertEquals(0x01234567, da.endToEnd());
        assertEquals(3008L, da.resultCode());

        DiameterMessage notProxiable = DiameterMessage.request(DiameterConstants.CMD_CAPABILITIES_EXCHANGE, 0)
                .proxiable(false).build();
        DiameterMessage dn = DiameterMessage.decode(notProxiable.encode());
        assertEquals(DiameterConstants.FLAG_REQUEST, dn.flags());
        assertEquals(0, DiameterMessage.answerTo(dn).build().flags());
    }

    @Test
    void applicationIdAboveSigned32Range() throws Exception {
        DiameterMessage m = DiameterMessage.request(DiameterConstants.CMD_CAPABILITIES_EXCHANGE, DiameterConstants.APP_RELAY).build();
        assertEquals(0xFFFFFFFFL, DiameterMessage.decode(m.encode()).applicationId());
    }

    @Test
    void typicalRfAcrRoundTrip() throws Exception {
        String sessionId = SessionIds.next("cscf.example.org");
        Avp serviceInformation = Avp.grouped(DiameterConstants.AVP_SERVICE_INFORMATION, DiameterConstants.VENDOR_3GPP, true, List.of(
                Avp.grouped(DiameterConstants.AVP_IMS_INFORMATION, DiameterConstants.VENDOR_3GPP, true, List.of(
                        Avp.enumerated(DiameterConstants.AVP_NODE_FUNCTIONALITY, DiameterConstants.VENDOR_3GPP, true, 0),
                        Avp.enumerated(DiameterConstants.AVP_ROLE_OF_NODE, DiameterConstants.VENDOR_3GPP, true, 0),
                        Avp.utf8(DiameterConstants.AVP_CALLING_PARTY_ADDRESS, DiameterConstants.VENDOR_3GPP, true, "sip:alice@example.org"),
                        Avp.utf8(DiameterConstants.AVP_CALLED_PARTY_ADDRESS, DiameterConstants.VENDOR_3GPP, true, "sip:bob@example.org"),
                        Avp.utf8(DiameterConstants.AVP_SIP_METHOD, DiameterConstants.VENDOR_3GPP, true, "INVITE"),
                        Avp.grouped(DiameterConstants.AVP_TIME_STAMPS, DiameterConstants.VENDOR_3GPP, true, List.of(
                                Avp.time(DiameterConstants.AVP_SIP_REQUEST_TIMESTAMP, DiameterConstants.VENDOR_3GPP, true,
                                        Instant.parse("2025-03-01T10:00:00Z")),
                                Avp.time(DiameterConstants.AVP_SIP_RESPONSE_TIMESTAMP, DiameterConstants.VENDOR_3GPP, true,
                                        Instant.parse("2025-03-01T10:00:01Z"))))))));
        DiameterMessage acr = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, DiameterConstants.APP_BASE_ACCOUNTING)
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, sessionId))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "cscf.example.org"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "example.org"))
                .add(Avp.utf8(DiameterConstants.AVP_DESTINATION_REALM, 0, true, "charging.example.org"))
                .add(Avp.enumerated(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, 2))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, 0))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, DiameterConstants.APP_BASE_ACCOUNTING))
                .add(Avp.utf8(DiameterConstants.AVP_SERVICE_CONTEXT_ID, 0, true, DiameterConstants.SERVICE_CONTEXT_ID_IMS))
                .add(Avp.time(DiameterConstants.AVP_EVENT_TIMESTAMP, 0, true, Instant.parse("2025-03-01T10:00:01Z")))
                .add(serviceInformation)
                .build().withIdentifiers(0x11223344, 0x55667788);

        byte[] wire = acr.encode();
        assertEquals(acr.encodedLength(), wire.length);
        DiameterMessage d = DiameterMessage.decode(wire);

        assertEquals(acr.avps(), d.avps());
        assertEquals(acr.flags(), d.flags());
        assertEquals(acr.commandCode(), d.commandCode());
        assertEquals(acr.applicationId(), d.applicationId());
        assertEquals(acr.hopByHop(), d.hopByHop());
        assertEquals(acr.endToEnd(), d.endToEnd());
        assertArrayEquals(wire, d.encode(), "re-encoding the decoded message gives the same bytes");

        assertEquals(sessionId, d.avp(DiameterConstants.AVP_SESSION_ID).orElseThrow().asUtf8());
        assertEquals(2, d.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE).orElseThrow().asInteger32());
        assertEquals(3L, d.avp(DiameterConstants.AVP_ACCT_APPLICATION_ID).orElseThrow().asUnsigned32());
        assertEquals("32260@3gpp.org", d.avp(DiameterConstants.AVP_SERVICE_CONTEXT_ID).orElseThrow().asUtf8());
        assertTrue(d.avp(DiameterConstants.AVP_SERVICE_INFORMATION).isEmpty(), "vendor AVP not found as a base AVP");
        Avp si = d.avp(DiameterConstants.AVP_SERVICE_INFORMATION, DiameterConstants.VENDOR_3GPP).orElseThrow();
        assertEquals(serviceInformation, si);
        Avp ims = si.groupedAvps().get(0);
        assertEquals(DiameterConstants.AVP_IMS_INFORMATION, ims.code());
        assertEquals("INVITE", ims.groupedAvps().get(4).asUtf8());
        assertEquals(Instant.parse("2025-03-01T10:00:01Z"), ims.groupedAvps().get(5).groupedAvps().get(1).asTime());
    }

    @Test
    void sessionIdsAreUniqueAndWellFormed() {
        String a = SessionIds.next("h.example.org");
        String b = SessionIds.next("h.example.org");
        assertFalse(a.equals(b));
        assertTrue(a.startsWith("h.example.org;"));
        assertEquals(4, a.split(";").length);
    }
}
