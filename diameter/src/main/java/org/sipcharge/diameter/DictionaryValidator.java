package org.sipcharge.diameter;

import org.sipcharge.diameter.DiameterDictionary.AvpDefinition;
import org.sipcharge.diameter.DiameterDictionary.CommandDefinition;
import org.sipcharge.diameter.DiameterDictionary.DataType;
import org.sipcharge.diameter.DiameterDictionary.FlagRule;
import org.sipcharge.diameter.DiameterDictionary.Member;
import org.sipcharge.diameter.DiameterDictionary.Membership;

import java.util.List;
import java.util.Objects;

/**
 * Checks a received message against a {@link DiameterDictionary} and throws the {@link DiameterProtocolException}
 * to answer with (RFC 6733 7). In this order:
 * <ol>
 *   <li>the Application Id is known, else 3007 DIAMETER_APPLICATION_UNSUPPORTED (RFC 6733 7.1.3, no Failed-AVP);</li>
 *   <li>the command is known for that application, else 3001 DIAMETER_COMMAND_UNSUPPORTED;</li>
 *   <li>each AVP, depth first in message order, stopping at the first error:
 *     <ul>
 *       <li>reserved AVP flag bits set, the V bit on an IETF (Vendor-Id 0) AVP, or the M bit on an AVP whose rule is
 *           MUST NOT: 3009 DIAMETER_INVALID_AVP_BITS (RFC 6733 4.1, 7.1.3);</li>
 *       <li>an AVP with the M bit that the dictionary does not know, or that a Grouped AVP with
 *           {@link Membership#CLOSED} membership does not list: 5001 DIAMETER_AVP_UNSUPPORTED (RFC 6733 4.1,
 *           7.1.5); without the M bit such an AVP is ignored (RFC 6733 4.1);</li>
 *       <li>a data length wrong for the type (Integer32/64, Unsigned32/64, Float32/64, Enumerated, Time, Address):
 *           5014 DIAMETER_INVALID_AVP_LENGTH; a Grouped member that overruns its parent: 5014 naming the member;</li>
 *       <li>a value wrong for its type (invalid UTF-8 in a UTF8String, a DiameterIdentity that is not an ASCII FQDN,
 *           a DiameterURI that does not parse, an Enumerated value outside a closed set): 5004
 *           DIAMETER_INVALID_AVP_VALUE;</li>
 *       <li>a required member of a Grouped AVP missing: 5005 DIAMETER_MISSING_AVP;</li>
 *     </ul></li>
 *   <li>the AVPs the command's ABNF requires (an answer with the E bit: those of RFC 6733 7.2): 5005
 *       DIAMETER_MISSING_AVP with an example of the first one missing.</li>
 * </ol>
 * Failed-AVP (RFC 6733 7.5) is {@link DiameterProtocolException#failedAvp()}: the offending AVP as received (for a
 * member of a Grouped AVP, the member itself), or for 5005 a zero-filled example of the missing one. The contents
 * of a received Failed-AVP are not checked: they are someone else's offending AVPs.
 *
 * <p>Stateless and thread-safe; allocates nothing on a valid message beyond decoding Grouped members (kept by the
 * AVP for later reads).
 */
public final class DictionaryValidator {

    private final DiameterDictionary dictionary;

    private DictionaryValidator(DiameterDictionary dictionary) {
        this.dictionary = Objects.requireNonNull(dictionary, "dictionary");
    }

    /** A validator of {@code dictionary}. */
    public static DictionaryValidator of(DiameterDictionary dictionary) {
        return new DictionaryValidator(dictionary);
    }

    /** The validator of {@link DiameterDictionary#standard()}. */
    public static DictionaryValidator standard() {
        return Standard.INSTANCE;
    }

    /** {@link #check(DiameterMessage)} with the standard dictionary. */
    public static void validate(DiameterMessage message) {
        standard().check(message);
    }

