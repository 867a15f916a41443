package org.sipcharge.diameter;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One Diameter AVP (RFC 6733 4.1): code, flags, optional Vendor-Id and the raw data (without padding).
 * Immutable. Typed factories encode the RFC 6733 4.2/4.3 data formats; typed readers decode them and throw
 * {@link DiameterProtocolException} (5014 for a wrong length, 5004 for a bad value) naming this AVP.
 */
public final class Avp {

    /** RFC 6733 4.3.1 Time: seconds since 1900-01-01 (NTP epoch) minus the Unix epoch. */
    private static final long NTP_TO_UNIX_SECONDS = 2_208_988_800L;
    /** RFC 4330 3 (cited by RFC 6733 4.3.1): NTP era 1 starts 2036-02-07T06:28:16Z when the 32-bit value wraps. */
    private static final long NTP_ERA1_UNIX_SECONDS = 0x1_0000_0000L - NTP_TO_UNIX_SECONDS;

    private final int code;
    private final int flags;
    private final long vendorId;
    private final byte[] data;
    /** Grouped nesting level this AVP was decoded at (0: top level or built locally); bounds {@link #groupedAvps}. */
    private final int depth;

    private Avp(int code, int flags, long vendorId, byte[] data, int depth) {
        this.code = code;
        this.flags = flags;
        this.vendorId = vendorId;
        this.data = data;
        this.depth = depth;
    }

    /** An AVP with raw data; the V flag follows from a non-zero vendor. */
    public static Avp of(int code, long vendorId, boolean mandatory, byte[] data) {
        if (vendorId < 0 || vendorId > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("Vendor-Id out of range: " + vendorId);
        }
        int flags = (vendorId != 0 ? DiameterConstants.AVP_FLAG_VENDOR : 0) | (mandatory ? DiameterConstants.AVP_FLAG_MANDATORY : 0);
        int header = vendorId != 0 ? DiameterConstants.AVP_HEADER_LENGTH_VENDOR : DiameterConstants.AVP_HEADER_LENGTH;
        if (data.length + header > DiameterConstants.MAX_AVP_LENGTH) {
            throw new IllegalArgumentException("AVP " + code + " data of " + data.length + " bytes exceeds "
                    + DiameterConstants.MAX_AVP_LENGTH);
        }
        return new Avp(code, flags, vendorId, data.clone(), 0);
    }

    /** As received: flags are kept as they were on the wire (used by the decoder). */
    static Avp decoded(int code, int flags, long vendorId, byte[] data) {
        return new Avp(code, flags, vendorId, data, 0);
    }

    /** As received inside Grouped AVPs nested {@code depth} levels deep. */
    static Avp decoded(int code, int flags, long vendorId, byte[] data, int depth) {
        return new Avp(code, flags, vendorId, data, depth);
    }

    public static Avp octets(int code, long vendorId, boolean mandatory, byte[] value) {
        return of(code, vendorId, mandatory, value);
    }

    /** UTF8String, DiameterIdentity and DiameterURI (RFC 6733 4.3.1) are all UTF-8 octets on the wire. */
    public static Avp utf8(int code, long vendorId, boolean mandatory, String value) {
        return of(code, vendorId, mandatory, value.getBytes(StandardCharsets.UTF_8));
    }

    public static Avp unsigned32(int code, long vendorId, boolean mandatory, long value) {
        if (value < 0 || value > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("Unsigned32 out of range: " + value);
        }
        return of(code, vendorId, mandatory, ByteBuffer.allocate(4).putInt((int) value).array());
    }

    public static Avp integer32(int code, long vendorId, boolean mandatory, int value) {
        return of(code, vendorId, mandatory, ByteBuffer.allocate(4).putInt(value).array());
    }

    /** Enumerated is an Integer32 (RFC 6733 4.3.1). */
    public static Avp enumerated(int code, long vendorId, boolean mandatory, int value) {
        return integer32(code, vendorId, mandatory, value);
    }

    public static Avp unsigned64(int code, long vendorId, boolean mandatory, long value) {
        return of(code, vendorId, mandatory, ByteBuffer.allocate(8).putLong(value).array());
    }

    public static Avp integer64(int code, long vendorId, boolean mandatory, long value) {
        return of(code, vendorId, mandatory, ByteBuffer.allocate(8).putLong(value).array());
    }

    /** Time (RFC 6733 4.3.1): 32-bit NTP seconds, with the RFC 4330 era rule past 2036. */
    public static Avp time(int code, long vendorId, boolean mandatory, Instant value) {
        long unix = value.getEpochSecond();
        long ntp = unix >= NTP_ERA1_UNIX_SECONDS ? unix - NTP_ERA1_UNIX_SECONDS : unix + NTP_TO_UNIX_SECONDS;
        // RFC 4330 3: an MSB of 1 means era 0 (1968-2036), 0 means era 1 (2036-2104); outside that range the value
        // would be read back in the other era.
        if (ntp < 0 || ntp > 0xFFFFFFFFL || (unix >= NTP_ERA1_UNIX_SECONDS) != (ntp < 0x8000_0000L)) {
            throw new IllegalArgumentException("time not representable in a Diameter Time AVP: " + value);
        }
        return unsigned32(code, vendorId, mandatory, ntp);
    }

