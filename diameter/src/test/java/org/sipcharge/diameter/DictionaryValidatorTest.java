package org.sipcharge.diameter;

import org.junit.jupiter.api.Test;
import org.sipcharge.diameter.DiameterDictionary.AvpDefinition;
import org.sipcharge.diameter.DiameterDictionary.DataType;
import org.sipcharge.diameter.DiameterDictionary.FlagRule;
import org.sipcharge.diameter.DiameterDictionary.Membership;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test per rule of {@link DictionaryValidator}. */
class DictionaryValidatorTest {

    private static final long V3 = DiameterConstants.VENDOR_3GPP;

    /** The IMS-Information members of a typical ACR, as RfMessageMapper.toAcr builds them. */
    static List<Avp> imsMembers() {
        List<Avp> ims = new ArrayList<>();
        ims.add(Avp.grouped(DiameterConstants.AVP_EVENT_TYPE, V3, true,
                List.of(Avp.utf8(DiameterConstants.AVP_SIP_METHOD, V3, true, "INVITE"))));
        ims.add(Avp.unsigned32(DiameterConstants.AVP_ROLE_OF_NODE, V3, true, 0));
        ims.add(Avp.unsigned32(DiameterConstants.AVP_NODE_FUNCTIONALITY, V3, true, 6));
        ims.add(Avp.utf8(DiameterConstants.AVP_USER_SESSION_ID, V3, true, "a84b4c76e66710@pc33.example.org"));
        ims.add(Avp.utf8(DiameterConstants.AVP_CALLING_PARTY_ADDRESS, V3, true, "sip:alice@example.org"));
        ims.add(Avp.utf8(DiameterConstants.AVP_CALLED_PARTY_ADDRESS, V3, true, "sip:bob@example.org"));
        Instant req = Instant.parse("2025-03-01T10:00:00.120Z");
        Instant resp = Instant.parse("2025-03-01T10:00:01.450Z");
        ims.add(Avp.grouped(DiameterConstants.AVP_TIME_STAMPS, V3, true, List.of(
                Avp.time(DiameterConstants.AVP_SIP_REQUEST_TIMESTAMP, V3, true, req),
                Avp.unsigned32(DiameterConstants.AVP_SIP_REQUEST_TIMESTAMP_FRACTION, V3, true, 120),
                Avp.time(DiameterConstants.AVP_SIP_RESPONSE_TIMESTAMP, V3, true, resp),
                Avp.unsigned32(DiameterConstants.AVP_SIP_RESPONSE_TIMESTAMP_FRACTION, V3, true, 450))));
        ims.add(Avp.integer32(DiameterConstants.AVP_CAUSE_CODE, V3, true, 0));
        return ims;
    }

