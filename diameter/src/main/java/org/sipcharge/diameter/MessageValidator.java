package org.sipcharge.diameter;

/** Checks of a received message against its command's ABNF that do not need a full dictionary. */
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

    /** Smallest data length of an AVP, by its type in RFC 6733 4.5 (Unsigned32 types: 4; strings: 0). */
    private static int minimumLength(int code) {
        return switch (code) {
            case DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE, DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER,
                 DiameterConstants.AVP_ACCT_APPLICATION_ID, DiameterConstants.AVP_RESULT_CODE,
                 DiameterConstants.AVP_ORIGIN_STATE_ID, DiameterConstants.AVP_VENDOR_ID,
                 DiameterConstants.AVP_ACCT_INTERIM_INTERVAL, DiameterConstants.AVP_EVENT_TIMESTAMP -> 4;
            default -> 0;
        };
    }
}
