package org.sipcharge.diameter;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One Diameter message (RFC 6733 3): header and top-level AVPs. Immutable; build one with {@link #request} or
 * {@link #answerTo}. Hop-by-hop and end-to-end identifiers left at zero are assigned by the peer that sends it.
 */
public final class DiameterMessage {

    private final int flags;
    private final int commandCode;
    private final long applicationId;
    private final int hopByHop;
    private final int endToEnd;
    private final List<Avp> avps;

    private DiameterMessage(int flags, int commandCode, long applicationId, int hopByHop, int endToEnd, List<Avp> avps) {
        this(flags, commandCode, applicationId, hopByHop, endToEnd, List.copyOf(avps), true);
    }

    /** Takes {@code avps} as it is: an unmodifiable list of non-null AVPs. */
    private DiameterMessage(int flags, int commandCode, long applicationId, int hopByHop, int endToEnd, List<Avp> avps,
                            boolean unmodifiable) {
        this.flags = flags;
        this.commandCode = commandCode;
        this.applicationId = applicationId;
        this.hopByHop = hopByHop;
        this.endToEnd = endToEnd;
        this.avps = avps;
    }

    /** A request (R and P flags set) of the given command and application. */
    public static Builder request(int commandCode, long applicationId) {
        return new Builder(DiameterConstants.FLAG_REQUEST | DiameterConstants.FLAG_PROXIABLE, commandCode, applicationId, 0, 0);
    }

    /** The answer to a request: same command, application and identifiers, P flag copied (RFC 6733 6.2). */
    public static Builder answerTo(DiameterMessage request) {
        return new Builder(request.flags & DiameterConstants.FLAG_PROXIABLE, request.commandCode, request.applicationId,
                request.hopByHop, request.endToEnd);
    }

    public int flags() {
        return flags;
    }

    public boolean isRequest() {
        return (flags & DiameterConstants.FLAG_REQUEST) != 0;
    }

    public boolean isError() {
        return (flags & DiameterConstants.FLAG_ERROR) != 0;
    }

    /** T flag (RFC 6733 3): the request may have been sent before (after a link failover or a timeout). */
    public boolean isRetransmit() {
        return (flags & DiameterConstants.FLAG_RETRANSMIT) != 0;
    }

    public int commandCode() {
        return commandCode;
    }

    public long applicationId() {
        return applicationId;
    }

    public int hopByHop() {
        return hopByHop;
    }

    public int endToEnd() {
        return endToEnd;
    }

    public List<Avp> avps() {
        return avps;
    }

    /** The first top-level AVP with this code and no vendor. */
    public Optional<Avp> avp(int code) {
        return avp(code, 0);
    }

    public Optional<Avp> avp(int code, long vendorId) {
        for (Avp a : avps) {
            if (a.code() == code && a.vendorId() == vendorId) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public List<Avp> all(int code) {
        return avps.stream().filter(a -> a.code() == code && a.vendorId() == 0).toList();
    }

    /** Result-Code of an answer, or 0 when absent. */
    public long resultCode() {
        return avp(DiameterConstants.AVP_RESULT_CODE).map(Avp::asUnsigned32).orElse(0L);
    }

    /** This message with new identifiers (the sending peer assigns them). */
    public DiameterMessage withIdentifiers(int newHopByHop, int newEndToEnd) {
        return new DiameterMessage(flags, commandCode, applicationId, newHopByHop, newEndToEnd, avps, true);
    }

    public int encodedLength() {
        int length = DiameterConstants.HEADER_LENGTH;
        for (Avp a : avps) {
            length += a.encodedLength();
        }
        return length;
    }

    /**
     * The message on the wire (RFC 6733 3): header then each AVP padded to 32 bits.
     *
     * @throws IllegalStateException when longer than {@link DiameterConstants#MAX_MESSAGE_LENGTH}
     */
    public byte[] encode() {
        int length = encodedLength();
        if (length > DiameterConstants.MAX_MESSAGE_LENGTH) {
            throw new IllegalStateException("message of " + length + " bytes exceeds " + DiameterConstants.MAX_MESSAGE_LENGTH);
        }
        byte[] out = new byte[length];
        Bytes.putInt(out, 0, (DiameterConstants.VERSION << 24) | length);
        Bytes.putInt(out, 4, (flags << 24) | commandCode);
        Bytes.putInt(out, 8, (int) applicationId);
        Bytes.putInt(out, 12, hopByHop);
        Bytes.putInt(out, 16, endToEnd);
        int pos = DiameterConstants.HEADER_LENGTH;
        for (int i = 0, n = avps.size(); i < n; i++) {
            pos = avps.get(i).writeTo(out, pos);
        }
        return out;
    }

    /**
     * Reads the message length from a 20-byte header and checks the header can be framed (RFC 6733 3). Nothing is
     * allocated for the claimed length: a 16 MB claim is refused from these 20 bytes alone.
     *
     * @throws DiameterFramingException the stream cannot be trusted any more (close the connection); for a whole
     *         header it carries the header and the RFC 6733 7.1.5 answer: 5011 DIAMETER_UNSUPPORTED_VERSION for a
     *         version other than 1, 5015 DIAMETER_INVALID_MESSAGE_LENGTH for a length below 20, not a multiple of 4
     *         (RFC 6733 3) or above {@link DiameterConstants#MAX_MESSAGE_LENGTH}
     */
    public static int frameLength(byte[] header) throws DiameterFramingException {
        if (header.length < DiameterConstants.HEADER_LENGTH) {
            throw new DiameterFramingException("header of " + header.length + " bytes is shorter than 20");
        }
        int version = header[0] & 0xFF;
        if (version != DiameterConstants.VERSION) {
            throw new DiameterFramingException("unsupported Diameter version " + version,
                    DiameterConstants.RESULT_UNSUPPORTED_VERSION, headerOf(header));
        }
        int length = ((header[1] & 0xFF) << 16) | ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
        if (length < DiameterConstants.HEADER_LENGTH || (length & 3) != 0) {
            throw new DiameterFramingException("message length " + length + " is not a multiple of 4 of at least 20",
                    DiameterConstants.RESULT_INVALID_MESSAGE_LENGTH, headerOf(header));
        }
        if (length > DiameterConstants.MAX_MESSAGE_LENGTH) {
            throw new DiameterFramingException("message length " + length + " exceeds the limit of "
                    + DiameterConstants.MAX_MESSAGE_LENGTH, DiameterConstants.RESULT_INVALID_MESSAGE_LENGTH, headerOf(header));
        }
        return length;
    }

    /** The identifiers, command and flags of a 20-byte header, as a message with no AVPs. */
    private static DiameterMessage headerOf(byte[] b) {
        int flagsAndCode = Bytes.getInt(b, 4);
        return headerOnly(flagsAndCode >>> 24, flagsAndCode & DiameterConstants.COMMAND_CODE_MAX,
                Bytes.getInt(b, 8) & 0xFFFFFFFFL, Bytes.getInt(b, 12), Bytes.getInt(b, 16));
    }

    /**
     * Decodes a whole message whose header passed {@link #frameLength}.
     *
     * @throws DiameterProtocolException an AVP-level error that can be answered (5014 and the like); the
     *         partially decoded header is in {@link DecodeFailure}
     */
    public static DiameterMessage decode(byte[] bytes) throws DiameterFramingException {
        int length = frameLength(bytes);
        if (length != bytes.length) {
            throw new DiameterFramingException("message length " + length + " but " + bytes.length + " bytes given");
        }
        // One copy of the whole message: the decoded AVPs refer to ranges of it, and the caller keeps its array.
        byte[] b = bytes.clone();
        int flagsAndCode = Bytes.getInt(b, 4);
        int flags = flagsAndCode >>> 24;
        int commandCode = flagsAndCode & DiameterConstants.COMMAND_CODE_MAX;
        long applicationId = Bytes.getInt(b, 8) & 0xFFFFFFFFL;
        int hopByHop = Bytes.getInt(b, 12);
        int endToEnd = Bytes.getInt(b, 16);
        if ((flags & DiameterConstants.FLAGS_RESERVED) != 0
                || ((flags & DiameterConstants.FLAG_REQUEST) != 0 && (flags & DiameterConstants.FLAG_ERROR) != 0)) {
            // RFC 6733 3: E must not be set in requests; reserved bits must be zero. Answer 3008.
            throw new DecodeFailure(headerOnly(flags, commandCode, applicationId, hopByHop, endToEnd),
                    new DiameterProtocolException(DiameterConstants.RESULT_INVALID_HDR_BITS, null,
                            "invalid command flags 0x" + Integer.toHexString(flags)));
        }
        try {
            return new DiameterMessage(flags, commandCode, applicationId, hopByHop, endToEnd,
                    AvpCodec.decodeAll(b, DiameterConstants.HEADER_LENGTH, length, 0), true);
        } catch (DiameterProtocolException e) {
            throw new DecodeFailure(headerOnly(flags, commandCode, applicationId, hopByHop, endToEnd), e);
        }
    }

    private static DiameterMessage headerOnly(int flags, int commandCode, long applicationId, int hopByHop, int endToEnd) {
        return new DiameterMessage(flags, commandCode, applicationId, hopByHop, endToEnd, List.of(), true);
    }

    @Override
    public String toString() {
        return (isRequest() ? "Request " : "Answer ") + commandCode + " app " + applicationId
                + " hbh " + Integer.toHexString(hopByHop) + " e2e " + Integer.toHexString(endToEnd) + " " + avps.size() + " AVPs";
    }

    /** An answerable decoding error: the header (identifiers, command) and the error to answer with. */
    public static final class DecodeFailure extends DiameterProtocolException {
        private final transient DiameterMessage header;

        DecodeFailure(DiameterMessage header, DiameterProtocolException cause) {
            super(cause.resultCode(), cause.failedAvp(), cause.getMessage());
            this.header = header;
        }

        /** The message's header with no AVPs. */
        public DiameterMessage header() {
            return header;
        }
    }

    /** Builds a {@link DiameterMessage}. */
    public static final class Builder {
        private int flags;
        private final int commandCode;
        private final long applicationId;
        private int hopByHop;
        private int endToEnd;
        private final List<Avp> avps = new ArrayList<>();

        private Builder(int flags, int commandCode, long applicationId, int hopByHop, int endToEnd) {
            this.flags = flags;
            this.commandCode = commandCode;
            this.applicationId = applicationId;
            this.hopByHop = hopByHop;
            this.endToEnd = endToEnd;
        }

        public Builder add(Avp avp) {
            avps.add(avp);
            return this;
        }

        public Builder addAll(List<Avp> more) {
            avps.addAll(more);
            return this;
        }

        /** Sets the T flag: a request that may have been sent before (RFC 6733 3). */
        public Builder flagRetransmit() {
            flags |= DiameterConstants.FLAG_RETRANSMIT;
            return this;
        }

        /** Sets the E flag of an answer (protocol errors, RFC 6733 7.1.3). */
        public Builder flagError() {
            flags |= DiameterConstants.FLAG_ERROR;
            return this;
        }

        public Builder proxiable(boolean p) {
            flags = p ? flags | DiameterConstants.FLAG_PROXIABLE : flags & ~DiameterConstants.FLAG_PROXIABLE;
            return this;
        }

        public Builder endToEnd(int id) {
            endToEnd = id;
            return this;
        }

        public DiameterMessage build() {
            return new DiameterMessage(flags, commandCode, applicationId, hopByHop, endToEnd, avps);
        }
    }
}
