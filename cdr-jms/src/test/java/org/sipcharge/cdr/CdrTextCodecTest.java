package org.sipcharge.cdr;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.*;

class CdrTextCodecTest {

    private static ChargingDataRecord sample() {
        Instant start = Instant.parse("2026-11-22T10:00:00.250Z");
        return new ChargingDataRecord("cdf1-42", "cdf.example;1;2", "abc@10.0.0.1", "sip:alice@example.com",
                "sip:bob@example.com", start.minusSeconds(2), start, start.plusSeconds(5), 42, 0, false, "cdf1");
    }

    @Test
    void roundTrip() {
        ChargingDataRecord cdr = sample();
        assertEquals(cdr, CdrTextCodec.decode(CdrTextCodec.encode(cdr)));
        assertEquals(Duration.ofSeconds(5), cdr.duration());
    }

    @Test
    void imsDetailsRoundTripAndGapsInTheSdpLinesAreRefused() {
        ChargingDataRecord c = sample();
        ChargingDataRecord cdr = new ChargingDataRecord(c.cdrId(), c.sessionId(), c.userSessionId(), c.callingParty(),
                c.calledParty(), c.serviceRequestTime(), c.deliveryStartTime(), c.deliveryEndTime(), 42, 0, false, "cdf1", 0,
                null, null, "INVITE", "32260@3gpp.org", "icid-1", "home1.net", null,
                java.util.List.of("m=audio 6000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000"));
        String text = new String(CdrTextCodec.encode(cdr), StandardCharsets.UTF_8);
        assertTrue(text.contains("sdpMedia.2=a=rtpmap:0 PCMU/8000\n"), text);
        assertEquals(cdr, CdrTextCodec.decode(CdrTextCodec.encode(cdr)));
        String gap = text.replace("sdpMedia.2=", "sdpMedia.3=");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CdrTextCodec.decode(gap.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("sdpMedia"), e.getMessage());
    }

    @Test
    void missingFieldIsNamed() {
        String body = new String(CdrTextCodec.encode(sample()), StandardCharsets.UTF_8).replaceAll("calledParty=.*\n", "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CdrTextCodec.decode(body.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("calledParty"), e.getMessage());
    }

    @Test
    void badTimestampIsRejected() {
        String body = new String(CdrTextCodec.encode(sample()), StandardCharsets.UTF_8)
                .replaceAll("deliveryEndTime=.*\n", "deliveryEndTime=yesterday\n");
        assertThrows(IllegalArgumentException.class, () -> CdrTextCodec.decode(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void oversizeBodyIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> CdrTextCodec.decode(new byte[CdrTextCodec.MAX_ENCODED_LENGTH + 1]));
    }

    @Test
    void lineBreakInFieldIsRefusedOnEncode() {
        Instant t = Instant.now();
        ChargingDataRecord cdr = new ChargingDataRecord("x", "s", "u", "sip:a\nb", "sip:b", t, t, t, 0, 0, false, "n");
        assertThrows(IllegalArgumentException.class, () -> CdrTextCodec.encode(cdr));
    }

    @Test
    void endBeforeStartIsRefused() {
        Instant t = Instant.now();
        assertThrows(IllegalArgumentException.class,
                () -> new ChargingDataRecord("x", "s", "u", "a", "b", t, t, t.minusMillis(1), 0, 0, false, "n"));
    }
}
