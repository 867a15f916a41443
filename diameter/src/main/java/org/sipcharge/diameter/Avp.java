package org.sipcharge.diameter;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * One Diameter AVP (RFC 6733 4.1): code, flags, optional Vendor-Id and the raw data (without padding).
 * Immutable. Typed factories encode the RFC 6733 4.2/4.3 data formats; typed readers decode them and throw
 * {@link DiameterProtocolException} (5014 for a wrong length, 5004 for a bad value) naming this AVP.
 *
 * <p>A decoded AVP's data is a range of its message's bytes (no copy per AVP); the message decoder works on its own
 * copy of the input, so nothing outside can change it. Grouped members are decoded once, on first use.
 */
public final class Avp {

    /** RFC 6733 4.3.1 Time: seconds since 1900-01-01 (NTP epoch) minus the Unix epoch. */
    private static final long NTP_TO_UNIX_SECONDS = 2_208_988_800L;
    /** RFC 4330 3 (cited by RFC 6733 4.3.1): NTP era 1 starts 2036-02-07T06:28:16Z when the 32-bit value wraps. */
    private static final long NTP_ERA1_UNIX_SECONDS = 0x1_0000_0000L - NTP_TO_UNIX_SECONDS;

    private final int code;
    private final int flags;
    private final long vendorId;
    private final byte[] buf;
    private final int off;
    private final int len;
    /** Grouped nesting level this AVP was decoded at (0: top level or built locally); bounds {@link #groupedAvps}. */
    private final int depth;
    /** Members of a Grouped AVP once decoded (or as built); an immutable list, so safely published without locks. */
    private List<Avp> members;

    private Avp(int code, int flags, long vendorId, byte[] buf, int off, int len, int depth) {
        this.code = code;
        this.flags = flags;
        this.vendorId = vendorId;
        this.buf = buf;
        this.off = off;
        this.len = len;
        this.depth = depth;
    }

    /** An AVP with raw data; the V flag follows from a non-zero vendor. */
    public static Avp of(int code, long vendorId, boolean mandatory, byte[] data) {
        return owned(code, vendorId, mandatory, data.clone());
    }

    /** An AVP taking {@code data} without a copy: only for arrays built here and never changed. */
    private static Avp owned(int code, long vendorId, boolean mandatory, byte[] data) {
        if (vendorId < 0 || vendorId > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("Vendor-Id out of range: " + vendorId);
        }
        int flags = (vendorId != 0 ? DiameterConstants.AVP_FLAG_VENDOR : 0) | (mandatory ? DiameterConstants.AVP_FLAG_MANDATORY : 0);
        int header = vendorId != 0 ? DiameterConstants.AVP_HEADER_LENGTH_VENDOR : DiameterConstants.AVP_HEADER_LENGTH;
        if (data.length + header > DiameterConstants.MAX_AVP_LENGTH) {
            throw new IllegalArgumentException("AVP " + code + " data of " + data.length + " bytes exceeds "
                    + DiameterConstants.MAX_AVP_LENGTH);
        }
        return new Avp(code, flags, vendorId, data, 0, data.length, 0);
    }

    /** As received: flags are kept as they were on the wire (used by the decoder). */
    static Avp decoded(int code, int flags, long vendorId, byte[] data) {
        return new Avp(code, flags, vendorId, data, 0, data.length, 0);
    }

    /** As received inside Grouped AVPs nested {@code depth} levels deep. */
    static Avp decoded(int code, int flags, long vendorId, byte[] data, int depth) {
        return new Avp(code, flags, vendorId, data, 0, data.length, depth);
    }

    /** As received: the data is {@code len} bytes of {@code buf} from {@code off}, which must never change. */
    static Avp decoded(int code, int flags, long vendorId, byte[] buf, int off, int len, int depth) {
        return new Avp(code, flags, vendorId, buf, off, len, depth);
    }

