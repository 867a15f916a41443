package org.sipcharge.billing.link;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * Line format of the billing link (docs/billing-jms.md, "TCP line protocol"). Lines are UTF-8 and end with
 * {@code '\n'}; one request, then its answer:
 * <pre>
 *   CDR &lt;cdrId&gt; &lt;epoch&gt; &lt;base64 of the CdrTextCodec body&gt;
 *        -&gt;  ACK &lt;cdrId&gt;  |  NAK &lt;cdrId&gt; &lt;reason&gt;  |  FENCED &lt;cdrId&gt; &lt;highest epoch seen&gt;
 *   PING                                             -&gt;  PONG
 * </pre>
 * The epoch is the coordinator's fencing token: the billing system refuses ({@code FENCED}) a CDR whose epoch is
 * below the highest it has seen, so a coordinator that lost its election without knowing it cannot deliver.
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
    public static final String FENCED = "FENCED";

    private BillingWireProtocol() {
    }

    /** What the billing system did with one CDR. */
    public enum Outcome {
        /** Recorded (or recognised as a duplicate of a recorded one). */
        ACK,
        /** Refused for good: the CDR itself is wrong for this billing system. */
        NAK,
        /** Refused because the sender's epoch is stale: another coordinator has been elected since. */
        FENCED
    }

    /**
     * The billing system's answer to one CDR.
     *
     * @param reason       the NAK's reason, else null
     * @param highestEpoch for FENCED, the highest epoch the billing system has seen; else 0
     */
    public record Answer(String cdrId, Outcome outcome, String reason, long highestEpoch) {
        public Answer {
            Objects.requireNonNull(cdrId, "cdrId");
            Objects.requireNonNull(outcome, "outcome");
            if (outcome != Outcome.NAK && reason != null) {
                throw new IllegalArgumentException("only a NAK has a reason");
            }
            if (outcome == Outcome.NAK && (reason == null || reason.isEmpty())) {
                throw new IllegalArgumentException("a NAK needs a reason");
            }
        }

        public boolean acknowledged() {
            return outcome == Outcome.ACK;
        }

        public boolean fenced() {
            return outcome == Outcome.FENCED;
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

    /** The request line for one CDR sent under the coordinator's epoch (at least 1), without its terminator. */
    public static String cdrRequest(String cdrId, long epoch, byte[] body) {
        requireId(cdrId);
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1: " + epoch);
        }
        if (body.length == 0) {
            throw new IllegalArgumentException("empty CDR body");
        }
        String line = CDR + " " + cdrId + " " + epoch + " " + Base64.getEncoder().encodeToString(body);
        if (line.length() > MAX_LINE_BYTES) {
            throw new IllegalArgumentException("CDR " + cdrId + " does not fit in one line of " + MAX_LINE_BYTES + " bytes");
        }
        return line;
    }

    public static String ack(String cdrId) {
        requireId(cdrId);
        return ACK + " " + cdrId;
    }

    public static String fenced(String cdrId, long highestEpoch) {
        requireId(cdrId);
        return FENCED + " " + cdrId + " " + highestEpoch;
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
            return new Answer(parts[1], Outcome.ACK, null, 0);
        }
        if (verb.equals(FENCED)) {
            if (parts.length != 3) {
                throw new BillingProtocolException("malformed FENCED: " + shorten(line));
            }
            requireExpectedId(parts[1], expectedCdrId, line);
            long highest;
            try {
                highest = Long.parseLong(parts[2]);
            } catch (NumberFormatException e) {
                throw new BillingProtocolException("FENCED without an epoch: " + shorten(line));
            }
            return new Answer(parts[1], Outcome.FENCED, null, highest);
        }
        if (verb.equals(NAK)) {
            if (parts.length != 3 || parts[2].isBlank()) {
                throw new BillingProtocolException("NAK without a reason: " + shorten(line));
            }
            requireExpectedId(parts[1], expectedCdrId, line);
            return new Answer(parts[1], Outcome.NAK, parts[2], 0);
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
