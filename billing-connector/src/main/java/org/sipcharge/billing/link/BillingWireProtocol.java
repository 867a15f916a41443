package org.sipcharge.billing.link;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * Line format of the billing link (docs/billing-jms.md, "TCP line protocol"). Lines are UTF-8 and end with
 * {@code '\n'}; one request, then its answer:
 * <pre>
 *   CDR &lt;cdrId&gt; &lt;base64 of the CdrTextCodec body&gt;   -&gt;  ACK &lt;cdrId&gt;  |  NAK &lt;cdrId&gt; &lt;reason&gt;
 *   PING                                             -&gt;  PONG
 * </pre>
 * {@code ERR <text>} answers a request the billing system could not parse at all.
 */
public final class BillingWireProtocol {

    /** Longest line either side accepts, terminator excluded; the billing side answers {@code ERR line-too-long}. */
    public static final int MAX_LINE_BYTES = 1024 * 1024;
    /** Longest CDR id: ids are {@code <node>-<sequence>}, far shorter; the bound keeps a bad id out of logs. */
    public static final int MAX_CDR_ID_LENGTH = 256;

    public static final String CDR = "CDR";
    public static final String ACK = "ACK";
    public static final String NAK = "NAK";
    public static final String ERR = "ERR";
    public static final String PING = "PING";
    public static final String PONG = "PONG";

    private BillingWireProtocol() {
    }

    /** The billing system's answer to one CDR. */
    public record Answer(String cdrId, boolean acknowledged, String reason) {
        public Answer {
            Objects.requireNonNull(cdrId, "cdrId");
            if (acknowledged && reason != null) {
                throw new IllegalArgumentException("an ACK has no reason");
            }
            if (!acknowledged && (reason == null || reason.isEmpty())) {
                throw new IllegalArgumentException("a NAK needs a reason");
            }
        }
    }

    /** A CDR id fits the protocol when it is one token: 1 to 256 printable characters, no spaces. */
    public static boolean isValidCdrId(String cdrId) {
        if (cdrId == null || cdrId.isEmpty() || cdrId.length() > MAX_CDR_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < cdrId.length(); i++) {
            char c = cdrId.charAt(i);
            if (c <= ' ' || c == 0x7f || Character.isWhitespace(c) || Character.isISOControl(c)) {
                return false;
            }
        }
        return true;
    }

    /** The request line for one CDR, without its terminator. */
    public static String cdrRequest(String cdrId, byte[] body) {
        requireId(cdrId);
        if (body.length == 0) {
            throw new IllegalArgumentException("empty CDR body");
        }
        String line = CDR + " " + cdrId + " " + Base64.getEncoder().encodeToString(body);
        if (line.length() > MAX_LINE_BYTES) {
            throw new IllegalArgumentException("CDR " + cdrId + " does not fit in one line of " + MAX_LINE_BYTES + " bytes");
        }
        return line;
    }

    public static String ack(String cdrId) {
        requireId(cdrId);
        return ACK + " " + cdrId;
    }

    public static String nak(String cdrId, String reason) {
        requireId(cdrId);
        if (reason == null || reason.isBlank() || reason.indexOf('\n') >= 0 || reason.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("NAK reason must be one non-blank line: " + reason);
        }
        return NAK + " " + cdrId + " " + reason;
    }

    /**
     * Parses the answer to the request for {@code expectedCdrId}.
     *
     * @param line answer line without its terminator (a trailing {@code '\r'} is ignored)
     * @throws BillingProtocolException when the line is not {@code ACK <expectedCdrId>} or
     *                                   {@code NAK <expectedCdrId> <reason>}
     */
    public static Answer parseAnswer(String line, String expectedCdrId) throws BillingProtocolException {
        if (line == null) {
            throw new BillingProtocolException("no answer (connection closed)");
        }
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (line.startsWith(ERR + " ") || line.equals(ERR)) {
            throw new BillingProtocolException("billing system answered " + shorten(line));
        }
        String[] parts = line.split(" ", 3);
        String verb = parts[0];
        if (verb.equals(ACK)) {
            if (parts.length != 2) {
                throw new BillingProtocolException("malformed ACK: " + shorten(line));
            }
            requireExpectedId(parts[1], expectedCdrId, line);
            return new Answer(parts[1], true, null);
        }
        if (verb.equals(NAK)) {
            if (parts.length != 3 || parts[2].isBlank()) {
                throw new BillingProtocolException("NAK without a reason: " + shorten(line));
            }
            requireExpectedId(parts[1], expectedCdrId, line);
            return new Answer(parts[1], false, parts[2]);
        }
        throw new BillingProtocolException("unexpected answer: " + shorten(line));
    }

    /** The UTF-8 bytes of a line with its terminator. */
    public static byte[] frame(String line) {
        return (line + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void requireExpectedId(String actual, String expected, String line) throws BillingProtocolException {
        if (!actual.equals(expected)) {
            throw new BillingProtocolException("answer for CDR " + shorten(actual) + " while waiting for " + expected
                    + ": " + shorten(line));
        }
    }

    private static void requireId(String cdrId) {
        if (!isValidCdrId(cdrId)) {
            throw new IllegalArgumentException("CDR id is not one printable token of at most " + MAX_CDR_ID_LENGTH
                    + " characters: " + (cdrId == null ? null : shorten(cdrId)));
        }
    }

    static String shorten(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...(" + s.length() + " chars)";
    }
}
