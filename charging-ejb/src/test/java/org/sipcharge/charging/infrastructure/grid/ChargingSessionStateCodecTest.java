package org.sipcharge.charging.infrastructure.grid;

import org.junit.jupiter.api.Test;
import org.sipcharge.charging.application.ChargeableSession;
import org.sipcharge.charging.domain.model.accounting.AccountingRecordType;
import org.sipcharge.charging.domain.model.accounting.ChargingSessionState;

import java.time.Instant;
import java.util.Arrays;

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
