package org.sipcharge.cdr.ber;

/**
 * A CDR body that is not a well-formed sipcharge TS 32.298 IMS record. The message names the first
 * problem found and, for structural errors, the byte offset where it lies.
 *
 * <p>An {@link IllegalArgumentException}, like the errors of {@link org.sipcharge.cdr.CdrTextCodec}, so callers
 * that handle an undecodable text body handle an undecodable BER body the same way.
 */
public class CdrBerException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public CdrBerException(String message) {
        super(message);
    }

    public CdrBerException(String message, Throwable cause) {
        super(message, cause);
    }
}
