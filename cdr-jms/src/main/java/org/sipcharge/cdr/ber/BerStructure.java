package org.sipcharge.cdr.ber;

/**
 * Walks the tag-length-value structure of a BER encoding (X.690 clause 8.1) before any generated decoder
 * sees it, so that a malformed body fails here with its byte offset instead of deep inside asn1bean, and so
 * that no length field can make a decoder allocate or wait for more bytes than the body has.
 *
 * <p>Accepted: one outermost TLV that covers the body exactly; definite lengths only (X.690 10.1, as CER/DER
 * require for canonical encodings of primitive and of our constructed values), in the shortest form
 * (X.690 10.1 for DER); at most {@link #MAX_LENGTH_OCTETS} length octets; nesting up to {@link #MAX_DEPTH}.
 */
final class BerStructure {

    /**
     * Deepest nesting of constructed values accepted. The deepest path of an sipcharge ASRecord is
     * IMSRecord / ASRecord / list-Of-SDP-Media-Components / Media-Components-List / sDP-Media-Components /
     * SDP-Media-Component / sDP-Media-Descriptions / GraphicString: 8 levels.
     */
    static final int MAX_DEPTH = 12;

    /** Length octets after the first in the long form (X.690 8.1.3.5); 3 already reach 16 MiB. */
    static final int MAX_LENGTH_OCTETS = 3;

    /** Tag-number octets after the first in the high-tag-number form (X.690 8.1.2.4); ASRecord needs 1. */
    static final int MAX_TAG_NUMBER_OCTETS = 2;

    private final byte[] body;

    private BerStructure(byte[] body) {
        this.body = body;
    }

    /**
     * @throws CdrBerException naming the offset of the first structural error
     */
    static void check(byte[] body) {
        if (body.length == 0) {
            throw new CdrBerException("CDR body is empty");
        }
        BerStructure s = new BerStructure(body);
        int end = s.tlv(0, body.length, 1);
        if (end != body.length) {
            throw new CdrBerException((body.length - end) + " bytes after the end of the record at offset " + end);
        }
    }

    /** Checks the TLV at {@code offset} that must end by {@code limit}; returns the offset just after it. */
    private int tlv(int offset, int limit, int depth) {
        if (depth > MAX_DEPTH) {
            throw new CdrBerException("values nested deeper than " + MAX_DEPTH + " levels at offset " + offset);
        }
        int start = offset;
        int identifier = octet(offset++, limit, "tag");
        boolean constructed = (identifier & 0x20) != 0;
        if ((identifier & 0x1f) == 0x1f) {
            int numberOctets = 0;
            int b;
            do {
                if (++numberOctets > MAX_TAG_NUMBER_OCTETS) {
                    throw new CdrBerException("tag number longer than " + MAX_TAG_NUMBER_OCTETS + " octets at offset " + start);
                }
                b = octet(offset++, limit, "tag number");
                if (numberOctets == 1 && b == 0x80) {
                    throw new CdrBerException("tag number with a leading zero octet at offset " + start);
                }
            } while ((b & 0x80) != 0);
        }
        int lengthAt = offset;
        int first = octet(offset++, limit, "length");
        long length;
        if (first < 0x80) {
            length = first;
        } else if (first == 0x80) {
            throw new CdrBerException("indefinite length at offset " + lengthAt + "; canonical BER uses definite lengths");
        } else {
            int n = first & 0x7f;
            if (n > MAX_LENGTH_OCTETS) {
                throw new CdrBerException("length of " + n + " octets at offset " + lengthAt + " (at most " + MAX_LENGTH_OCTETS + ")");
            }
            length = 0;
            for (int i = 0; i < n; i++) {
                length = length << 8 | octet(offset++, limit, "length");
            }
            if (length < 0x80 || length >> (8 * (n - 1)) == 0) {
                throw new CdrBerException("length " + length + " at offset " + lengthAt + " is not in its shortest form");
            }
        }
        if (length > limit - offset) {
            throw new CdrBerException("length " + length + " at offset " + lengthAt + " runs past the end of its enclosing value ("
                    + (limit - offset) + " bytes left)");
        }
        int end = offset + (int) length;
        if (constructed) {
            while (offset < end) {
                offset = tlv(offset, end, depth + 1);
            }
        }
        return end;
    }

    private int octet(int offset, int limit, String what) {
        if (offset >= limit) {
            throw new CdrBerException("truncated: " + what + " expected at offset " + offset + ", value ends at " + limit);
        }
        return body[offset] & 0xff;
    }
}
