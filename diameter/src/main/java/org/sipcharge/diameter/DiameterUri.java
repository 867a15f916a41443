package org.sipcharge.diameter;

import java.util.Locale;
import java.util.Objects;

/**
 * A DiameterURI (RFC 6733 4.3.1): {@code "aaa://" FQDN [port] [transport] [protocol]} without transport security,
 * {@code "aaas://" ...} with it, where {@code port = ":" 1*DIGIT}, {@code transport = ";transport=" (tcp / sctp /
 * udp)} and {@code protocol = ";protocol=" (diameter / radius / tacacs+)}. ABNF literals are case-insensitive
 * (RFC 5234 2.3); parsed values are kept in lower case. RFC 6733 4.3.1 forbids UDP when the protocol is Diameter
 * (given or by default).
 *
 * @param secure    {@code aaas://}
 * @param fqdn      the host, a valid {@link DiameterIdentity}
 * @param port      the port given, or -1 when absent
 * @param transport "tcp", "sctp", "udp", or null when absent
 * @param protocol  "diameter", "radius", "tacacs+", or null when absent
 */
public record DiameterUri(boolean secure, String fqdn, int port, String transport, String protocol) {

    /** RFC 6733 4.3.1 / IANA: the Diameter port without transport security. */
    public static final int DEFAULT_PORT = 3868;
    /** RFC 6733 4.3.1 / IANA: the Diameter port with transport security (TLS/TCP, DTLS/SCTP). */
    public static final int DEFAULT_SECURE_PORT = 5658;

    private static final String AAA = "aaa://";
    private static final String AAAS = "aaas://";

    public DiameterUri {
        DiameterIdentity.requireValid(fqdn);
        if (port < -1 || port > DiameterConstants.MAX_PORT) {
            throw new IllegalArgumentException("DiameterURI port out of range: " + port);
        }
        if (transport != null) {
            transport = transport.toLowerCase(Locale.ROOT);
            if (!transport.equals("tcp") && !transport.equals("sctp") && !transport.equals("udp")) {
                throw new IllegalArgumentException("DiameterURI transport must be tcp, sctp or udp: " + transport);
            }
        }
        if (protocol != null) {
            protocol = protocol.toLowerCase(Locale.ROOT);
            if (!protocol.equals("diameter") && !protocol.equals("radius") && !protocol.equals("tacacs+")) {
                throw new IllegalArgumentException("DiameterURI protocol must be diameter, radius or tacacs+: " + protocol);
            }
        }
        if ("udp".equals(transport) && (protocol == null || protocol.equals("diameter"))) {
            throw new IllegalArgumentException("RFC 6733 4.3.1: UDP must not be used with the Diameter protocol");
        }
    }

    /** {@code aaa://fqdn} (or {@code aaas://}) with every optional part absent. */
    public static DiameterUri of(boolean secure, String fqdn) {
        return new DiameterUri(secure, fqdn, -1, null, null);
    }

    /**
     * Parses the text form.
     *
     * @throws IllegalArgumentException when it is not a DiameterURI
     */
    public static DiameterUri parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.length() > DiameterConstants.MAX_AVP_LENGTH) {
            throw new IllegalArgumentException("DiameterURI of " + text.length() + " chars");
        }
        boolean secure;
        int i;
        if (text.regionMatches(true, 0, AAAS, 0, AAAS.length())) {
            secure = true;
            i = AAAS.length();
        } else if (text.regionMatches(true, 0, AAA, 0, AAA.length())) {
            secure = false;
            i = AAA.length();
        } else {
            throw new IllegalArgumentException("DiameterURI must start with aaa:// or aaas://: "
                    + DiameterIdentity.abbreviate(text));
        }
        int hostEnd = i;
        while (hostEnd < text.length() && text.charAt(hostEnd) != ':' && text.charAt(hostEnd) != ';') {
            hostEnd++;
        }
        String fqdn = text.substring(i, hostEnd);
        int port = -1;
        i = hostEnd;
        if (i < text.length() && text.charAt(i) == ':') {
            int digitsEnd = ++i;
            while (digitsEnd < text.length() && text.charAt(digitsEnd) >= '0' && text.charAt(digitsEnd) <= '9') {
                digitsEnd++;
            }
            if (digitsEnd == i || digitsEnd - i > 5) {
                throw new IllegalArgumentException("DiameterURI port must be 1 to 5 digits: " + DiameterIdentity.abbreviate(text));
            }
            port = Integer.parseInt(text, i, digitsEnd, 10);
            i = digitsEnd;
        }
        String transport = null;
        String protocol = null;
        // RFC 6733 4.3.1 gives transport before protocol, each at most once.
        if (text.regionMatches(true, i, ";transport=", 0, 11)) {
            i += 11;
            int end = paramEnd(text, i);
            transport = text.substring(i, end);
            i = end;
        }
        if (text.regionMatches(true, i, ";protocol=", 0, 10)) {
            i += 10;
            int end = paramEnd(text, i);
            protocol = text.substring(i, end);
            i = end;
        }
        if (i != text.length()) {
            throw new IllegalArgumentException("unexpected text in DiameterURI at offset " + i + ": "
                    + DiameterIdentity.abbreviate(text));
        }
        return new DiameterUri(secure, fqdn, port, transport, protocol);
    }

    /** Whether {@code text} parses as a DiameterURI. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int paramEnd(String text, int from) {
        int end = text.indexOf(';', from);
        return end < 0 ? text.length() : end;
    }

    /** The port given, else 3868 for aaa:// and 5658 for aaas:// (RFC 6733 4.3.1). */
    public int effectivePort() {
        return port >= 0 ? port : secure ? DEFAULT_SECURE_PORT : DEFAULT_PORT;
    }

    /** The transport given, else TCP (RFC 6733 4.3.1). */
    public String effectiveTransport() {
        return transport != null ? transport : "tcp";
    }

    /** The protocol given, else Diameter (RFC 6733 4.3.1). */
    public String effectiveProtocol() {
        return protocol != null ? protocol : "diameter";
    }

    /** The text form, as it goes on the wire. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(secure ? AAAS : AAA).append(fqdn);
        if (port >= 0) {
            s.append(':').append(port);
        }
        if (transport != null) {
            s.append(";transport=").append(transport);
        }
        if (protocol != null) {
            s.append(";protocol=").append(protocol);
        }
        return s.toString();
    }
}
