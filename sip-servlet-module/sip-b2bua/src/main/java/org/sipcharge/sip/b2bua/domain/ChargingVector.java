package org.sipcharge.sip.b2bua.domain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The P-Charging-Vector header (RFC 7315 section 4.6; TS 24.229 7.2A.5) and the SDP body lines charging needs.
 *
 * <p>Grammar (RFC 7315 4.6): {@code P-Charging-Vector = "P-Charging-Vector" HCOLON icid-value *(SEMI charge-params)},
 * {@code icid-value = "icid-value" EQUAL gen-value}, {@code charge-params = icid-gen-addr / orig-ioi / term-ioi /
 * transit-ioi / related-icid / related-icid-gen-addr / generic-param}; gen-value is a token, a host or a quoted string.
 * Parameter names are case-insensitive (RFC 3261 7.3.1).
 */
public final class ChargingVector {

    /** Header name (RFC 7315 4.6). */
    public static final String HEADER = "P-Charging-Vector";
    /** Longest header value parsed; a longer one is ignored as a whole (a real one is well under 300 characters). */
    public static final int MAX_HEADER_LENGTH = 1024;
    /** Longest SDP body looked at (a call's SDP is a few hundred octets). */
    public static final int MAX_SDP_LENGTH = 16 * 1024;

    private final String icid;
    private final String originatingIoi;
    private final String terminatingIoi;

    private ChargingVector(String icid, String originatingIoi, String terminatingIoi) {
        this.icid = icid;
        this.originatingIoi = originatingIoi;
        this.terminatingIoi = terminatingIoi;
    }

    public static final ChargingVector ABSENT = new ChargingVector(null, null, null);

    /**
     * Parses a header value (without the header name). Returns {@link #ABSENT} for null; a value without icid-value,
     * longer than {@link #MAX_HEADER_LENGTH} or not parseable gives ABSENT too (the caller generates an icid): a call is
     * never refused over its charging header.
     */
    public static ChargingVector parse(String value) {
        if (value == null || value.isBlank() || value.length() > MAX_HEADER_LENGTH) {
            return ABSENT;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String part : splitParams(value)) {
            int eq = part.indexOf('=');
            String name = (eq < 0 ? part : part.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String v = eq < 0 ? "" : unquote(part.substring(eq + 1).trim());
            if (!name.isEmpty()) {
                params.putIfAbsent(name, v);
            }
        }
        String icid = nonEmpty(params.get("icid-value"));
        if (icid == null || !usable(icid)) {
            return ABSENT;
        }
        String orig = nonEmpty(params.get("orig-ioi"));
        String term = nonEmpty(params.get("term-ioi"));
        return new ChargingVector(icid, orig != null && usable(orig) ? orig : null, term != null && usable(term) ? term : null);
    }

    /** What the CDR can hold: printable US-ASCII, at most 128 characters (ImsChargingInfo.MAX_IDENTIFIER_LENGTH). */
    private static boolean usable(String v) {
        if (v.length() > 128) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            if (v.charAt(i) < 0x20 || v.charAt(i) > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** A new globally unique icid for a request that arrived without one (RFC 7315 4.6: the first IMS entity makes it). */
    public static String newIcid() {
        UUID u = UUID.randomUUID();
        return "sipcharge-" + HexFormat.of().toHexDigits(u.getMostSignificantBits()) + HexFormat.of().toHexDigits(u.getLeastSignificantBits());
    }

    /** The header value to send onwards: the same icid and orig-ioi, so the callee's side charges the same session. */
    public static String headerValue(String icid, String generatedAt, String originatingIoi) {
        StringBuilder b = new StringBuilder("icid-value=").append(quoteIfNeeded(icid));
        if (generatedAt != null && !generatedAt.isEmpty()) {
            b.append(";icid-generated-at=").append(generatedAt);
        }
        if (originatingIoi != null && !originatingIoi.isEmpty()) {
            b.append(";orig-ioi=").append(quoteIfNeeded(originatingIoi));
        }
        return b.toString();
    }

    public String icid() { return icid; }
    public String originatingIoi() { return originatingIoi; }
    public String terminatingIoi() { return terminatingIoi; }

    /**
     * The lines of an SDP body (RFC 8866 5: lines end in CRLF, a lone LF is tolerated), or an empty list when the body is
     * absent, not {@code application/sdp}, or longer than {@link #MAX_SDP_LENGTH}.
     */
    public static List<String> sdpLines(byte[] body, String contentType) {
        if (body == null || body.length == 0 || body.length > MAX_SDP_LENGTH || contentType == null
                || !contentType.trim().toLowerCase(Locale.ROOT).startsWith("application/sdp")) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        for (String line : new String(body, StandardCharsets.ISO_8859_1).split("\r?\n")) {
            String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            if (!l.isEmpty()) {
                lines.add(l);
            }
        }
        return lines;
    }

    /** Splits at semicolons outside quoted strings. */
    private static List<String> splitParams(String value) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' && (i == 0 || value.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            }
            if (c == ';' && !quoted) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return v;
    }

    private static String quoteIfNeeded(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            // RFC 3261 25.1 token characters
            if (!(Character.isLetterOrDigit(c) && c < 0x80) && "-.!%*_+`'~".indexOf(c) < 0) {
                return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            }
        }
        return v;
    }

    private static String nonEmpty(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }
}
