package org.sipcharge.diameter;

/**
 * Checks of a received message against its command's ABNF that a caller names itself. {@link DictionaryValidator}
 * does the full dictionary-driven check (application, command, every AVP, required AVPs).
 */
public final class MessageValidator {

    private MessageValidator() {
    }

    /**
     * Every listed base AVP (vendor 0) is present exactly once as it must be.
     *
     * @throws DiameterProtocolException 5005 DIAMETER_MISSING_AVP for the first one missing; RFC 6733 7.5 asks the
     *         Failed-AVP to hold an example of it: its code, and a zero-filled payload of the minimum length
     */
    public static void requireAvps(DiameterMessage message, int... codes) {
        for (int code : codes) {
            if (message.avp(code).isEmpty()) {
                throw new DiameterProtocolException(DiameterConstants.RESULT_MISSING_AVP,
                        Avp.of(code, 0, true, new byte[minimumLength(code)]), "missing mandatory AVP " + code);
            }
        }
    }

    /**
     * Smallest data length of a base AVP by its type in the {@link DiameterDictionary#standard() dictionary}
     * (Unsigned32, Enumerated, Time: 4; strings and unknown AVPs: 0).
     */
    private static int minimumLength(int code) {
        DiameterDictionary.AvpDefinition d = DiameterDictionary.standard().avp(code, 0);
        return d == null ? 0 : d.type().minimumLength();
    }
}
