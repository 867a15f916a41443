package org.sipcharge.cdr.ber;

import java.util.Objects;

/**
 * TS 32.298 5.2.1 InvolvedParty: an address of a party of the session, in one of the forms the spec
 * allows. sipcharge fills SIP URIs; TEL URIs come from the same SIP headers when the UA uses them.
 *
 * @param kind    which CHOICE alternative carries the address
 * @param address the address text (printable US-ASCII), e.g. {@code sip:alice@example.com}
 */
public record InvolvedParty(Kind kind, String address) {

    /** The CHOICE alternatives of InvolvedParty kept in the sipcharge module, with their context tags. */
    public enum Kind {
        /** [0] sIP-URI, RFC 3261. */
        SIP_URI,
        /** [1] tEL-URI, RFC 3966. */
        TEL_URI,
        /** [2] uRN, RFC 5031. */
        URN,
        /** [3] iSDN-E164, ITU-T E.164 digits. */
        ISDN_E164
    }

    public InvolvedParty {
        Objects.requireNonNull(kind, "kind");
        Fields.graphic(address, "address");
    }

    /** A party given by a {@code sip:} or {@code sips:} URI. */
    public static InvolvedParty sipUri(String uri) {
        return new InvolvedParty(Kind.SIP_URI, uri);
    }

    /** A party given by a {@code tel:} URI. */
    public static InvolvedParty telUri(String uri) {
        return new InvolvedParty(Kind.TEL_URI, uri);
    }

    /**
     * The party named by a URI as it appears in a SIP header: {@code tel:} URIs become {@link Kind#TEL_URI},
     * {@code urn:} URIs {@link Kind#URN}, everything else {@link Kind#SIP_URI}.
     */
    public static InvolvedParty fromUri(String uri) {
        Objects.requireNonNull(uri, "uri");
        if (uri.regionMatches(true, 0, "tel:", 0, 4)) {
            return new InvolvedParty(Kind.TEL_URI, uri);
        }
        if (uri.regionMatches(true, 0, "urn:", 0, 4)) {
            return new InvolvedParty(Kind.URN, uri);
        }
        return new InvolvedParty(Kind.SIP_URI, uri);
    }
}