    /** A typical Rf ACR: RfMessageMapper.toAcr plus the Origin-Host/Realm the client adds. */
    static DiameterMessage.Builder acr(List<Avp> imsMembers) {
        return DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, DiameterConstants.APP_BASE_ACCOUNTING)
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, "as.example.org;1700000000;42;7f3a"))
                .add(Avp.utf8(DiameterConstants.AVP_DESTINATION_REALM, 0, true, "charging.example.org"))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, 2))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, 0))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, DiameterConstants.APP_BASE_ACCOUNTING))
                .add(Avp.utf8(DiameterConstants.AVP_SERVICE_CONTEXT_ID, 0, true, DiameterConstants.SERVICE_CONTEXT_ID_IMS))
                .add(Avp.time(DiameterConstants.AVP_EVENT_TIMESTAMP, 0, true, Instant.parse("2025-03-01T10:00:01Z")))
                .add(Avp.grouped(DiameterConstants.AVP_SERVICE_INFORMATION, V3, true,
                        List.of(Avp.grouped(DiameterConstants.AVP_IMS_INFORMATION, V3, true, imsMembers))))
                .add(Avp.diameterIdentity(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "as.example.org"))
                .add(Avp.diameterIdentity(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "example.org"));
    }

    /** Encodes and decodes, so that every check runs on received bytes. */
    private static DiameterMessage received(DiameterMessage m) throws DiameterFramingException {
        return DiameterMessage.decode(m.encode());
    }

    private static DiameterProtocolException fails(DiameterMessage m) {
        return assertThrows(DiameterProtocolException.class, () -> DictionaryValidator.validate(m));
    }

    /** An ACR with {@code extra} added inside IMS-Information. */
    private static DiameterMessage acrWithImsMember(Avp extra) throws DiameterFramingException {
        List<Avp> ims = imsMembers();
        ims.add(extra);
        return received(acr(ims).build());
    }

    /** Raw AVP bytes: header with any flags, then data, padded. */
    private static byte[] rawAvp(int code, int flags, long vendorId, byte[] data) {
        boolean v = (flags & 0x80) != 0;
        int header = v ? 12 : 8;
        ByteBuffer b = ByteBuffer.allocate((header + data.length + 3) & ~3);
        b.putInt(code).putInt((flags << 24) | (header + data.length));
        if (v) {
            b.putInt((int) vendorId);
        }
        return b.put(data).array();
    }

    /** A received ACR whose AVPs are followed by {@code raw}. */
    private static DiameterMessage acrWithRaw(byte[] raw) throws DiameterFramingException {
        byte[] valid = acr(imsMembers()).build().encode();
        ByteBuffer b = ByteBuffer.allocate(valid.length + raw.length).put(valid).put(raw);
        int length = valid.length + raw.length;
        b.putInt(0, (1 << 24) | length);
        return DiameterMessage.decode(b.array());
    }

    // ---- valid messages pass

    @Test
    void typicalAcrPasses() throws Exception {
        DiameterMessage m = received(acr(imsMembers()).build());
        assertDoesNotThrow(() -> DictionaryValidator.validate(m));
        assertDoesNotThrow(() -> DictionaryValidator.validate(m, DiameterConstants.CMD_ACCOUNTING, true));
        assertDoesNotThrow(() -> DictionaryValidator.standard().checkAvps(m.avps()));
    }

    @Test
    void richAcrWithEveryRfGroupingPasses() throws Exception {
        List<Avp> ims = imsMembers();
        ims.add(Avp.utf8(DiameterConstants.AVP_IMS_CHARGING_IDENTIFIER, V3, true, "icid-0123456789"));
        ims.add(Avp.grouped(DiameterConstants.AVP_INTER_OPERATOR_IDENTIFIER, V3, true, List.of(
                Avp.utf8(DiameterConstants.AVP_ORIGINATING_IOI, V3, true, "home.example.org"),
                Avp.utf8(DiameterConstants.AVP_TERMINATING_IOI, V3, true, "visited.example.net"))));
        ims.add(Avp.utf8(DiameterConstants.AVP_SDP_SESSION_DESCRIPTION, V3, true, "c=IN IP4 192.0.2.1"));
        ims.add(Avp.grouped(DiameterConstants.AVP_SDP_MEDIA_COMPONENT, V3, true, List.of(
                Avp.utf8(DiameterConstants.AVP_SDP_MEDIA_NAME, V3, true, "m=audio 49170 RTP/AVP 0"),
                Avp.utf8(DiameterConstants.AVP_SDP_MEDIA_DESCRIPTION, V3, true, "a=rtpmap:0 PCMU/8000"),
                Avp.enumerated(DiameterConstants.AVP_MEDIA_INITIATOR_FLAG, V3, true, 1))));
        ims.add(Avp.grouped(DiameterConstants.AVP_APPLICATION_SERVER_INFORMATION, V3, true, List.of(
                Avp.utf8(DiameterConstants.AVP_APPLICATION_SERVER, V3, true, "sip:as.example.org"))));
        ims.add(Avp.utf8(DiameterConstants.AVP_REQUESTED_PARTY_ADDRESS, V3, false, "tel:+4930123"));
        ims.add(Avp.octets(DiameterConstants.AVP_ACCESS_NETWORK_INFORMATION, V3, false, "3GPP-E-UTRAN-FDD".getBytes()));
        ims.add(Avp.grouped(DiameterConstants.AVP_SERVICE_SPECIFIC_INFO, V3, false, List.of(
                Avp.utf8(DiameterConstants.AVP_SERVICE_SPECIFIC_DATA, V3, true, "x"),
                Avp.unsigned32(DiameterConstants.AVP_SERVICE_SPECIFIC_TYPE, V3, false, 1))));
        ims.set(0, Avp.grouped(DiameterConstants.AVP_EVENT_TYPE, V3, true, List.of(
                Avp.utf8(DiameterConstants.AVP_SIP_METHOD, V3, true, "SUBSCRIBE"),
                Avp.utf8(DiameterConstants.AVP_EVENT, V3, true, "presence"),
                Avp.unsigned32(DiameterConstants.AVP_EXPIRES, V3, true, 3600))));
        DiameterMessage m = received(acr(ims)
                .add(Avp.grouped(DiameterConstants.AVP_SUBSCRIPTION_ID, 0, true, List.of(
                        Avp.enumerated(DiameterConstants.AVP_SUBSCRIPTION_ID_TYPE, 0, true, DiameterConstants.SUBSCRIPTION_ID_SIP_URI),
                        Avp.utf8(DiameterConstants.AVP_SUBSCRIPTION_ID_DATA, 0, true, "sip:alice@example.org"))))
                .add(Avp.utf8(DiameterConstants.AVP_NODE_ID, V3, false, "as-1"))
                .add(Avp.grouped(DiameterConstants.AVP_PROXY_INFO, 0, true, List.of(
                        Avp.diameterIdentity(DiameterConstants.AVP_PROXY_HOST, 0, true, "dra.example.org"),
                        Avp.octets(DiameterConstants.AVP_PROXY_STATE, 0, true, new byte[]{1, 2}))))
                .add(Avp.diameterIdentity(DiameterConstants.AVP_ROUTE_RECORD, 0, true, "dra.example.org"))
                .build());
        assertDoesNotThrow(() -> DictionaryValidator.validate(m));
    }

    @Test
    void baseCommandsPass() throws Exception {
        DiameterMessage cer = received(DiameterMessage.request(DiameterConstants.CMD_CAPABILITIES_EXCHANGE, 0).proxiable(false)
                .add(Avp.diameterIdentity(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "cscf.example.org"))
                .add(Avp.diameterIdentity(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "example.org"))
                .add(Avp.address(DiameterConstants.AVP_HOST_IP_ADDRESS, 0, true, InetAddress.getByName("192.0.2.1")))
                .add(Avp.address(DiameterConstants.AVP_HOST_IP_ADDRESS, 0, true, InetAddress.getByName("2001:db8::1")))
                .add(Avp.unsigned32(DiameterConstants.AVP_VENDOR_ID, 0, true, 0))
                .add(Avp.utf8(DiameterConstants.AVP_PRODUCT_NAME, 0, false, "sipcharge"))
                .add(Avp.unsigned32(DiameterConstants.AVP_ORIGIN_STATE_ID, 0, true, 1))
                .add(Avp.unsigned32(DiameterConstants.AVP_SUPPORTED_VENDOR_ID, 0, true, V3))
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, 3))
                .add(Avp.grouped(DiameterConstants.AVP_VENDOR_SPECIFIC_APPLICATION_ID, 0, true, List.of(
                        Avp.unsigned32(DiameterConstants.AVP_VENDOR_ID, 0, true, V3),
                        Avp.unsigned32(DiameterConstants.AVP_ACCT_APPLICATION_ID, 0, true, 3))))
                .add(Avp.unsigned32(DiameterConstants.AVP_FIRMWARE_REVISION, 0, false, 1))
                .build());
        assertDoesNotThrow(() -> DictionaryValidator.validate(cer));
        DiameterMessage dwr = received(DiameterMessage.request(DiameterConstants.CMD_DEVICE_WATCHDOG, 0)
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "cscf.example.org"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "example.org")).build());
        assertDoesNotThrow(() -> DictionaryValidator.validate(dwr));
        DiameterMessage dpr = received(DiameterMessage.request(DiameterConstants.CMD_DISCONNECT_PEER, 0)
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "cscf.example.org"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "example.org"))
                .add(Avp.enumerated(DiameterConstants.AVP_DISCONNECT_CAUSE, 0, true, 0)).build());
        assertDoesNotThrow(() -> DictionaryValidator.validate(dpr));
        DiameterMessage dpa = received(DiameterMessage.answerTo(dpr)
                .add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, 2001))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "cdf.example.org"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "example.org")).build());
        assertDoesNotThrow(() -> DictionaryValidator.validate(dpa));
    }

    @Test
    void answersPass() throws Exception {
        DiameterMessage acr = received(acr(imsMembers()).build());
        DiameterMessage aca = received(DiameterMessage.answerTo(acr)
                .add(acr.avp(DiameterConstants.AVP_SESSION_ID).orElseThrow())
                .add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, 2001))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "cdf.example.org"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "charging.example.org"))
                .add(acr.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE).orElseThrow())
                .add(acr.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow())
                .add(Avp.unsigned32(DiameterConstants.AVP_ACCT_INTERIM_INTERVAL, 0, true, 300)).build());
        assertDoesNotThrow(() -> DictionaryValidator.validate(aca));

        // an error answer (E bit) needs only what RFC 6733 7.2 asks, and its Failed-AVP content is not checked
        Avp unknownMandatory = Avp.utf8(4242, 0, true, "x");
        DiameterMessage error = received(Answers.error(acr, DiameterConstants.RESULT_INVALID_AVP_BITS, unknownMandatory,
                "bits", "cdf.example.org", "charging.example.org"));
        assertTrue(error.isError());
        assertDoesNotThrow(() -> DictionaryValidator.validate(error));

        // Experimental-Result in place of Result-Code
        DiameterMessage experimental = received(DiameterMessage.answerTo(acr)
                .add(acr.avp(DiameterConstants.AVP_SESSION_ID).orElseThrow())
                .add(Avp.grouped(DiameterConstants.AVP_EXPERIMENTAL_RESULT, 0, true, List.of(
                        Avp.unsigned32(DiameterConstants.AVP_VENDOR_ID, 0, true, V3),
                        Avp.unsigned32(DiameterConstants.AVP_EXPERIMENTAL_RESULT_CODE, 0, true, 5030))))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "cdf.example.org"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "charging.example.org"))
                .add(acr.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE).orElseThrow())
                .add(acr.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow()).build());
        assertDoesNotThrow(() -> DictionaryValidator.validate(experimental));
    }

    // ---- application and command

    @Test
    void unknownApplicationIs3007() throws Exception {
        DiameterMessage m = received(DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 16777216)
                .add(Avp.utf8(DiameterConstants.AVP_SESSION_ID, 0, true, "s")).build());
        DiameterProtocolException e = fails(m);
        assertEquals(DiameterConstants.RESULT_APPLICATION_UNSUPPORTED, e.resultCode());
        assertNull(e.failedAvp());
        assertTrue(Answers.error(m, e.resultCode(), e.failedAvp(), e.getMessage(), "h", "r").isError(), "3xxx: E bit");
    }

    @Test
    void unknownCommandIs3001() throws Exception {
        DiameterMessage m = received(DiameterMessage.request(272, DiameterConstants.APP_BASE_ACCOUNTING).build());
        assertEquals(DiameterConstants.RESULT_COMMAND_UNSUPPORTED, fails(m).resultCode());
        DiameterMessage cerAsAccounting = received(acr(imsMembers()).build());
        assertEquals(DiameterConstants.RESULT_COMMAND_UNSUPPORTED, assertThrows(DiameterProtocolException.class,
                () -> DictionaryValidator.validate(cerAsAccounting, DiameterConstants.CMD_CAPABILITIES_EXCHANGE, true)).resultCode());
    }

    // ---- 5001: unknown AVP with the M bit

    @Test
    void unknownMandatoryTopLevelAvpIs5001WithFailedAvp() throws Exception {
        Avp unknown = Avp.utf8(4242, 0, true, "surprise");
        DiameterMessage m = received(acr(imsMembers()).add(unknown).build());
        DiameterProtocolException e = fails(m);
        assertEquals(DiameterConstants.RESULT_AVP_UNSUPPORTED, e.resultCode());
        assertEquals(unknown, e.failedAvp());
        assertTrue(e.getMessage().contains("unknown AVP 4242"), e.getMessage());

        // and the answer carries it in Failed-AVP (RFC 6733 7.5)
        DiameterMessage answer = received(Answers.error(m, e.resultCode(), e.failedAvp(), e.getMessage(), "cdf.example.org", "r.org"));
        assertFalse(answer.isError());
        assertEquals(5001L, answer.resultCode());
        assertEquals(List.of(unknown), answer.avp(DiameterConstants.AVP_FAILED_AVP).orElseThrow().groupedAvps());
    }

    @Test
    void unknownMandatoryVendorAvpIs5001() throws Exception {
        Avp unknown = Avp.utf8(65000, V3, true, "x");
        DiameterProtocolException e = fails(received(acr(imsMembers()).add(unknown).build()));
        assertEquals(DiameterConstants.RESULT_AVP_UNSUPPORTED, e.resultCode());
        assertEquals(unknown, e.failedAvp());
        Avp otherVendor = Avp.utf8(DiameterConstants.AVP_SIP_METHOD, 9999, true, "INVITE");
        assertEquals(otherVendor, fails(received(acr(imsMembers()).add(otherVendor).build())).failedAvp(),
                "SIP-Method's code under another vendor is another AVP");
    }

    @Test
    void unknownMandatoryAvpInsideAGroupedAvpIs5001NamingIt() throws Exception {
        Avp unknown = Avp.unsigned32(64999, V3, true, 7);
        DiameterProtocolException e = fails(acrWithImsMember(unknown));
        assertEquals(DiameterConstants.RESULT_AVP_UNSUPPORTED, e.resultCode());
        assertEquals(unknown, e.failedAvp());
        assertTrue(e.getMessage().contains("in IMS-Information"), e.getMessage());
    }

    @Test
    void unknownAvpsWithoutTheMBitAreIgnored() throws Exception {
        DiameterMessage top = received(acr(imsMembers()).add(Avp.utf8(4242, 0, false, "x"))
                .add(Avp.utf8(65000, 12345, false, "y")).build());
        assertDoesNotThrow(() -> DictionaryValidator.validate(top));
        assertDoesNotThrow(() -> DictionaryValidator.validate(acrWithImsMember(Avp.utf8(64999, V3, false, "z"))));
        // even one whose data would be nonsense for any type
        assertDoesNotThrow(() -> DictionaryValidator.validate(acrWithImsMember(Avp.octets(64998, V3, false, new byte[]{(byte) 0xFF}))));
    }

    @Test
    void knownAvpInAClosedGroupingThatDoesNotListItIs5001WithTheMBitElseIgnored() throws Exception {
        Avp stray = Avp.utf8(DiameterConstants.AVP_USER_SESSION_ID, V3, true, "call-1");
        Avp stamps = Avp.grouped(DiameterConstants.AVP_TIME_STAMPS, V3, true, List.of(
                Avp.time(DiameterConstants.AVP_SIP_REQUEST_TIMESTAMP, V3, true, Instant.parse("2025-01-01T00:00:00Z")), stray));
        DiameterProtocolException e = fails(acrWithImsMember(stamps));
        assertEquals(DiameterConstants.RESULT_AVP_UNSUPPORTED, e.resultCode());
        assertEquals(stray, e.failedAvp());
        assertTrue(e.getMessage().contains("not a member of Time-Stamps"), e.getMessage());

        Avp quiet = Avp.grouped(DiameterConstants.AVP_TIME_STAMPS, V3, true, List.of(
                Avp.utf8(DiameterConstants.AVP_USER_SESSION_ID, V3, false, "call-1")));
        assertDoesNotThrow(() -> DictionaryValidator.validate(acrWithImsMember(quiet)));
        // an open grouping takes any known AVP
        assertDoesNotThrow(() -> DictionaryValidator.validate(acrWithImsMember(
                Avp.utf8(DiameterConstants.AVP_NODE_ID, V3, true, "n"))));
    }

    // ---- 5014 / 5004: values

    @Test
    void unsigned32OfWrongLengthIs5014() throws Exception {
        Avp bad = Avp.octets(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, 0, true, new byte[5]);
        DiameterMessage m = received(DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3).add(bad).build());
        DiameterProtocolException e = fails(m);
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, e.resultCode());
        assertEquals(bad, e.failedAvp());
    }

    @Test
    void fixedLengthTypesOfWrongLengthAre5014InsideGroupsToo() throws Exception {
        for (Avp bad : List.of(Avp.octets(DiameterConstants.AVP_ROLE_OF_NODE, V3, true, new byte[2]),
                Avp.octets(DiameterConstants.AVP_CAUSE_CODE, V3, true, new byte[8]),
                Avp.grouped(DiameterConstants.AVP_TIME_STAMPS, V3, true,
                        List.of(Avp.octets(DiameterConstants.AVP_SIP_REQUEST_TIMESTAMP, V3, true, new byte[3]))))) {
            DiameterProtocolException e = fails(acrWithImsMember(bad));
            assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, e.resultCode(), bad.toString());
        }
        Avp shortTime = Avp.octets(DiameterConstants.AVP_SIP_REQUEST_TIMESTAMP, V3, true, new byte[3]);
        assertEquals(shortTime, fails(acrWithImsMember(Avp.grouped(DiameterConstants.AVP_TIME_STAMPS, V3, true,
                List.of(shortTime)))).failedAvp(), "the member itself is named");
    }

    @Test
    void addressOfWrongLengthIs5014() throws Exception {
        for (byte[] data : new byte[][]{{0}, {0, 1, 127, 0, 0}, {0, 2, 127, 0, 0, 1}}) {
            Avp bad = Avp.octets(DiameterConstants.AVP_HOST_IP_ADDRESS, 0, true, data);
            DiameterProtocolException e = fails(received(acr(imsMembers()).add(bad).build()));
            assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, e.resultCode());
            assertEquals(bad, e.failedAvp());
        }
        // another IANA address family (8, E.164) is accepted as it is
        assertDoesNotThrow(() -> DictionaryValidator.validate(received(acr(imsMembers())
                .add(Avp.octets(DiameterConstants.AVP_HOST_IP_ADDRESS, 0, true, new byte[]{0, 8, '4', '9'})).build())));
    }

    @Test
    void invalidUtf8Is5004() throws Exception {
        Avp bad = Avp.octets(DiameterConstants.AVP_SESSION_ID, 0, true, new byte[]{'a', (byte) 0xC3, 0x28});
        DiameterMessage m = received(DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3).add(bad).build());
        DiameterProtocolException e = fails(m);
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_VALUE, e.resultCode());
        assertEquals(bad, e.failedAvp());
        assertArrayEquals(new byte[]{'a', (byte) 0xC3, 0x28}, e.failedAvp().data());
    }

    @Test
    void invalidUtf8InANestedMemberIs5004NamingIt() throws Exception {
        Avp bad = Avp.octets(DiameterConstants.AVP_SIP_METHOD, V3, true, new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80});
        List<Avp> ims = imsMembers();
        ims.set(0, Avp.grouped(DiameterConstants.AVP_EVENT_TYPE, V3, true, List.of(bad)));
        DiameterProtocolException e = fails(received(acr(ims).build()));
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_VALUE, e.resultCode());
        assertEquals(bad, e.failedAvp());
    }

    @Test
    void invalidDiameterIdentityIs5004() throws Exception {
        DiameterMessage.Builder b = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3);
        Avp bad = Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "cscf example org");
        for (Avp a : acr(imsMembers()).build().avps()) {
            b.add(a.code() == DiameterConstants.AVP_ORIGIN_HOST ? bad : a);
        }
        DiameterProtocolException e = fails(received(b.build()));
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_VALUE, e.resultCode());
        assertEquals(bad, e.failedAvp());
        assertTrue(e.getMessage().contains("Origin-Host"), e.getMessage());
    }

    @Test
    void invalidDiameterUriIs5004() throws Exception {
        Avp bad = Avp.utf8(DiameterConstants.AVP_REDIRECT_HOST, 0, true, "http://cdf.example.org");
        DiameterProtocolException e = fails(received(acr(imsMembers()).add(bad).build()));
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_VALUE, e.resultCode());
        assertEquals(bad, e.failedAvp());
        assertDoesNotThrow(() -> DictionaryValidator.validate(received(acr(imsMembers())
                .add(Avp.diameterUri(DiameterConstants.AVP_REDIRECT_HOST, 0, true, "aaa://cdf.example.org:3868;transport=tcp"))
                .build())));
    }

    @Test
    void enumeratedValueOutsideAClosedSetIs5004() throws Exception {
        Avp bad = Avp.enumerated(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, 0, true, 9);
        DiameterMessage.Builder b = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3);
        for (Avp a : acr(imsMembers()).build().avps()) {
            b.add(a.code() == DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE ? bad : a);
        }
        DiameterProtocolException e = fails(received(b.build()));
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_VALUE, e.resultCode());
        assertEquals(bad, e.failedAvp());
        // 3GPP enumerations grow from release to release: any value is accepted
        assertDoesNotThrow(() -> DictionaryValidator.validate(acrWithImsMember(
                Avp.enumerated(DiameterConstants.AVP_MEDIA_INITIATOR_FLAG, V3, true, 77))));
    }

    @Test
    void groupedMemberOverrunningItsParentIs5014NamingIt() throws Exception {
        byte[] child = rawAvp(DiameterConstants.AVP_SIP_METHOD, 0xC0, V3, "INVITE".getBytes());
        ByteBuffer.wrap(child).putInt(4, (0xC0 << 24) | 40); // claims 40 bytes
        Avp eventType = Avp.of(DiameterConstants.AVP_EVENT_TYPE, V3, true, child);
        DiameterProtocolException e = fails(acrWithImsMember(eventType));
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_LENGTH, e.resultCode());
        assertEquals(DiameterConstants.AVP_SIP_METHOD, e.failedAvp().code());
    }

    @Test
    void floatTypesAndNestingLimitWithACustomDictionary() throws Exception {
        DiameterDictionary d = DiameterDictionary.standard().toBuilder()
                .avp(AvpDefinition.of(5000, 99, "Test-Float32", DataType.FLOAT32, FlagRule.MAY, "test"))
                .avp(AvpDefinition.of(5001, 99, "Test-Float64", DataType.FLOAT64, FlagRule.MAY, "test"))
                .avp(AvpDefinition.grouped(5002, 99, "Test-Nest", FlagRule.MAY, "test", Membership.OPEN))
                .build();
        DictionaryValidator v = DictionaryValidator.of(d);
        assertSame(d, v.dictionary());
        assertDoesNotThrow(() -> v.checkAvp(Avp.float32(5000, 99, true, 1.5f)));
        assertDoesNotThrow(() -> v.checkAvp(Avp.float64(5001, 99, true, 1.5)));
        assertEquals(5014L, assertThrows(DiameterProtocolException.class,
                () -> v.checkAvp(Avp.octets(5000, 99, true, new byte[8]))).resultCode());
        assertEquals(5014L, assertThrows(DiameterProtocolException.class,
                () -> v.checkAvp(Avp.octets(5001, 99, true, new byte[4]))).resultCode());
        assertEquals(5001L, assertThrows(DiameterProtocolException.class,
                () -> DictionaryValidator.standard().checkAvp(Avp.float32(5000, 99, true, 1.5f))).resultCode());

        Avp nest = Avp.float64(5001, 99, true, 2.0);
        for (int i = 0; i < DiameterConstants.MAX_GROUP_DEPTH + 2; i++) {
            nest = Avp.grouped(5002, 99, true, List.of(nest));
        }
        DiameterMessage deep = received(DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3).add(nest).build());
        DiameterProtocolException e = assertThrows(DiameterProtocolException.class, () -> v.checkAvps(deep.avps()));
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_VALUE, e.resultCode());
        assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
    }

    // ---- 3009: AVP flag bits

    @Test
    void reservedAvpFlagBitsAre3009() throws Exception {
        for (int reserved = 0x01; reserved <= 0x10; reserved <<= 1) {
            byte[] raw = rawAvp(DiameterConstants.AVP_ACCT_INTERIM_INTERVAL, 0x40 | reserved, 0, new byte[4]);
            DiameterProtocolException e = fails(acrWithRaw(raw));
            assertEquals(DiameterConstants.RESULT_INVALID_AVP_BITS, e.resultCode(), "bit " + reserved);
            assertEquals(DiameterConstants.AVP_ACCT_INTERIM_INTERVAL, e.failedAvp().code());
            assertEquals(0x40 | reserved, e.failedAvp().flags(), "the AVP as received");
        }
        // also on an unknown AVP without the M bit: the bits are wrong whatever the AVP
        assertEquals(3009L, fails(acrWithRaw(rawAvp(4242, 0x01, 0, new byte[4]))).resultCode());
    }

    @Test
    void mBitOnAnAvpWhoseRuleIsMustNotIs3009() throws Exception {
        Avp productName = Avp.utf8(DiameterConstants.AVP_PRODUCT_NAME, 0, true, "sipcharge");
        DiameterProtocolException e = fails(received(acr(imsMembers()).add(productName).build()));
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_BITS, e.resultCode());
        assertEquals(productName, e.failedAvp());
        assertTrue(e.getMessage().contains("Product-Name"), e.getMessage());
        for (int code : new int[]{DiameterConstants.AVP_ERROR_MESSAGE, DiameterConstants.AVP_ERROR_REPORTING_HOST}) {
            assertEquals(3009L, fails(received(acr(imsMembers()).add(Avp.utf8(code, 0, true, "h.org")).build())).resultCode());
            assertDoesNotThrow(() -> DictionaryValidator.validate(received(acr(imsMembers())
                    .add(Avp.utf8(code, 0, false, "h.org")).build())));
        }
        assertEquals(3009L, fails(received(acr(imsMembers())
                .add(Avp.unsigned32(DiameterConstants.AVP_FIRMWARE_REVISION, 0, true, 1)).build())).resultCode());
    }

    @Test
    void vBitOnAnIetfAvpIs3009() throws Exception {
        byte[] raw = rawAvp(DiameterConstants.AVP_ACCT_INTERIM_INTERVAL, 0xC0, 0, new byte[4]);
        DiameterProtocolException e = fails(acrWithRaw(raw));
        assertEquals(DiameterConstants.RESULT_INVALID_AVP_BITS, e.resultCode());
        assertTrue(e.getMessage().contains("V bit"), e.getMessage());
    }

    // ---- 5005: missing AVPs

    @Test
    void missingRequiredAvpIs5005WithAnExample() throws Exception {
        DiameterMessage.Builder b = DiameterMessage.request(DiameterConstants.CMD_ACCOUNTING, 3);
        for (Avp a : acr(imsMembers()).build().avps()) {
            if (a.code() != DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER) {
                b.add(a);
            }
        }
        DiameterProtocolException e = fails(received(b.build()));
        assertEquals(DiameterConstants.RESULT_MISSING_AVP, e.resultCode());
        assertEquals(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER, e.failedAvp().code());
        assertArrayEquals(new byte[4], e.failedAvp().data(), "RFC 6733 7.5: zero-filled, minimum length");
        assertTrue(e.failedAvp().isMandatory());
        assertTrue(e.getMessage().contains("Accounting-Record-Number"), e.getMessage());
    }

    @Test
    void missingRequiredMemberOfAGroupedAvpIs5005() throws Exception {
        List<Avp> ims = imsMembers();
        ims.removeIf(a -> a.code() == DiameterConstants.AVP_NODE_FUNCTIONALITY);
        DiameterProtocolException e = fails(received(acr(ims).build()));
        assertEquals(DiameterConstants.RESULT_MISSING_AVP, e.resultCode());
        assertEquals(DiameterConstants.AVP_NODE_FUNCTIONALITY, e.failedAvp().code());
        assertEquals(V3, e.failedAvp().vendorId());
        assertEquals(4, e.failedAvp().dataLength());

        Avp er = Avp.grouped(DiameterConstants.AVP_EXPERIMENTAL_RESULT, 0, true,
                List.of(Avp.unsigned32(DiameterConstants.AVP_VENDOR_ID, 0, true, V3)));
        DiameterProtocolException e2 = fails(received(acr(imsMembers()).add(er).build()));
        assertEquals(DiameterConstants.RESULT_MISSING_AVP, e2.resultCode());
        assertEquals(DiameterConstants.AVP_EXPERIMENTAL_RESULT_CODE, e2.failedAvp().code());
    }

    @Test
    void missingAvpsOfAnAnswer() throws Exception {
        DiameterMessage acr = received(acr(imsMembers()).build());
        DiameterMessage noResult = received(DiameterMessage.answerTo(acr)
                .add(acr.avp(DiameterConstants.AVP_SESSION_ID).orElseThrow())
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, "cdf.example.org"))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, "example.org"))
                .add(acr.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE).orElseThrow())
                .add(acr.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).orElseThrow()).build());
        DiameterProtocolException e = fails(noResult);
        assertEquals(DiameterConstants.RESULT_MISSING_AVP, e.resultCode());
        assertEquals(DiameterConstants.AVP_RESULT_CODE, e.failedAvp().code());
    }
}
