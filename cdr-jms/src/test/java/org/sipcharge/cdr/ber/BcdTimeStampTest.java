package org.sipcharge.cdr.ber;

import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.*;

class BcdTimeStampTest {

    private static byte[] bytes(int... octets) {
        byte[] b = new byte[octets.length];
        for (int i = 0; i < octets.length; i++) {
            b[i] = (byte) octets[i];
        }
        return b;
    }

    @Test
    void positiveOffsetIsLocalTimeThenPlusAndOffset() {
        OffsetDateTime t = OffsetDateTime.of(2026, 11, 22, 10, 0, 5, 0, ZoneOffset.ofHours(1));
        // YY=26 MM=11 DD=22 hh=10 mm=00 ss=05, '+' = 0x2B, offset 01 00
        byte[] expected = bytes(0x26, 0x11, 0x22, 0x10, 0x00, 0x05, 0x2B, 0x01, 0x00);
        assertArrayEquals(expected, BcdTimeStamp.encode(t));
        assertEquals(t, BcdTimeStamp.decode(expected));
    }

    @Test
    void negativeOffsetWithMinutes() {
        OffsetDateTime t = OffsetDateTime.of(2009, 2, 28, 23, 59, 58, 0, ZoneOffset.ofHoursMinutes(-3, -30));
        byte[] expected = bytes(0x09, 0x02, 0x28, 0x23, 0x59, 0x58, 0x2D, 0x03, 0x30);
        assertArrayEquals(expected, BcdTimeStamp.encode(t));
        assertEquals(t, BcdTimeStamp.decode(expected));
    }

    @Test
    void utcIsWrittenWithAPlusSign() {
        OffsetDateTime t = OffsetDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
        assertArrayEquals(bytes(0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x2B, 0x00, 0x00), BcdTimeStamp.encode(t));
    }

    @Test
    void sameInstantInTwoZonesGivesTwoLocalTimes() {
        OffsetDateTime utc = OffsetDateTime.of(2026, 3, 1, 0, 30, 0, 0, ZoneOffset.UTC);
        byte[] tokyo = BcdTimeStamp.encode(utc.withOffsetSameInstant(ZoneOffset.ofHours(9)));
        assertArrayEquals(bytes(0x26, 0x03, 0x01, 0x09, 0x30, 0x00, 0x2B, 0x09, 0x00), tokyo);
        assertEquals(utc.toInstant(), BcdTimeStamp.decode(tokyo).toInstant());
    }

    @Test
    void fractionOfASecondIsRefused() {
        OffsetDateTime t = OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 1_000_000, ZoneOffset.UTC);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BcdTimeStamp.encode(t));
        assertTrue(e.getMessage().contains("whole seconds"), e.getMessage());
    }

    @Test
    void yearOutsideTwoDigitsIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> BcdTimeStamp.encode(OffsetDateTime.of(1999, 12, 31, 0, 0, 0, 0, ZoneOffset.UTC)));
        assertThrows(IllegalArgumentException.class,
                () -> BcdTimeStamp.encode(OffsetDateTime.of(2100, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)));
    }

    @Test
    void offsetWithSecondsIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> BcdTimeStamp.encode(OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.ofTotalSeconds(3601))));
    }

    @Test
    void decodeNamesTheBadOctet() {
        CdrBerException nibble = assertThrows(CdrBerException.class,
                () -> BcdTimeStamp.decode(bytes(0x26, 0x1A, 0x22, 0x10, 0x00, 0x05, 0x2B, 0x01, 0x00)));
        assertTrue(nibble.getMessage().contains("octet 2"), nibble.getMessage());
        CdrBerException sign = assertThrows(CdrBerException.class,
                () -> BcdTimeStamp.decode(bytes(0x26, 0x11, 0x22, 0x10, 0x00, 0x05, 0x30, 0x01, 0x00)));
        assertTrue(sign.getMessage().contains("sign"), sign.getMessage());
        assertThrows(CdrBerException.class, () -> BcdTimeStamp.decode(bytes(0x26, 0x11, 0x22)));
        // 13th month and a 31st of February are valid BCD but no date
        assertThrows(CdrBerException.class,
                () -> BcdTimeStamp.decode(bytes(0x26, 0x13, 0x01, 0x00, 0x00, 0x00, 0x2B, 0x00, 0x00)));
        assertThrows(CdrBerException.class,
                () -> BcdTimeStamp.decode(bytes(0x26, 0x02, 0x31, 0x00, 0x00, 0x00, 0x2B, 0x00, 0x00)));
        // offset beyond +18:00
        assertThrows(CdrBerException.class,
                () -> BcdTimeStamp.decode(bytes(0x26, 0x01, 0x01, 0x00, 0x00, 0x00, 0x2B, 0x19, 0x00)));
    }
}
