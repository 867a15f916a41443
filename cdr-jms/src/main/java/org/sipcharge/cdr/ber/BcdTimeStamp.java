package org.sipcharge.cdr.ber;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The TS 32.298 5.2.1 TimeStamp: {@code OCTET STRING (SIZE(9))} holding {@code YYMMDDhhmmssShhmm}, the local
 * date and time followed by its offset to UTC.
 *
 * <pre>
 * octet 1..6  YY MM DD hh mm ss   two BCD digits each, the first digit in the high nibble
 * octet 7     S                   ASCII '+' (0x2B) or '-' (0x2D)
 * octet 8..9  hh mm               the offset to UTC, BCD
 * </pre>
 *
 * For example 2026-11-22T10:00:05+01:00 is {@code 26 11 22 10 00 05 2B 01 00}. The spec's format has
 * whole seconds and a two-digit year; this class reads the year as 2000..2099.
 */
public final class BcdTimeStamp {

    /** TS 32.298 5.2.1: {@code TimeStamp ::= OCTET STRING (SIZE(9))}. */
    public static final int LENGTH = 9;

    /** First year a two-digit YY stands for. */
    private static final int CENTURY = 2000;

    private BcdTimeStamp() {
    }

    /**
     * @throws IllegalArgumentException when the time has a fraction of a second, its offset has seconds, or
     *                                  its year is outside 2000..2099 (see {@link #requireEncodable})
     */
    public static byte[] encode(OffsetDateTime time) {
        requireEncodable(time, "time");
        int offsetMinutes = time.getOffset().getTotalSeconds() / 60;
        int absOffset = Math.abs(offsetMinutes);
        return new byte[] {
                bcd(time.getYear() - CENTURY), bcd(time.getMonthValue()), bcd(time.getDayOfMonth()),
                bcd(time.getHour()), bcd(time.getMinute()), bcd(time.getSecond()),
                (byte) (offsetMinutes < 0 ? '-' : '+'), bcd(absOffset / 60), bcd(absOffset % 60)
        };
    }

    /** @throws CdrBerException naming the bad octet when {@code octets} is not a valid TimeStamp */
    public static OffsetDateTime decode(byte[] octets) {
        if (octets.length != LENGTH) {
            throw new CdrBerException("TimeStamp has " + octets.length + " octets, TS 32.298 gives it " + LENGTH);
        }
        int sign = octets[6];
        if (sign != '+' && sign != '-') {
            throw new CdrBerException(String.format("TimeStamp sign octet is 0x%02X, not '+' or '-'", sign & 0xff));
        }
        try {
            LocalDateTime local = LocalDateTime.of(CENTURY + digits(octets, 0), digits(octets, 1), digits(octets, 2),
                    digits(octets, 3), digits(octets, 4), digits(octets, 5));
            int hours = digits(octets, 7);
            int minutes = digits(octets, 8);
            if (minutes > 59) {
                throw new CdrBerException("TimeStamp offset minutes " + minutes + " out of range");
            }
            ZoneOffset offset = sign == '-' ? ZoneOffset.ofHoursMinutes(-hours, -minutes) : ZoneOffset.ofHoursMinutes(hours, minutes);
            return OffsetDateTime.of(local, offset);
        } catch (DateTimeException e) {
            throw new CdrBerException("TimeStamp is not a valid date, time and offset: " + e.getMessage(), e);
        }
    }

    /**
     * Checks that {@code time}, when not null, can be written as a TimeStamp without losing anything.
     *
     * @throws IllegalArgumentException naming {@code name} when it cannot
     */
    static void requireEncodable(OffsetDateTime time, String name) {
        if (time == null) {
            return;
        }
        if (time.getNano() != 0) {
            throw new IllegalArgumentException(name + " has a fraction of a second; a TS 32.298 TimeStamp holds whole seconds: " + time);
        }
        if (time.getOffset().getTotalSeconds() % 60 != 0) {
            throw new IllegalArgumentException(name + " has an offset with seconds; a TimeStamp offset is hhmm: " + time);
        }
        if (time.getYear() < CENTURY || time.getYear() > CENTURY + 99) {
            throw new IllegalArgumentException(name + " is outside the years 2000..2099 that a two-digit YY can hold: " + time);
        }
    }

    private static byte bcd(int twoDigits) {
        return (byte) ((twoDigits / 10) << 4 | twoDigits % 10);
    }

    private static int digits(byte[] octets, int index) {
        int high = (octets[index] >> 4) & 0x0f;
        int low = octets[index] & 0x0f;
        if (high > 9 || low > 9) {
            throw new CdrBerException(String.format("TimeStamp octet %d is 0x%02X, not two BCD digits", index + 1, octets[index] & 0xff));
        }
        return high * 10 + low;
    }
}