    /** Address (RFC 6733 4.3.1): 2-byte address family (IANA: 1 IPv4, 2 IPv6) then the address. */
    public static Avp address(int code, long vendorId, boolean mandatory, InetAddress value) {
        byte[] a = value.getAddress();
        ByteBuffer b = ByteBuffer.allocate(2 + a.length).putShort((short) (a.length == 4 ? 1 : 2)).put(a);
        return of(code, vendorId, mandatory, b.array());
    }

    public static Avp grouped(int code, long vendorId, boolean mandatory, List<Avp> members) {
        int length = 0;
        for (Avp m : members) {
            length += m.encodedLength();
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        for (Avp m : members) {
            m.writeTo(b);
        }
        return of(code, vendorId, mandatory, b.array());
    }

    public int code() {
        return code;
    }

    public long vendorId() {
        return vendorId;
    }

    public int flags() {
        return flags;
    }

    public boolean isMandatory() {
        return (flags & DiameterConstants.AVP_FLAG_MANDATORY) != 0;
    }

    public boolean isVendorSpecific() {
        return (flags & DiameterConstants.AVP_FLAG_VENDOR) != 0;
    }

    public byte[] data() {
        return data.clone();
    }

    public int dataLength() {
        return data.length;
    }

    public String asUtf8() {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException e) {
            throw DiameterProtocolException.invalidAvpValue(this, "not valid UTF-8");
        }
    }

    public byte[] asOctets() {
        return data.clone();
    }

    public long asUnsigned32() {
        requireLength(4);
        return ByteBuffer.wrap(data).getInt() & 0xFFFFFFFFL;
    }

    public int asInteger32() {
        requireLength(4);
        return ByteBuffer.wrap(data).getInt();
    }

    public long asUnsigned64() {
        requireLength(8);
        return ByteBuffer.wrap(data).getLong();
    }

    public long asInteger64() {
        requireLength(8);
        return ByteBuffer.wrap(data).getLong();
    }

    public Instant asTime() {
        long ntp = asUnsigned32();
        long unix = (ntp & 0x8000_0000L) != 0 ? ntp - NTP_TO_UNIX_SECONDS : ntp + NTP_ERA1_UNIX_SECONDS;
        return Instant.ofEpochSecond(unix);
    }

    public InetAddress asAddress() {
        if (data.length != 6 && data.length != 18) {
            throw DiameterProtocolException.invalidAvpLength(this, "Address of " + data.length + " bytes");
        }
        int family = ((data[0] & 0xFF) << 8) | (data[1] & 0xFF);
        if ((family == 1) != (data.length == 6) || (family != 1 && family != 2)) {
            throw DiameterProtocolException.invalidAvpValue(this, "address family " + family);
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(data, 2, data.length));
        } catch (UnknownHostException e) {
            throw DiameterProtocolException.invalidAvpValue(this, e.getMessage());
        }
    }

    /** The members of a Grouped AVP (RFC 6733 4.4). A member overrunning this AVP is a 5014 naming it. */
    public List<Avp> groupedAvps() {
        return Collections.unmodifiableList(AvpCodec.decodeAll(ByteBuffer.wrap(data), depth + 1));
    }

    private void requireLength(int n) {
        if (data.length != n) {
            throw DiameterProtocolException.invalidAvpLength(this, "expected " + n + " data bytes, got " + data.length);
        }
    }

    int headerLength() {
        return isVendorSpecific() ? DiameterConstants.AVP_HEADER_LENGTH_VENDOR : DiameterConstants.AVP_HEADER_LENGTH;
    }

    /** Length on the wire including padding to a 32-bit boundary (RFC 6733 4.1). */
    public int encodedLength() {
        int unpadded = headerLength() + data.length;
        return (unpadded + 3) & ~3;
    }

    void writeTo(ByteBuffer out) {
        int unpadded = headerLength() + data.length;
        out.putInt(code);
        out.putInt((flags << 24) | unpadded);
        if (isVendorSpecific()) {
            out.putInt((int) vendorId);
        }
        out.put(data);
        for (int i = unpadded; i < encodedLength(); i++) {
            out.put((byte) 0);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Avp a && a.code == code && a.flags == flags && a.vendorId == vendorId && Arrays.equals(a.data, data);
    }

    @Override
    public int hashCode() {
        return (code * 31 + Long.hashCode(vendorId)) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "AVP(" + code + (vendorId != 0 ? "/" + vendorId : "") + (isMandatory() ? ",M" : "") + ", " + data.length + " bytes)";
    }
}
