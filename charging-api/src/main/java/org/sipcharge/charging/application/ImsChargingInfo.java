package org.sipcharge.charging.application;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What the SIP tier learned about a session for IMS charging, beyond who called whom: the IMS charging identifier and
 * the inter-operator identifiers of the P-Charging-Vector (RFC 7315 4.6; TS 24.229 7.2A.5), and the media lines of the
 * negotiated SDP. They travel in the ACR's IMS-Information (TS 32.299 7.2: IMS-Charging-Identifier,
 * Inter-Operator-Identifier, SDP-Media-Component) and end in the AS record's fields [14], [19] and [21] (TS 32.298).
 *
 * <p>All values are printable US-ASCII (what the CDR's GraphicString fields can hold) and bounded, so that a peer's
 * header cannot inflate the replicated call state or the CDR; {@link #of} drops what does not fit rather than failing
 * the call, because a call must not be refused over a charging header.
 *
 * @param icid           icid-value, or null
 * @param originatingIoi orig-ioi, or null
 * @param terminatingIoi term-ioi, or null
 * @param sdpMedia       the SDP's media-level lines, from the first {@code m=} line on ({@code m=}, {@code c=},
 *                       {@code b=}, {@code a=} ...), one per list element without line ends; empty when there was no SDP.
 *                       Each {@code m=} line starts a media component; the lines after it are its descriptions as the
 *                       CTF gave them (TS 32.299 SDP-Media-Description: the content of an i=, c=, b=, k= or a= line)
 */
public record ImsChargingInfo(String icid, String originatingIoi, String terminatingIoi, List<String> sdpMedia)
        implements Serializable {

    /** Longest icid or IOI kept. RFC 7315 sets no limit; real ones are a few dozen characters. */
    public static final int MAX_IDENTIFIER_LENGTH = 128;
    /** Most SDP characters kept (all lines together): bounds the replicated state and the record. */
    public static final int MAX_SDP_CHARACTERS = 1024;
    /** Most SDP lines kept. */
    public static final int MAX_SDP_LINES = 32;

    public static final ImsChargingInfo NONE = new ImsChargingInfo(null, null, null, List.of());

    public ImsChargingInfo {
        icid = identifier(icid, "icid");
        originatingIoi = identifier(originatingIoi, "originatingIoi");
        terminatingIoi = identifier(terminatingIoi, "terminatingIoi");
        sdpMedia = sdpMedia == null ? List.of() : List.copyOf(sdpMedia);
        int chars = 0;
        for (String line : sdpMedia) {
            if (line.isEmpty() || !printable(line)) {
                throw new IllegalArgumentException("SDP line is empty or not printable ASCII: " + line);
            }
            chars += line.length();
        }
        if (chars > MAX_SDP_CHARACTERS || sdpMedia.size() > MAX_SDP_LINES) {
            throw new IllegalArgumentException("SDP of " + sdpMedia.size() + " lines / " + chars + " characters exceeds "
                    + MAX_SDP_LINES + " / " + MAX_SDP_CHARACTERS);
        }
        if (!sdpMedia.isEmpty() && !sdpMedia.get(0).startsWith("m=")) {
            throw new IllegalArgumentException("SDP media lines must begin with an m= line: " + sdpMedia.get(0));
        }
    }

    /**
     * Lenient construction from what a peer sent: identifiers that are too long or not printable are dropped, SDP lines
     * are kept from the first {@code m=} line on while they fit (non-printable lines skipped).
     */
    public static ImsChargingInfo of(String icid, String originatingIoi, String terminatingIoi, List<String> sdpLines) {
        List<String> media = new ArrayList<>();
        int chars = 0;
        if (sdpLines != null) {
            for (String line : sdpLines) {
                if (line == null || line.isEmpty() || !printable(line)) {
                    continue;
                }
                if (media.isEmpty() && !line.startsWith("m=")) {
                    continue; // session-level lines (v=, o=, s=, t=, session c=) are not media components
                }
                if (media.size() == MAX_SDP_LINES || chars + line.length() > MAX_SDP_CHARACTERS) {
                    break;
                }
                media.add(line);
                chars += line.length();
            }
        }
        return new ImsChargingInfo(lenient(icid), lenient(originatingIoi), lenient(terminatingIoi), media);
    }

    /** The same with a terminating IOI (learned from the callee's answer) when this one has none. */
    public ImsChargingInfo withTerminatingIoi(String ioi) {
        String t = lenient(ioi);
        return t == null || terminatingIoi != null ? this : new ImsChargingInfo(icid, originatingIoi, t, sdpMedia);
    }

    /** The same with these SDP media lines (the negotiated ones, kept as in {@link #of}); unchanged when they hold none. */
    public ImsChargingInfo withSdp(List<String> sdpLines) {
        List<String> media = of(null, null, null, sdpLines).sdpMedia();
        return media.isEmpty() ? this : new ImsChargingInfo(icid, originatingIoi, terminatingIoi, media);
    }

    public boolean isEmpty() {
        return icid == null && originatingIoi == null && terminatingIoi == null && sdpMedia.isEmpty();
    }

    /**
     * The media lines grouped per media component: each group starts with its {@code m=} line (TS 32.299
     * SDP-Media-Component: SDP-Media-Name and its SDP-Media-Descriptions).
     */
    public List<List<String>> mediaComponents() {
        List<List<String>> components = new ArrayList<>();
        for (String line : sdpMedia) {
            if (line.startsWith("m=")) {
                components.add(new ArrayList<>());
            }
            components.get(components.size() - 1).add(line);
        }
        return components.stream().map(List::copyOf).toList();
    }

    private static String identifier(String value, String name) {
        if (value == null) {
            return null;
        }
        if (value.isEmpty() || value.length() > MAX_IDENTIFIER_LENGTH || !printable(value)) {
            throw new IllegalArgumentException(name + " must be 1.." + MAX_IDENTIFIER_LENGTH + " printable ASCII characters: " + value);
        }
        return value;
    }

    private static String lenient(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        return v.isEmpty() || v.length() > MAX_IDENTIFIER_LENGTH || !printable(v) ? null : v;
    }

    /** Printable US-ASCII (0x20..0x7E), what TS 32.298's GraphicString fields of this record admit. */
    static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
