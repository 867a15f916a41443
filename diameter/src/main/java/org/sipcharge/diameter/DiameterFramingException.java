package org.sipcharge.diameter;

/**
 * The bytes on a connection are not a Diameter message that can be answered (bad version, impossible length,
 * truncated header). RFC 6733 3 gives no way to answer such a message reliably: the connection is closed.
 */
public class DiameterFramingException extends Exception {

    public DiameterFramingException(String message) {
        super(message);
    }
}
