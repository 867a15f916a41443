package org.sipcharge.diameter;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Decoding of an AVP sequence (RFC 6733 4.1, 4.4), shared by messages and Grouped AVPs. Every length is checked. */
final class AvpCodec {

    private AvpCodec() {
    }

    static List<Avp> decodeAll(ByteBuffer in, int depth) {
        if (depth > DiameterConstants.MAX_GROUP_DEPTH) {
            throw new DiameterProtocolException(DiameterConstants.RESULT_INVALID_AVP_VALUE, null,
                    "grouped AVPs nested deeper than " + DiameterConstants.MAX_GROUP_DEPTH);
        }
        List<Avp> avps = new ArrayList<>();
        while (in.hasRemaining()) {
            int start = in.position();
            if (in.remaining() < DiameterConstants.AVP_HEADER_LENGTH) {
                throw new DiameterProtocolException(DiameterConstants.RESULT_INVALID_AVP_LENGTH, null,
                        in.remaining() + " bytes left after the last AVP, too few for an AVP header");
            }
            int code = in.getInt();
            int flagsAndLength = in.getInt();
            int flags = flagsAndLength >>> 24;
            int length = flagsAndLength & 0xFFFFFF;
            boolean vendor = (flags & DiameterConstants.AVP_FLAG_VENDOR) != 0;
            long vendorId = 0;
            int header = vendor ? DiameterConstants.AVP_HEADER_LENGTH_VENDOR : DiameterConstants.AVP_HEADER_LENGTH;
            if (vendor) {
                if (in.remaining() < 4) {
                    throw new DiameterProtocolException(DiameterConstants.RESULT_INVALID_AVP_LENGTH,
                            Avp.decoded(code, flags, 0, new byte[0]), "AVP " + code + " truncated in its Vendor-Id");
                }
                vendorId = in.getInt() & 0xFFFFFFFFL;
            }
            if (length < header || length - (in.position() - start) > in.remaining()) {
                // RFC 6733 7.5: Failed-AVP carries the offending AVP; its data is what is there, up to the end.
                byte[] partial = new byte[Math.max(0, Math.min(in.remaining(), Math.max(0, length - header)))];
                in.get(partial);
                throw new DiameterProtocolException(DiameterConstants.RESULT_INVALID_AVP_LENGTH,
                        Avp.decoded(code, flags & ~0x1F, vendorId, partial),
                        "AVP " + code + " declares length " + length + (length < header ? ", less than its header"
                                : ", beyond the " + (in.remaining() + header) + " bytes of its container"));
            }
            byte[] data = new byte[length - header];
            in.get(data);
            int padding = ((length + 3) & ~3) - length;
            in.position(Math.min(in.limit(), in.position() + padding));
            avps.add(Avp.decoded(code, flags, vendorId, data, depth));
        }
        return avps;
    }
}
