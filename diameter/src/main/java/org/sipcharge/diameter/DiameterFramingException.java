package org.sipcharge.diameter;

/**
 * The bytes on a connection are not a Diameter message that can be framed (bad version, impossible length,
 * truncated header): the stream cannot be trusted any more and the connection is closed. When a whole 20-byte
 * header was read and it is a request, RFC 6733 7.1.5 still has an answer for it (5011
 * DIAMETER_UNSUPPORTED_VERSION, 5015 DIAMETER_INVALID_MESSAGE_LENGTH): {@link #resultCode()} and {@link #header()}
 * let the connection send that answer before it closes.
 */
public class DiameterFramingException extends Exception {

    private final long resultCode;
    private final transient DiameterMessage header;

    public DiameterFramingException(String message) {
        this(message, 0, null);
    }

    /**
     * @param resultCode the RFC 6733 7.1.5 Result-Code that describes the error, or 0
     * @param header     the offending message's header with no AVPs (identifiers, command, flags), or null
     */
    public DiameterFramingException(String message, long resultCode, DiameterMessage header) {
        super(message);
        this.resultCode = resultCode;
        this.header = header;
    }

    /** The Result-Code naming this error (RFC 6733 7.1.5), or 0 when there is none. */
    public long resultCode() {
        return resultCode;
    }

    /** The header of the unframeable message, or null when not even a header could be read. */
    public DiameterMessage header() {
        return header;
    }

    /** A request whose header was read: it can be answered {@link #resultCode()} before the connection closes. */
    public boolean isAnswerable() {
        return header != null && resultCode != 0 && header.isRequest();
    }
}
