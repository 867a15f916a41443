package org.sipcharge.sip.b2bua;

import org.junit.jupiter.api.Test;
import org.sipcharge.charging.application.ImsChargingInfo;
import org.sipcharge.sip.b2bua.domain.ChargingVector;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChargingVectorTest {

    @Test
    void readsIcidAndBothIois() {
        // the form of RFC 7315 4.6's example, with both IOIs
        ChargingVector v = ChargingVector.parse("icid-value=1234bc9876e; icid-generated-at=192.0.6.8; orig-ioi=home1.net; term-ioi=home2.net");
        assertEquals("1234bc9876e", v.icid());
        assertEquals("home1.net", v.originatingIoi());
        assertEquals("home2.net", v.terminatingIoi());
    }

    @Test
    void namesAreCaseInsensitiveAndQuotedValuesUnquoted() {
        ChargingVector v = ChargingVector.parse("ICID-Value=\"AyretyU0dm+6O2IrT5tAFrbHLso=023551024\";Orig-IOI=\"a;b\"");
        assertEquals("AyretyU0dm+6O2IrT5tAFrbHLso=023551024", v.icid());
        assertEquals("a;b", v.originatingIoi(), "a semicolon inside quotes does not split");
    }

    @Test
    void unusableVectorsAreAbsentSoTheB2buaGeneratesAnIcid() {
        assertSame(ChargingVector.ABSENT, ChargingVector.parse(null));
        assertSame(ChargingVector.ABSENT, ChargingVector.parse(""));
        assertSame(ChargingVector.ABSENT, ChargingVector.parse("orig-ioi=home1.net"), "no icid-value");
        assertSame(ChargingVector.ABSENT, ChargingVector.parse("icid-value="), "empty icid-value");
        assertSame(ChargingVector.ABSENT, ChargingVector.parse("icid-value=" + "x".repeat(129)), "icid longer than the CDR keeps");
        assertSame(ChargingVector.ABSENT, ChargingVector.parse("icid-value=\"caf\u00e9\""), "not printable ASCII");
        assertSame(ChargingVector.ABSENT, ChargingVector.parse("icid-value=a;" + "p=x;".repeat(300)), "longer than 1024");
    }

    @Test
    void anUnusableIoiIsDroppedAndTheIcidKept() {
        ChargingVector v = ChargingVector.parse("icid-value=abc;orig-ioi=" + "y".repeat(200));
        assertEquals("abc", v.icid());
        assertNull(v.originatingIoi());
    }

    @Test
    void generatedIcidsAreUniqueAndTheHeaderWeSendParsesBack() {
        String a = ChargingVector.newIcid();
        assertNotEquals(a, ChargingVector.newIcid());
        ChargingVector sent = ChargingVector.parse(ChargingVector.headerValue(a, "192.0.2.7", "home1.net"));
        assertEquals(a, sent.icid());
        assertEquals("home1.net", sent.originatingIoi());
        ChargingVector quoted = ChargingVector.parse(ChargingVector.headerValue("abc=def/1", null, null));
        assertEquals("abc=def/1", quoted.icid(), "a value that is not a token is quoted");
    }

    @Test
    void sdpLinesOfAnAnswerBecomeMediaLines() {
        String sdp = "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        List<String> lines = ChargingVector.sdpLines(sdp.getBytes(StandardCharsets.US_ASCII), "application/sdp");
        assertEquals(7, lines.size());
        ImsChargingInfo ims = ImsChargingInfo.of("icid", null, null, lines);
        assertEquals(List.of("m=audio 6000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000"), ims.sdpMedia());
        assertTrue(ChargingVector.sdpLines(sdp.getBytes(StandardCharsets.US_ASCII), "text/plain").isEmpty(), "not SDP");
        assertTrue(ChargingVector.sdpLines(new byte[ChargingVector.MAX_SDP_LENGTH + 1], "application/sdp").isEmpty(), "too long");
        assertTrue(ChargingVector.sdpLines(null, "application/sdp").isEmpty());
    }

    @Test
    void sdpBeyondTheBoundIsCutAtALineNotRefused() {
        StringBuilder sdp = new StringBuilder("v=0\r\n");
        for (int i = 0; i < 100; i++) {
            sdp.append("m=audio ").append(6000 + 2 * i).append(" RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n");
        }
        ImsChargingInfo ims = ImsChargingInfo.of("icid", null, null,
                ChargingVector.sdpLines(sdp.toString().getBytes(StandardCharsets.US_ASCII), "application/sdp"));
        assertEquals(ImsChargingInfo.MAX_SDP_LINES, ims.sdpMedia().size());
        assertTrue(ims.sdpMedia().stream().mapToInt(String::length).sum() <= ImsChargingInfo.MAX_SDP_CHARACTERS);
    }
}