    /** {@link #check(DiameterMessage, int, boolean)} with the standard dictionary. */
    public static void validate(DiameterMessage message, int commandCode, boolean request) {
        standard().check(message, commandCode, request);
    }

    public DiameterDictionary dictionary() {
        return dictionary;
    }

    /** Checks the message as the command and direction its header gives. */
    public void check(DiameterMessage message) {
        check(message, message.commandCode(), message.isRequest());
    }

    /**
     * Checks the message as {@code commandCode} of its application, a request or an answer.
     *
     * @throws DiameterProtocolException the first error, with the Result-Code and Failed-AVP to answer with
     */
    public void check(DiameterMessage message, int commandCode, boolean request) {
        long application = message.applicationId();
        if (!dictionary.supportsApplication(application)) {
            throw new DiameterProtocolException(DiameterConstants.RESULT_APPLICATION_UNSUPPORTED, null,
                    "application " + application + " is not supported");
        }
        CommandDefinition command = dictionary.command(commandCode, application);
        if (command == null) {
            throw new DiameterProtocolException(DiameterConstants.RESULT_COMMAND_UNSUPPORTED, null,
                    "command " + commandCode + " is not supported in application " + application);
        }
        List<Avp> avps = message.avps();
        checkAvps(avps, null);
        List<Member> required = request ? command.requestRequired()
                : message.isError() ? DiameterDictionary.ERROR_ANSWER_REQUIRED : command.answerRequired();
        for (int i = 0, n = required.size(); i < n; i++) {
            Member m = required.get(i);
            if (!contains(avps, m.code(), m.vendorId())
                    && !(!request && m.code() == DiameterConstants.AVP_RESULT_CODE && m.vendorId() == 0
                    && contains(avps, DiameterConstants.AVP_EXPERIMENTAL_RESULT, 0))) {
                throw missing(m, command.name() + (request ? " request" : " answer"));
            }
        }
    }

    /** Checks AVPs only (flags, known, values, Grouped members), not the command's required AVPs. */
    public void checkAvps(List<Avp> avps) {
        checkAvps(avps, null);
    }

    /** Checks one top-level AVP and, if Grouped, its members. */
    public void checkAvp(Avp avp) {
        checkAvp(avp, null);
    }

    private void checkAvps(List<Avp> avps, AvpDefinition parent) {
        for (int i = 0, n = avps.size(); i < n; i++) {
            checkAvp(avps.get(i), parent);
        }
    }

    private void checkAvp(Avp a, AvpDefinition parent) {
        int flags = a.flags();
        if ((flags & DiameterConstants.AVP_FLAGS_RESERVED) != 0) {
            throw invalidBits(a, "reserved AVP flag bits set: 0x" + Integer.toHexString(flags));
        }
        AvpDefinition def = dictionary.avp(a);
        if (def == null || parent != null && parent.membership() == Membership.CLOSED && !parent.hasMember(a.code(), a.vendorId())) {
            if (a.isMandatory()) {
                throw new DiameterProtocolException(DiameterConstants.RESULT_AVP_UNSUPPORTED, a, def == null
                        ? "unknown AVP " + a.code() + (a.vendorId() != 0 ? " of vendor " + a.vendorId() : "") + " with the M bit"
                        + (parent != null ? " in " + DiameterDictionary.describe(parent) : "")
                        : DiameterDictionary.describe(def) + " with the M bit is not a member of " + DiameterDictionary.describe(parent));
            }
            return; // RFC 6733 4.1: an AVP without the M bit that is not understood is ignored
        }
        if (a.isVendorSpecific() && def.vendorId() == 0) {
            throw invalidBits(a, "V bit set on " + DiameterDictionary.describe(def) + ", an IETF AVP with Vendor-Id 0");
        }
        if (a.isMandatory() && def.mandatoryBit() == FlagRule.MUST_NOT) {
            throw invalidBits(a, "M bit set on " + DiameterDictionary.describe(def) + ", whose M bit must not be set");
        }
        checkValue(a, def);
    }

