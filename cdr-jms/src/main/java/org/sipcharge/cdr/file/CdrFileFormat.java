package org.sipcharge.cdr.file;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * The binary layout of a TS 32.297 CDR file (clause 6.1): a file header, then CDRs each behind a CDR header.
 * All integers are big-endian.
 *
 * <pre>
 * file header                                   octets
 *   file length                                   4
 *   header length                                 4
 *   high release (3 bits) / version (5 bits)      1
 *   low release (3 bits) / version (5 bits)       1
 *   file opening timestamp                        4
 *   timestamp when the last CDR was appended      4
 *   number of CDRs in the file                    4
 *   file sequence number                          4
 *   file closure trigger reason                   1
 *   IP address of the node that made the file    20  (4 x 0xFF, then the IPv6 address; IPv4 as ::ffff:a.b.c.d)
 *   lost CDR indicator                            1
 *   length of the CDR routeing filter             2  (0: no filter)
 *   length of the private extension               2  (0: no extension)
 *   high release identifier extension             1  (release - 10, present when the release field is 7)
 *   low release identifier extension              1
 * CDR header
 *   CDR length                                    2
 *   release (3 bits) / version (5 bits)           1
 *   data record format (3 bits) / TS number (5)   1
 *   release identifier extension                  1  (when the release field is 7)
 * </pre>
 *
 * Readers find the first CDR at "header length", so a reader that expects a header without the private extension
 * length still finds the CDRs; ours reads both.
 */
public final class CdrFileFormat {

    /** Octets of our file header (with empty routeing filter and private extension, and the release extensions). */
    public static final int FILE_HEADER_LENGTH = 54;
    /** Octets of a CDR header for a release of 10 or later (with the release identifier extension). */
    public static final int CDR_HEADER_LENGTH = 5;
    /** TS 32.297 6.1.2: the CDR length field is 2 octets. */
    public static final int MAX_CDR_LENGTH = 0xFFFF;
    /** TS 32.297 6.1.2 data record format: 1 = BER (2 unaligned PER, 3 aligned PER, 4 XER). */
    public static final int FORMAT_BER = 1;
    /** TS 32.297 6.1.2 TS number: 9 = TS 32.260 (IMS), the specification our records come from. */
    public static final int TS_32_260 = 9;

    /** File closure trigger reasons, TS 32.297 6.1.1. */
    public enum ClosureReason {
        NORMAL(0), FILE_SIZE_LIMIT(1), FILE_OPEN_TIME_LIMIT(2), MAX_CDR_COUNT(3), MANUAL(4), FORMAT_CHANGE(5),
        /** The file was found open after a crash and closed at start-up. */
        ABNORMAL(128), FILE_SYSTEM_ERROR(129), STORAGE_EXHAUSTED(130), INTEGRITY_ERROR(131);

        public final int code;

        ClosureReason(int code) {
            this.code = code;
        }

        public static ClosureReason of(int code) {
            for (ClosureReason r : values()) {
                if (r.code == code) {
                    return r;
                }
            }
            throw new IllegalArgumentException("file closure trigger reason " + code + " is not defined by TS 32.297 6.1.1");
        }
    }

    private CdrFileFormat() {
    }

    /** Release field of 3 bits: 0 = R99, 1..6 = Rel-4..Rel-9, 7 = Rel-10 or later (see the extension octet). */
    static int releaseField(int release) {
        if (release >= 10) {
            return 7;
        }
        if (release < 4 || release > 9) {
            throw new IllegalArgumentException("3GPP release " + release + " has no TS 32.297 release identifier");
        }
        return release - 3;
    }

    static int release(int field, int extension) {
        return field == 7 ? 10 + extension : field == 0 ? 99 : field + 3;
    }

    /**
     * TS 32.297 6.1.1 timestamp: month (4 bits), day (5), hour (5), minute (6), sign of the offset from UTC (1: +),
     * offset hours (5), offset minutes (6). Written in UTC with offset +00:00.
     */
    static int timestamp(ZonedDateTime t) {
        ZonedDateTime u = t.withZoneSameInstant(ZoneOffset.UTC);
        return (u.getMonthValue() << 28) | (u.getDayOfMonth() << 23) | (u.getHour() << 18) | (u.getMinute() << 12) | (1 << 11);
    }

    /** Month, day, hour and minute of a header timestamp, as "MM-DD hh:mm+hhmm" for people and tests. */
    static String describeTimestamp(int v) {
        int month = (v >>> 28) & 0xF;
        int day = (v >>> 23) & 0x1F;
        int hour = (v >>> 18) & 0x1F;
        int minute = (v >>> 12) & 0x3F;
        char sign = ((v >>> 11) & 1) == 1 ? '+' : '-';
        return String.format("%02d-%02d %02d:%02d%c%02d%02d", month, day, hour, minute, sign, (v >>> 6) & 0x1F, v & 0x3F);
    }

    static byte[] nodeAddress(InetAddress address) {
        byte[] out = new byte[20];
        out[0] = out[1] = out[2] = out[3] = (byte) 0xFF;
        byte[] a = address.getAddress();
        if (address instanceof Inet4Address) {
            out[14] = out[15] = (byte) 0xFF;
            System.arraycopy(a, 0, out, 16, 4);
        } else if (address instanceof Inet6Address) {
            System.arraycopy(a, 0, out, 4, 16);
        }
        return out;
    }

    static InetAddress nodeAddress(byte[] field) {
        try {
            byte[] v6 = new byte[16];
            System.arraycopy(field, 4, v6, 0, 16);
            return InetAddress.getByAddress(v6); // an IPv4-mapped address comes back as Inet4Address
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Lost CDR indicator, TS 32.297 6.1.1: 0 = none lost; 1..127 = at least that many lost (127: 127 or more);
     * 128 + n = exactly n lost.
     */
    static int lostIndicator(long exactlyLost, boolean unknownMore) {
        if (unknownMore) {
            return (int) Math.max(1, Math.min(127, exactlyLost));
        }
        if (exactlyLost == 0) {
            return 0;
        }
        return exactlyLost < 127 ? 128 + (int) exactlyLost : 127;
    }

    /**
     * TS 32.297 6.1.4 file name as we read it: {@code <node id>_-_<file sequence number>.<yyyyMMdd>_-_<HHmm><+hhmm>},
     * the date and time being the file's opening time (UTC here).
     */
    static String fileName(String nodeId, long sequence, ZonedDateTime opened) {
        ZonedDateTime u = opened.withZoneSameInstant(ZoneOffset.UTC);
        return String.format("%s_-_%d.%04d%02d%02d_-_%02d%02d+0000", nodeId, sequence, u.getYear(), u.getMonthValue(),
                u.getDayOfMonth(), u.getHour(), u.getMinute());
    }

    /** The file sequence number in a name made by {@link #fileName}, or -1 when the name is not one of ours. */
    public static long sequenceOf(String fileName, String nodeId) {
        String prefix = nodeId + "_-_";
        if (!fileName.startsWith(prefix)) {
            return -1;
        }
        int dot = fileName.indexOf('.', prefix.length());
        if (dot < 0) {
            return -1;
        }
        try {
            return Long.parseLong(fileName.substring(prefix.length(), dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
