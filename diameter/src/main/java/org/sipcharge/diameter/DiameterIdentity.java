package org.sipcharge.diameter;

import java.nio.charset.StandardCharsets;

/**
 * DiameterIdentity (RFC 6733 4.3.1): the FQDN or realm of a Diameter node, carried as ASCII octets. Internationalized
 * names travel in their A-label (punycode) form, so the octets are the letters, digits and hyphens of DNS host names
 * (RFC 1035 2.3.1, relaxed by RFC 1123 2.1 to let a label start with a digit) separated by dots.
 *
 * <p>Checked here: 1 to {@link DiameterConstants#MAX_DIAMETER_IDENTITY_LENGTH} octets; labels of 1 to
 * {@link DiameterConstants#MAX_DNS_LABEL_LENGTH} octets of {@code [A-Za-z0-9-]}, not starting or ending with a
 * hyphen; no empty label (so no leading, trailing or doubled dot). A single label ("localhost") is accepted: RFC 6733
 * does not require a dot and test beds use such names.
 */
public final class DiameterIdentity {

    private DiameterIdentity() {
    }

    /** Whether {@code value} is a syntactically valid DiameterIdentity. */
    public static boolean isValid(CharSequence value) {
        if (value == null) {
            return false;
        }
        int n = value.length();
        if (n == 0 || n > DiameterConstants.MAX_DIAMETER_IDENTITY_LENGTH) {
            return false;
        }
        int labelStart = 0;
        for (int i = 0; i <= n; i++) {
            char c = i < n ? value.charAt(i) : '.';
            if (c == '.') {
                if (!validLabel(i - labelStart, i > labelStart ? value.charAt(labelStart) : '-',
                        i > labelStart ? value.charAt(i - 1) : '-')) {
                    return false;
                }
                labelStart = i + 1;
            } else if (!ldh(c)) {
                return false;
            }
        }
        return true;
    }

    /** The same check on octets as received (used by AVP readers and the dictionary validator). */
    static boolean isValid(byte[] b, int off, int len) {
        if (len == 0 || len > DiameterConstants.MAX_DIAMETER_IDENTITY_LENGTH) {
            return false;
        }
        int end = off + len;
        int labelStart = off;
        for (int i = off; i <= end; i++) {
            char c = i < end ? (char) (b[i] & 0xFF) : '.';
            if (c == '.') {
                if (!validLabel(i - labelStart, i > labelStart ? (char) b[labelStart] : '-',
                        i > labelStart ? (char) b[i - 1] : '-')) {
                    return false;
                }
                labelStart = i + 1;
            } else if (!ldh(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The value if valid.
     *
     * @throws IllegalArgumentException naming the rule it breaks
     */
    public static String requireValid(String value) {
        if (!isValid(value)) {
            throw new IllegalArgumentException("not a DiameterIdentity (RFC 6733 4.3.1: an ASCII FQDN of at most "
                    + DiameterConstants.MAX_DIAMETER_IDENTITY_LENGTH + " octets, labels of letters, digits and"
                    + " hyphens of at most " + DiameterConstants.MAX_DNS_LABEL_LENGTH + "): " + abbreviate(value));
        }
        return value;
    }

    /** ASCII octets of a valid identity. */
    static byte[] encode(String value) {
        return requireValid(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static boolean validLabel(int length, char first, char last) {
        return length > 0 && length <= DiameterConstants.MAX_DNS_LABEL_LENGTH && first != '-' && last != '-';
    }

    private static boolean ldh(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-';
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 80 ? '"' + s + '"' : '"' + s.substring(0, 80) + "...\" (" + s.length() + " chars)";
    }
}