    private void checkValue(Avp a, AvpDefinition def) {
        DataType type = def.type();
        int fixed = type.fixedLength();
        if (fixed >= 0 && a.dataLength() != fixed) {
            throw DiameterProtocolException.invalidAvpLength(a, DiameterDictionary.describe(def) + " is " + type
                    + ", " + fixed + " data bytes, got " + a.dataLength());
        }
        switch (type) {
            case UTF8_STRING -> {
                if (!Bytes.isValidUtf8(a.rawArray(), a.rawOffset(), a.dataLength())) {
                    throw DiameterProtocolException.invalidAvpValue(a, DiameterDictionary.describe(def) + " is not valid UTF-8");
                }
            }
            case DIAMETER_IDENTITY -> {
                if (!DiameterIdentity.isValid(a.rawArray(), a.rawOffset(), a.dataLength())) {
                    throw DiameterProtocolException.invalidAvpValue(a, DiameterDictionary.describe(def)
                            + " is not a DiameterIdentity (RFC 6733 4.3.1: ASCII FQDN)");
                }
            }
            case DIAMETER_URI -> a.asDiameterUri();
            case ENUMERATED -> {
                if (def.enumValues() != null && !def.enumValues().contains(a.asInteger32())) {
                    throw DiameterProtocolException.invalidAvpValue(a, DiameterDictionary.describe(def)
                            + " has no value " + a.asInteger32());
                }
            }
            case ADDRESS -> checkAddress(a, def);
            case GROUPED -> checkGrouped(a, def);
            default -> {
                // OctetString: any octets; fixed-length types: any bit pattern once the length is right
            }
        }
    }

    private static void checkAddress(Avp a, AvpDefinition def) {
        int n = a.dataLength();
        if (n < DiameterConstants.ADDRESS_FAMILY_LENGTH) {
            throw DiameterProtocolException.invalidAvpLength(a, DiameterDictionary.describe(def) + " of " + n
                    + " bytes has no address family");
        }
        int family = a.addressFamily();
        if (family == DiameterConstants.ADDRESS_FAMILY_IPV4 && n != DiameterConstants.ADDRESS_IPV4_LENGTH
                || family == DiameterConstants.ADDRESS_FAMILY_IPV6 && n != DiameterConstants.ADDRESS_IPV6_LENGTH) {
            throw DiameterProtocolException.invalidAvpLength(a, DiameterDictionary.describe(def) + " of family " + family
                    + " with " + n + " bytes");
        }
        // other IANA address families (RFC 6733 4.3.1 allows them) are accepted as they are
    }

    private void checkGrouped(Avp a, AvpDefinition def) {
        if (def.membership() == Membership.OPAQUE) {
            return;
        }
        List<Avp> members = a.groupedAvps();
        checkAvps(members, def);
        List<Member> listed = def.members();
        for (int i = 0, n = listed.size(); i < n; i++) {
            Member m = listed.get(i);
            if (m.required() && !contains(members, m.code(), m.vendorId())) {
                throw missing(m, DiameterDictionary.describe(def));
            }
        }
    }

    private DiameterProtocolException missing(Member m, String where) {
        AvpDefinition d = dictionary.avp(m.code(), m.vendorId());
        return new DiameterProtocolException(DiameterConstants.RESULT_MISSING_AVP, d.example(),
                "missing " + DiameterDictionary.describe(d) + " in " + where);
    }

    private static DiameterProtocolException invalidBits(Avp a, String why) {
        return new DiameterProtocolException(DiameterConstants.RESULT_INVALID_AVP_BITS, a, why);
    }

    private static boolean contains(List<Avp> avps, int code, long vendorId) {
        for (int i = 0, n = avps.size(); i < n; i++) {
            Avp a = avps.get(i);
            if (a.code() == code && a.vendorId() == vendorId) {
                return true;
            }
        }
        return false;
    }

    private static final class Standard {
        static final DictionaryValidator INSTANCE = new DictionaryValidator(DiameterDictionary.standard());
    }
}
