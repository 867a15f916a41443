package org.sipcharge.cdr.ber;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class CdrBerCodecTest {

    private static final HexFormat HEX = HexFormat.ofDelimiter(" ").withUpperCase();

    private static byte[] hex(String spaced) {
        return HEX.parseHex(spaced);
    }

    // ---- round trips ---------------------------------------------------------------------------

    @Test
    void serviceTimeStampMillisecondsTravelInTheFractionFields() {
        ImsChargingRecord r = ImsChargingRecord.builder()
                .serviceRequestTime(java.time.OffsetDateTime.parse("2026-11-22T11:00:00.250+01:00"))
                .serviceDeliveryStartTime(java.time.OffsetDateTime.parse("2026-11-22T11:00:01+01:00"))
                .serviceDeliveryEndTime(java.time.OffsetDateTime.parse("2026-11-22T11:00:09.007+01:00"))
                .build();
        byte[] b = CdrBerCodec.encode(r);
        String hex = HexFormat.of().formatHex(b);
        // serviceRequestTimeStampFraction [37] = 250: 9F 25 02 00 FA; no [38] for .000; [39] = 7: 9F 27 01 07
        assertTrue(hex.contains("9f250200fa"), hex);
        assertFalse(hex.contains("9f26"), hex);
        assertTrue(hex.endsWith("9f270107"), hex);
        assertEquals(r, CdrBerCodec.decode(b));
        // A fraction outside 1..999 is refused (0 is never written, 1000 is outside Milliseconds).
        byte[] bad = Arrays.copyOf(b, b.length);
        bad[bad.length - 1] = 0;
        assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(bad));
    }

    @Test
    void fullRecordRoundTrips() {
        ImsChargingRecord full = SampleRecords.full();
        assertEquals(full, CdrBerCodec.decode(CdrBerCodec.encode(full)));
    }

    @Test
    void minimalRecordRoundTrips() {
        ImsChargingRecord minimal = SampleRecords.minimal();
        assertEquals(minimal, CdrBerCodec.decode(CdrBerCodec.encode(minimal)));
    }

    @Test
    void everySampleRoundTrips() {
        for (Map.Entry<String, ImsChargingRecord> e : SampleRecords.all().entrySet()) {
            assertEquals(e.getValue(), CdrBerCodec.decode(CdrBerCodec.encode(e.getValue())), e.getKey());
        }
    }

    @Test
    void partialRecordKeepsItsSequenceNumberAndCause() {
        ImsChargingRecord decoded = CdrBerCodec.decode(CdrBerCodec.encode(SampleRecords.partial()));
        assertTrue(decoded.isPartial());
        assertEquals(2L, decoded.recordSequenceNumber());
        assertEquals(CauseForRecordClosing.TIME_LIMIT, decoded.causeForRecordClosing());
        assertEquals(SampleRecords.partial().serviceDeliveryStartTime().getOffset(), decoded.serviceDeliveryStartTime().getOffset());
    }

    @Test
    void nonAsciiUtf8FieldsRoundTrip() {
        ImsChargingRecord r = ImsChargingRecord.builder()
                .serviceContextId("dienst-\u00fc@example.com")
                .subscriptionIds(List.of(new SubscriptionId(SubscriptionIdType.END_USER_NAI, "\u7528\u6237@example.com")))
                .build();
        assertEquals(r, CdrBerCodec.decode(CdrBerCodec.encode(r)));
    }

    // ---- canonical BER, checked against bytes computed by hand from TS 32.298 and X.690 ----------

    @Test
    void minimalRecordIsTheTagOfAsRecordAndTheRecordType() {
        // IMSRecord aSRecord [69]: context class (10), constructed (1), tag >= 31 so 11111 then 69 = 0x45
        //   -> BF 45; ASRecord's tag is replaced (IMPLICIT TAGS, a SET is not a CHOICE).
        // recordType [0] INTEGER 69 -> 80 01 45.
        assertArrayEquals(hex("BF 45 03 80 01 45"), CdrBerCodec.encode(SampleRecords.minimal()));
    }

    @Test
    void smallRecordMatchesHandEncoding() {
        ImsChargingRecord r = ImsChargingRecord.builder()
                .nodeAddress("cdf1")
                .calledParty(InvolvedParty.sipUri("sip:b@x"))
                .localRecordSequenceNumber(300L)
                .causeForRecordClosing(CauseForRecordClosing.UNSUCCESSFUL_SERVICE_DELIVERY)
                .subscriptionIds(List.of(new SubscriptionId(SubscriptionIdType.END_USER_E164, "491701")))
                .build();
        byte[] expected = hex(
                "BF 45 2D"                                  // [69] constructed, 45 content octets
                + " 80 01 45"                               // recordType [0] = 69
                // nodeAddress [4] NodeAddress: a tagged CHOICE is always explicitly tagged (X.680 31.2.7),
                // so A4 wraps the chosen alternative domainName [1] GraphicString -> 81
                + " A4 06 81 04 63 64 66 31"
                // called-Party-Address [7] InvolvedParty, again a CHOICE: A7 around sIP-URI [0] -> 80
                + " A7 09 80 07 73 69 70 3A 62 40 78"
                + " 8F 02 01 2C"                            // localRecordSequenceNumber [15] = 300
                + " 91 01 01"                               // causeForRecordClosing [17] unSuccessfulServiceDelivery
                // list-of-subscription-ID [31]: tag 31 needs the high-tag form BF 1F; its elements are
                // SubscriptionID SETs (31), [0] ENUMERATED eND-USER-E164 (0), [1] UTF8String
                + " BF 1F 0D 31 0B 80 01 00 81 06 34 39 31 37 30 31");
        assertArrayEquals(expected, CdrBerCodec.encode(r));
    }

    @Test
    void fieldTagsOfTheFullRecord() {
        byte[] encoded = CdrBerCodec.encode(SampleRecords.full());
        // retransmission [1] NULL: 81 00
        assertContains(encoded, hex("81 00"));
        // serviceRequestTimeStamp [9] TimeStamp: 89 09, then 2026-11-22 10:00:00 +01:00 in BCD
        assertContains(encoded, hex("89 09 26 11 22 10 00 00 2B 01 00"));
        // serviceDeliveryEndTimeStamp [11]: 10:02:09 (4 s + 125 s after 10:00:00)
        assertContains(encoded, hex("8B 09 26 11 22 10 02 09 2B 01 00"));
        // localRecordSequenceNumber [15] = 2^32-1: INTEGER needs a leading 00 to stay positive
        assertContains(encoded, hex("8F 05 00 FF FF FF FF"));
        // incomplete-CDR-Indication [18] SET: B2, TRUE as FF (X.690 11.1 for CER/DER), interim lost yes (1)
        assertContains(encoded, hex("B2 09 80 01 00 81 01 01 82 01 FF"));
        // serviceContextID [30] UTF8String: 9E, 14 octets
        assertContains(encoded, concat(hex("9E 0E"), ascii("32260@3gpp.org")));
        // inside list-Of-SDP-Media-Components [21] (B5): sDP-Media-Name [0] of 23 octets, the media
        // descriptions as universal GraphicString (25 = 0x19), mediaInitiatorFlag [3] NULL
        assertContains(encoded, concat(hex("80 17"), ascii("audio 49170 RTP/AVP 0 8")));
        assertContains(encoded, concat(hex("19 14"), ascii("a=rtpmap:0 PCMU/8000")));
        assertContains(encoded, hex("83 00"));
        assertContains(encoded, hex("B5 81"));
    }

    @Test
    void encodingTwiceGivesIdenticalBytes() {
        for (ImsChargingRecord r : SampleRecords.all().values()) {
            byte[] first = CdrBerCodec.encode(r);
            assertArrayEquals(first, CdrBerCodec.encode(r));
            // and a decoded copy encodes to the same bytes again
            assertArrayEquals(first, CdrBerCodec.encode(CdrBerCodec.decode(first)));
        }
    }

    @Test
    void lengthsAreDefiniteAndLongFormOnlyWhenNeeded() {
        String callId = "x".repeat(200);
        byte[] encoded = CdrBerCodec.encode(ImsChargingRecord.builder().sessionId(callId).build());
        // 3 (recordType) + 3 + 200 (session-Id [5] 85 81 C8 ...) = 206 = 0xCE: one long-form length octet each
        assertArrayEquals(hex("BF 45 81 CE 80 01 45 85 81 C8"), Arrays.copyOf(encoded, 10));
        assertEquals(2 + 2 + 206, encoded.length);
    }

    @Test
    void setComponentsAppearInAscendingTagOrder() {
        byte[] encoded = CdrBerCodec.encode(SampleRecords.full());
        // skip BF 45 and the outer length, in long form 8n followed by n octets (the record is > 127 bytes)
        assertEquals(0x80, encoded[2] & 0xf0);
        int offset = 3 + (encoded[2] & 0x0f);
        int previous = -1;
        while (offset < encoded.length) {
            int identifier = encoded[offset] & 0xff;
            int tag = identifier & 0x1f;
            int header = 1;
            if (tag == 0x1f) {
                tag = encoded[offset + 1] & 0x7f;
                header = 2;
            }
            assertTrue(tag > previous, "tag [" + tag + "] after [" + previous + "]");
            previous = tag;
            int length = encoded[offset + header] & 0xff;
            int lengthOctets = 1;
            if (length > 0x80) {
                lengthOctets += length & 0x7f;
                length = 0;
                for (int i = 1; i < lengthOctets; i++) {
                    length = length << 8 | (encoded[offset + header + i] & 0xff);
                }
            }
            assertNotEquals(0x80, encoded[offset + header] & 0xff, "indefinite length");
            offset += header + lengthOctets + length;
        }
        assertEquals(encoded.length, offset);
        assertEquals(31, previous);
    }

    // ---- malformed input -----------------------------------------------------------------------

    @Test
    @Timeout(10)
    void everyTruncationIsRejected() {
        byte[] encoded = CdrBerCodec.encode(SampleRecords.full());
        for (int n = 0; n < encoded.length; n++) {
            byte[] prefix = Arrays.copyOf(encoded, n);
            assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(prefix), "prefix of " + n + " bytes");
        }
    }

    @Test
    void truncationNamesTheOffset() {
        byte[] encoded = CdrBerCodec.encode(SampleRecords.full());
        CdrBerException e = assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(Arrays.copyOf(encoded, encoded.length - 1)));
        assertTrue(e.getMessage().contains("offset"), e.getMessage());
    }

    @Test
    void wrongOuterTagIsRejected() {
        CdrBerException e = assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("30 03 80 01 45")));
        assertTrue(e.getMessage().contains("BF 45"), e.getMessage());
        // another IMS record type: sCSCFRecord [63]
        assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("BF 3F 03 80 01 3F")));
        // a text body of CdrTextCodec
        assertThrows(CdrBerException.class, () -> CdrBerCodec.decode("cdrId=cdf1-1\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void unknownFieldTagIsRejected() {
        // privateUserID [8] is left out of the sipcharge module
        CdrBerException e = assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("BF 45 06 80 01 45 88 01 41")));
        assertTrue(e.getMessage().contains("ASRecord"), e.getMessage());
    }

    @Test
    void lengthBeyondTheBytesIsRejectedWithoutAllocating() {
        // outer length says 16 MiB - 1 (3 length octets), 3 bytes follow
        CdrBerException outer = assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("BF 45 83 FF FF FF 80 01 45")));
        assertTrue(outer.getMessage().contains("runs past"), outer.getMessage());
        // an inner OCTET STRING claims 127 bytes inside a 5-byte record
        CdrBerException inner = assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("BF 45 05 80 01 45 93 7F")));
        assertTrue(inner.getMessage().contains("offset 7"), inner.getMessage());
        // a 4-octet length (up to 4 GiB) is refused outright
        assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("BF 45 84 7F FF FF FF 80 01 45")));
    }

    @Test
    void indefiniteLengthIsRejected() {
        CdrBerException e = assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("BF 45 80 80 01 45 00 00")));
        assertTrue(e.getMessage().contains("indefinite"), e.getMessage());
    }

    @Test
    void nonMinimalLengthIsRejected() {
        assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("BF 45 81 03 80 01 45")));
    }

    @Test
    void trailingBytesAreRejected() {
        CdrBerException e = assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("BF 45 03 80 01 45 00")));
        assertTrue(e.getMessage().contains("after the end"), e.getMessage());
    }

    @Test
    void emptyAndOversizeBodiesAreRejected() {
        assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(new byte[0]));
        assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(new byte[CdrBerCodec.MAX_ENCODED_LENGTH + 1]));
    }

    @Test
    void deepNestingIsRejected() {
        // 20 nested [4] constructed values: well-formed TLVs, but deeper than any ASRecord
        int depth = 20;
        byte[] nested = new byte[0];
        for (int i = 0; i < depth; i++) {
            byte[] outer = new byte[nested.length + (i == depth - 1 ? 3 : 2)];
            int p = 0;
            if (i == depth - 1) {
                outer[p++] = (byte) 0xBF;
                outer[p++] = 0x45;
            } else {
                outer[p++] = (byte) 0xA4;
            }
            outer[p++] = (byte) nested.length;
            System.arraycopy(nested, 0, outer, p, nested.length);
            nested = outer;
        }
        byte[] body = nested;
        CdrBerException e = assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(body));
        assertTrue(e.getMessage().contains("nested"), e.getMessage());
    }

    @Test
    void missingRecordTypeIsRejected() {
        CdrBerException e = assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("BF 45 03 8F 01 01")));
        assertTrue(e.getMessage().contains("recordType"), e.getMessage());
    }

    @Test
    void otherRecordTypeValueIsRejected() {
        assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("BF 45 03 80 01 3F")));
    }

    @Test
    void unknownEnumeratedValueIsRejected() {
        CdrBerException e = assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("BF 45 06 80 01 45 83 01 07")));
        assertTrue(e.getMessage().contains("role-of-Node"), e.getMessage());
        // causeForRecordClosing 2 is not defined by TS 32.298
        assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("BF 45 06 80 01 45 91 01 02")));
    }

    @Test
    void badTimeStampIsRejectedWithItsField() {
        CdrBerException e = assertThrows(CdrBerException.class,
                () -> CdrBerCodec.decode(hex("BF 45 0E 80 01 45 8C 09 26 11 22 10 00 0A 2B 01 00")));
        assertTrue(e.getMessage().contains("recordOpeningTime"), e.getMessage());
        // a TimeStamp of 8 octets
        assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("BF 45 0D 80 01 45 8C 08 26 11 22 10 00 00 2B 01")));
    }

    @Test
    void controlCharacterInGraphicStringIsRejected() {
        CdrBerException e = assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("BF 45 07 80 01 45 82 02 41 0A")));
        assertTrue(e.getMessage().contains("sipMethod"), e.getMessage());
    }

    @Test
    void incompleteIndicationLackingAComponentIsRejected() {
        assertThrows(CdrBerException.class, () -> CdrBerCodec.decode(hex("BF 45 0B 80 01 45 B2 06 80 01 00 81 01 00")));
    }

    @Test
    @Timeout(30)
    void randomCorruptionNeverEscapesAsAnotherException() {
        byte[] encoded = CdrBerCodec.encode(SampleRecords.full());
        Random random = new Random(32298);
        for (int i = 0; i < 20_000; i++) {
            byte[] corrupt = encoded.clone();
            int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++) {
                corrupt[random.nextInt(corrupt.length)] = (byte) random.nextInt(256);
            }
            try {
                CdrBerCodec.decode(corrupt);
            } catch (CdrBerException expected) {
                assertNotNull(expected.getMessage());
            } catch (RuntimeException | Error e) {
                fail("corruption " + HEX.formatHex(corrupt) + " escaped as " + e, e);
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static void assertContains(byte[] haystack, byte[] needle) {
        assertTrue(indexOf(haystack, needle) >= 0, HEX.formatHex(needle) + " not in " + HEX.formatHex(haystack));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