    public static Avp octets(int code, long vendorId, boolean mandatory, byte[] value) {
        return of(code, vendorId, mandatory, value);
    }

    /** UTF8String (RFC 6733 4.3.1): UTF-8 octets on the wire. */
    public static Avp utf8(int code, long vendorId, boolean mandatory, String value) {
        return owned(code, vendorId, mandatory, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * DiameterIdentity (RFC 6733 4.3.1): an ASCII FQDN or realm.
     *
     * @throws IllegalArgumentException when the value is not a valid identity ({@link DiameterIdentity})
     */
    public static Avp diameterIdentity(int code, long vendorId, boolean mandatory, String value) {
        return owned(code, vendorId, mandatory, DiameterIdentity.encode(value));
    }

    /** DiameterURI (RFC 6733 4.3.1), e.g. {@code aaa://cdf.example.org:3868;transport=tcp}. */
    public static Avp diameterUri(int code, long vendorId, boolean mandatory, DiameterUri value) {
        return owned(code, vendorId, mandatory, value.toString().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * DiameterURI from its text form.
     *
     * @throws IllegalArgumentException when the text is not a DiameterURI
     */
    public static Avp diameterUri(int code, long vendorId, boolean mandatory, String value) {
        return diameterUri(code, vendorId, mandatory, DiameterUri.parse(value));
    }

    public static Avp unsigned32(int code, long vendorId, boolean mandatory, long value) {
        if (value < 0 || value > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("Unsigned32 out of range: " + value);
        }
        return owned(code, vendorId, mandatory, Bytes.ofInt((int) value));
    }

    public static Avp integer32(int code, long vendorId, boolean mandatory, int value) {
        return owned(code, vendorId, mandatory, Bytes.ofInt(value));
    }

    /** Enumerated is an Integer32 (RFC 6733 4.3.1). */
    public static Avp enumerated(int code, long vendorId, boolean mandatory, int value) {
        return integer32(code, vendorId, mandatory, value);
    }

    /** Unsigned64 (RFC 6733 4.2): {@code value} is read as unsigned, so -1 stands for 2^64-1. */
    public static Avp unsigned64(int code, long vendorId, boolean mandatory, long value) {
        return owned(code, vendorId, mandatory, Bytes.ofLong(value));
    }

    public static Avp integer64(int code, long vendorId, boolean mandatory, long value) {
        return owned(code, vendorId, mandatory, Bytes.ofLong(value));
    }

    /** Float32 (RFC 6733 4.2): IEEE 754 single precision, bit for bit (NaN payloads and -0.0 kept). */
    public static Avp float32(int code, long vendorId, boolean mandatory, float value) {
        return owned(code, vendorId, mandatory, Bytes.ofInt(Float.floatToRawIntBits(value)));
    }

    /** Float64 (RFC 6733 4.2): IEEE 754 double precision, bit for bit (NaN payloads and -0.0 kept). */
    public static Avp float64(int code, long vendorId, boolean mandatory, double value) {
        return owned(code, vendorId, mandatory, Bytes.ofLong(Double.doubleToRawLongBits(value)));
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
        byte[] data = new byte[DiameterConstants.ADDRESS_FAMILY_LENGTH + a.length];
        data[1] = (byte) (a.length == 4 ? DiameterConstants.ADDRESS_FAMILY_IPV4 : DiameterConstants.ADDRESS_FAMILY_IPV6);
        System.arraycopy(a, 0, data, DiameterConstants.ADDRESS_FAMILY_LENGTH, a.length);
        return owned(code, vendorId, mandatory, data);
    }

    /** Grouped (RFC 6733 4.4): the members encoded one after the other, each padded. */
    public static Avp grouped(int code, long vendorId, boolean mandatory, List<Avp> members) {
        List<Avp> copy = List.copyOf(members);
        int length = 0;
        for (Avp m : copy) {
            length += m.encodedLength();
            if (length > DiameterConstants.MAX_AVP_LENGTH) {
                throw new IllegalArgumentException("Grouped AVP " + code + " members exceed " + DiameterConstants.MAX_AVP_LENGTH);
            }
        }
        byte[] data = new byte[length];
        int pos = 0;
        for (Avp m : copy) {
            pos = m.writeTo(data, pos);
        }
        Avp a = owned(code, vendorId, mandatory, data);
        a.members = copy;
        return a;
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
        return Arrays.copyOfRange(buf, off, off + len);
    }

    public int dataLength() {
        return len;
    }

    /** UTF8String (RFC 6733 4.3.1); invalid UTF-8 (RFC 3629) is a 5004 naming this AVP. */
    public String asUtf8() {
        if (!Bytes.isValidUtf8(buf, off, len)) {
            throw DiameterProtocolException.invalidAvpValue(this, "not valid UTF-8");
        }
        return new String(buf, off, len, StandardCharsets.UTF_8);
    }

    /** DiameterIdentity (RFC 6733 4.3.1); a value that is not an ASCII FQDN is a 5004 naming this AVP. */
    public String asDiameterIdentity() {
        if (!DiameterIdentity.isValid(buf, off, len)) {
            throw DiameterProtocolException.invalidAvpValue(this, "not a DiameterIdentity (RFC 6733 4.3.1)");
        }
        return new String(buf, off, len, StandardCharsets.US_ASCII);
    }

    /** DiameterURI (RFC 6733 4.3.1); a value that does not parse is a 5004 naming this AVP. */
    public DiameterUri asDiameterUri() {
        for (int i = off; i < off + len; i++) {
            if (buf[i] < 0x21) { // not printable ASCII (and no byte above 0x7F: those are negative)
                throw DiameterProtocolException.invalidAvpValue(this, "DiameterURI is not printable ASCII");
            }
        }
        try {
            return DiameterUri.parse(new String(buf, off, len, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw DiameterProtocolException.invalidAvpValue(this, e.getMessage());
        }
    }

    public byte[] asOctets() {
        return data();
    }

    public long asUnsigned32() {
        requireLength(DiameterConstants.DATA_LENGTH_32);
        return Bytes.getInt(buf, off) & 0xFFFFFFFFL;
    }

    public int asInteger32() {
        requireLength(DiameterConstants.DATA_LENGTH_32);
        return Bytes.getInt(buf, off);
    }

    /** Enumerated (RFC 6733 4.3.1) is read as an Integer32. */
    public int asEnumerated() {
        return asInteger32();
    }

    /** Unsigned64 as a Java long: values above 2^63-1 come back negative (use Long.toUnsignedString). */
    public long asUnsigned64() {
        requireLength(DiameterConstants.DATA_LENGTH_64);
        return Bytes.getLong(buf, off);
    }

    public long asInteger64() {
        requireLength(DiameterConstants.DATA_LENGTH_64);
        return Bytes.getLong(buf, off);
    }

    /** Float32 (RFC 6733 4.2, IEEE 754 single precision); not 4 bytes is a 5014. */
    public float asFloat32() {
        requireLength(DiameterConstants.DATA_LENGTH_32);
        return Float.intBitsToFloat(Bytes.getInt(buf, off));
    }

    /** Float64 (RFC 6733 4.2, IEEE 754 double precision); not 8 bytes is a 5014. */
    public double asFloat64() {
        requireLength(DiameterConstants.DATA_LENGTH_64);
        return Double.longBitsToDouble(Bytes.getLong(buf, off));
    }

    public Instant asTime() {
        long ntp = asUnsigned32();
        long unix = (ntp & 0x8000_0000L) != 0 ? ntp - NTP_TO_UNIX_SECONDS : ntp + NTP_ERA1_UNIX_SECONDS;
        return Instant.ofEpochSecond(unix);
    }

    public InetAddress asAddress() {
        if (len != DiameterConstants.ADDRESS_IPV4_LENGTH && len != DiameterConstants.ADDRESS_IPV6_LENGTH) {
            throw DiameterProtocolException.invalidAvpLength(this, "Address of " + len + " bytes");
        }
        int family = addressFamily();
        if ((family == DiameterConstants.ADDRESS_FAMILY_IPV4) != (len == DiameterConstants.ADDRESS_IPV4_LENGTH)
                || (family != DiameterConstants.ADDRESS_FAMILY_IPV4 && family != DiameterConstants.ADDRESS_FAMILY_IPV6)) {
            throw DiameterProtocolException.invalidAvpValue(this, "address family " + family);
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(buf, off + DiameterConstants.ADDRESS_FAMILY_LENGTH, off + len));
        } catch (UnknownHostException e) {
            throw DiameterProtocolException.invalidAvpValue(this, e.getMessage());
        }
    }

    int addressFamily() {
        return ((buf[off] & 0xFF) << 8) | (buf[off + 1] & 0xFF);
    }

    /** The members of a Grouped AVP (RFC 6733 4.4). A member overrunning this AVP is a 5014 naming it. */
    public List<Avp> groupedAvps() {
        List<Avp> m = members;
        if (m == null) {
            m = AvpCodec.decodeAll(buf, off, off + len, depth + 1);
            members = m;
        }
        return m;
    }

    private void requireLength(int n) {
        if (len != n) {
            throw DiameterProtocolException.invalidAvpLength(this, "expected " + n + " data bytes, got " + len);
        }
    }

    /** The array holding this AVP's data (never to be modified), for the validator. */
    byte[] rawArray() {
        return buf;
    }

    /** Where this AVP's data starts in {@link #rawArray()}. */
    int rawOffset() {
        return off;
    }

    int headerLength() {
        return isVendorSpecific() ? DiameterConstants.AVP_HEADER_LENGTH_VENDOR : DiameterConstants.AVP_HEADER_LENGTH;
    }

    /** Length on the wire including padding to a 32-bit boundary (RFC 6733 4.1). */
    public int encodedLength() {
        return Bytes.padded(headerLength() + len);
    }

    void writeTo(ByteBuffer out) {
        int length = encodedLength();
        if (out.hasArray()) {
            int start = out.arrayOffset() + out.position();
            if (out.remaining() < length) {
                throw new java.nio.BufferOverflowException();
            }
            writeTo(out.array(), start);
            out.position(out.position() + length);
            return;
        }
        int unpadded = headerLength() + len;
        out.putInt(code);
        out.putInt((flags << 24) | unpadded);
        if (isVendorSpecific()) {
            out.putInt((int) vendorId);
        }
        out.put(buf, off, len);
        for (int i = unpadded; i < length; i++) {
            out.put((byte) 0);
        }
    }

    /** Writes header, data and zero padding at {@code pos}; returns the position after the padding. */
    int writeTo(byte[] out, int pos) {
        int unpadded = headerLength() + len;
        Bytes.putInt(out, pos, code);
        Bytes.putInt(out, pos + 4, (flags << 24) | unpadded);
        int p = pos + DiameterConstants.AVP_HEADER_LENGTH;
        if (isVendorSpecific()) {
            Bytes.putInt(out, p, (int) vendorId);
            p += 4;
        }
        System.arraycopy(buf, off, out, p, len);
        p += len;
        int end = pos + Bytes.padded(unpadded);
        while (p < end) {
            out[p++] = 0;
        }
        return end;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Avp a && a.code == code && a.flags == flags && a.vendorId == vendorId
                && Arrays.equals(a.buf, a.off, a.off + a.len, buf, off, off + len);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = off; i < off + len; i++) {
            h = 31 * h + buf[i];
        }
        return (code * 31 + Long.hashCode(vendorId)) * 31 + h;
    }

    @Override
    public String toString() {
        return "AVP(" + code + (vendorId != 0 ? "/" + vendorId : "") + (isMandatory() ? ",M" : "") + ", " + len + " bytes)";
    }
}
