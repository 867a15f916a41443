package org.sipcharge.diameter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Decoding of an AVP sequence (RFC 6733 4.1, 4.4), shared by messages and Grouped AVPs. Every length is checked
 * before it is used; the AVPs keep ranges of the array they were decoded from (no copy per AVP).
 */
final class AvpCodec {

    private AvpCodec() {
    }

    /**
     * Decodes the AVPs in {@code buf[from, to)}, nested {@code depth} Grouped levels deep. The array must not change
     * afterwards: the AVPs refer to it.
     *
     * @return an unmodifiable list
     * @throws DiameterProtocolException 5014 naming the AVP whose length does not fit; 5004 when nested deeper
     *         than {@link DiameterConstants#MAX_GROUP_DEPTH}
     */
    static List<Avp> decodeAll(byte[] buf, int from, int to, int depth) {
        if (depth > DiameterConstants.MAX_GROUP_DEPTH) {
            throw new DiameterProtocolException(DiameterConstants.RESULT_INVALID_AVP_VALUE, null,
                    "grouped AVPs nested deeper than " + DiameterConstants.MAX_GROUP_DEPTH);
        }
        if (from == to) {
            return Collections.emptyList();
        }
        // the smallest AVP is 8 bytes, so this bounds the count; most containers hold fewer than 16 AVPs
        ArrayList<Avp> avps = new ArrayList<>(Math.min(16, (to - from) / DiameterConstants.AVP_HEADER_LENGTH));
        int p = from;
        while (p < to) {
            int start = p;
            if (to - p < DiameterConstants.AVP_HEADER_LENGTH) {
                // RFC 6733 7.1.5 (5014): Failed-AVP is mandatory; an AVP header that cannot be fully decoded is
                // returned padded with zeros up to the minimum AVP header length.
                byte[] padded = Arrays.copyOf(Arrays.copyOfRange(buf, p, to), DiameterConstants.AVP_HEADER_LENGTH);
                int partialCode = Bytes.getInt(padded, 0);
                int partialFlags = (padded[4] & 0xFF) & ~(DiameterConstants.AVP_FLAG_VENDOR | DiameterConstants.AVP_FLAGS_RESERVED);
                throw new DiameterProtocolException(DiameterConstants.RESULT_INVALID_AVP_LENGTH,
                        Avp.decoded(partialCode, partialFlags, 0, new byte[0]),
                        (to - p) + " bytes left after the last AVP, too few for an AVP header");
            }
            int code = Bytes.getInt(buf, p);
            int flagsAndLength = Bytes.getInt(buf, p + 4);
            p += DiameterConstants.AVP_HEADER_LENGTH;
            int flags = flagsAndLength >>> 24;
            int length = flagsAndLength & DiameterConstants.AVP_LENGTH_FIELD_MAX;
            boolean vendor = (flags & DiameterConstants.AVP_FLAG_VENDOR) != 0;
            long vendorId = 0;
            int header = DiameterConstants.AVP_HEADER_LENGTH;
            if (vendor) {
                header = DiameterConstants.AVP_HEADER_LENGTH_VENDOR;
                if (to - p < 4) {
                    throw new DiameterProtocolException(DiameterConstants.RESULT_INVALID_AVP_LENGTH,
                            Avp.decoded(code, flags, 0, new byte[0]), "AVP " + code + " truncated in its Vendor-Id");
                }
                vendorId = Bytes.getInt(buf, p) & 0xFFFFFFFFL;
                p += 4;
            }
            if (length < header || length - header > to - p) {
                // RFC 6733 7.5: Failed-AVP carries the offending AVP; its data is what is there, up to the end.
                byte[] partial = Arrays.copyOfRange(buf, p, p + Math.max(0, Math.min(to - p, length - header)));
                throw new DiameterProtocolException(DiameterConstants.RESULT_INVALID_AVP_LENGTH,
                        Avp.decoded(code, flags & ~DiameterConstants.AVP_FLAGS_RESERVED, vendorId, partial),
                        "AVP " + code + " declares length " + length + (length < header ? ", less than its header"
                                : ", beyond the " + (to - start) + " bytes of its container"));
            }
            avps.add(Avp.decoded(code, flags, vendorId, buf, p, length - header, depth));
            // the padding of the last AVP of a container may be missing; never step past the container
            p = Math.min(to, start + Bytes.padded(length));
        }
        return Collections.unmodifiableList(avps);
    }
}
