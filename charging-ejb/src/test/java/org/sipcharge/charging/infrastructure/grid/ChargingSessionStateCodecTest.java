package org.sipcharge.charging.infrastructure.grid;

import org.junit.jupiter.api.Test;
import org.sipcharge.charging.application.ChargeableSession;
import org.sipcharge.charging.application.ImsChargingInfo;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.ChargingSessionState;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChargingSessionStateCodecTest {

    private static ChargingSessionState typical() {
        ChargeableSession call = new ChargeableSession("1-23456@10.20.30.40", "sip:+4930123456@operator.example;user=phone",
                "sip:+4940987654@operator.example;user=phone", Instant.parse("2026-11-23T10:00:00.123456Z"),
                Instant.parse("2026-11-23T10:00:02.5Z"));
        return ChargingSessionState.opening("ctf.sipcharge.local;1732356000;42;7", call, "8d1d6a5c-0b8e-4f59-9a49-3f7c6b0d2e11", 1_700_000_000_000L)
                .settled(300, 1_700_000_300_000L)
                .sending(AccountingRecordType.INTERIM, "8d1d6a5c-0b8e-4f59-9a49-3f7c6b0d2e11", 1_700_000_300_010L)
                .stopping(Instant.parse("2026-11-23T10:05:01Z"), 16);
    }

    @Test
    void roundTripIsCanonicalToTheMillisecond() {
        ChargingSessionState s = typical();
        byte[] b = ChargingSessionStateCodec.encode(s);
        ChargingSessionState back = ChargingSessionStateCodec.decode(b);
        assertArrayEquals(b, ChargingSessionStateCodec.encode(back), "encode(decode(b)) == b: the store compares bytes");
        assertEquals(s.lastRecordNumber(), back.lastRecordNumber());
        assertEquals(AccountingRecordType.INTERIM, back.inFlight());
        assertEquals(Instant.parse("2026-11-23T10:00:00.123Z"), back.session().requestTime());
        assertEquals(s.stopTime(), back.stopTime());
        assertEquals(16, back.stopCause());
        assertEquals(back, ChargingSessionStateCodec.canonical(back));
    }

    @Test
    void aTypicalStateIsFarUnderTwoKilobytes() {
        int size = ChargingSessionStateCodec.encode(typical()).length;
        System.out.println("accounting session state of a typical IMS call: " + size + " bytes per copy");
        assertTrue(size < 512, size + " bytes");
    }

    /** A session with P-Charging-Vector identifiers and the SIPp-style SDP answer of one audio stream. */
    static ChargingSessionState withIms() {
        ChargingSessionState t = typical();
        ChargeableSession c = t.session();
        ImsChargingInfo ims = ImsChargingInfo.of("AyretyU0dm+6O2IrT5tAFrbHLso=023551024", "operator-a.example",
                "operator-b.example", List.of("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0",
                        "m=audio 6000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000"));
        return new ChargingSessionState(t.diameterSessionId(), new ChargeableSession(c.sessionKey(), c.callingParty(),
                c.calledParty(), c.requestTime(), c.answerTime(), ims), t.lastRecordNumber(), t.interimIntervalSeconds(),
                t.inFlight(), t.inFlightOwner(), t.inFlightSinceMillis(), t.nextInterimMillis(), t.stopTime(), t.stopCause());
    }

    @Test
    void imsDetailsRoundTripAsVersionTwoAndAStateWithoutThemStaysVersionOne() {
        ChargingSessionState s = withIms();
        byte[] b = ChargingSessionStateCodec.encode(s);
        assertEquals(ChargingSessionStateCodec.VERSION_IMS, b[0]);
        ChargingSessionState back = ChargingSessionStateCodec.decode(b);
        assertArrayEquals(b, ChargingSessionStateCodec.encode(back));
        assertEquals(s.session().ims(), back.session().ims());
        assertEquals(List.of("m=audio 6000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000"), back.session().ims().sdpMedia(),
                "session-level lines are not media components");
        assertEquals(ChargingSessionStateCodec.VERSION, ChargingSessionStateCodec.encode(typical())[0],
                "a state without IMS details stays readable by the previous release");
        int size = b.length;
        System.out.println("accounting session state with icid, IOIs and one audio stream: " + size + " bytes per copy");
        assertTrue(size < 512, size + " bytes");
    }

    @Test
    void recordNumbersUpToUnsigned32Survive() {
        ChargingSessionState s = new ChargingSessionState("s;1", typical().session(), 0xFFFFFFFFL, 0, null, "", 0, 0, null, 0);
        assertEquals(0xFFFFFFFFL, ChargingSessionStateCodec.decode(ChargingSessionStateCodec.encode(s)).lastRecordNumber());
    }

    @Test
    void truncatedOrForeignBytesAreRefusedClearly() {
        byte[] b = ChargingSessionStateCodec.encode(typical());
        IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
                () -> ChargingSessionStateCodec.decode(Arrays.copyOf(b, b.length - 3)));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        byte[] newer = b.clone();
        newer[0] = 9;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ChargingSessionStateCodec.decode(newer)).getMessage()
                .contains("version 9"));
        byte[] longer = Arrays.copyOf(b, b.length + 1);
        assertThrows(IllegalArgumentException.class, () -> ChargingSessionStateCodec.decode(longer));
    }
}
