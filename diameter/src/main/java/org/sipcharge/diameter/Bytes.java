package org.sipcharge.diameter;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Big-endian (network order, RFC 6733 3 and 4.1) reads and writes on byte arrays, without a ByteBuffer. */
final class Bytes {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Bytes() {
    }

    static int getInt(byte[] b, int pos) {
        return (int) INT.get(b, pos);
    }

    static long getLong(byte[] b, int pos) {
        return (long) LONG.get(b, pos);
    }

    static void putInt(byte[] b, int pos, int value) {
        INT.set(b, pos, value);
    }

    static void putLong(byte[] b, int pos, long value) {
        LONG.set(b, pos, value);
    }

    static byte[] ofInt(int value) {
        byte[] b = new byte[DiameterConstants.DATA_LENGTH_32];
        INT.set(b, 0, value);
        return b;
    }

    static byte[] ofLong(long value) {
        byte[] b = new byte[DiameterConstants.DATA_LENGTH_64];
        LONG.set(b, 0, value);
        return b;
    }

    /** Length of an AVP or message padded to the next 32-bit boundary (RFC 6733 4.1). */
    static int padded(int length) {
        return (length + DiameterConstants.AVP_ALIGNMENT - 1) & -DiameterConstants.AVP_ALIGNMENT;
    }

    /**
     * Whether {@code len} octets from {@code off} are well-formed UTF-8 (RFC 3629 4, as RFC 6733 4.3.1 requires of
     * UTF8String): no overlong forms, no surrogates (U+D800-U+DFFF), nothing above U+10FFFF. The same octets the
     * JDK's reporting UTF-8 decoder refuses; checked without decoding or allocating.
     */
    static boolean isValidUtf8(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            int c = b[i];
            if (c >= 0) {
                i++;
                continue;
            }
            c &= 0xFF;
            if (c < 0xC2) {
                return false; // continuation byte first, or C0/C1 (overlong 2-byte form)
            } else if (c < 0xE0) {
                if (i + 1 >= end || !continuation(b[i + 1])) {
                    return false;
                }
                i += 2;
            } else if (c < 0xF0) {
                if (i + 2 >= end) {
                    return false;
                }
                int c1 = b[i + 1] & 0xFF;
                if (c == 0xE0 && c1 < 0xA0 || c == 0xED && c1 > 0x9F // overlong; surrogates
                        || !continuation(b[i + 1]) || !continuation(b[i + 2])) {
                    return false;
                }
                i += 3;
            } else if (c < 0xF5) {
                if (i + 3 >= end) {
                    return false;
                }
                int c1 = b[i + 1] & 0xFF;
                if (c == 0xF0 && c1 < 0x90 || c == 0xF4 && c1 > 0x8F // overlong; above U+10FFFF
                        || !continuation(b[i + 1]) || !continuation(b[i + 2]) || !continuation(b[i + 3])) {
                    return false;
                }
                i += 4;
            } else {
                return false;
            }
        }
        return true;
    }

    private static boolean continuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
