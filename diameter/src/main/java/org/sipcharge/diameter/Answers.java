package org.sipcharge.diameter;

import java.util.List;

/** Error answers (RFC 6733 7.1-7.5). */
public final class Answers {

    private Answers() {
    }

    /**
     * An answer carrying a Result-Code other than success: Session-Id echoed when the request had one, Origin-Host,
     * Origin-Realm, Error-Message, Failed-AVP when given, the E bit for protocol errors (3xxx). For accounting
     * answers the mandatory Accounting-Record-Type and -Number are echoed (RFC 6733 9.7.2).
     */
    public static DiameterMessage error(DiameterMessage request, long resultCode, Avp failedAvp, String errorMessage,
                                        String originHost, String originRealm) {
        DiameterMessage.Builder b = DiameterMessage.answerTo(request);
        request.avp(DiameterConstants.AVP_SESSION_ID).ifPresent(b::add);
        b.add(Avp.unsigned32(DiameterConstants.AVP_RESULT_CODE, 0, true, resultCode))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_HOST, 0, true, originHost))
                .add(Avp.utf8(DiameterConstants.AVP_ORIGIN_REALM, 0, true, originRealm));
        if (request.commandCode() == DiameterConstants.CMD_ACCOUNTING) {
            request.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_TYPE).ifPresent(b::add);
            request.avp(DiameterConstants.AVP_ACCOUNTING_RECORD_NUMBER).ifPresent(b::add);
            request.avp(DiameterConstants.AVP_ACCT_APPLICATION_ID).ifPresent(b::add);
        }
        if (errorMessage != null && !errorMessage.isEmpty()) {
            b.add(Avp.utf8(DiameterConstants.AVP_ERROR_MESSAGE, 0, false, errorMessage));
        }
        if (failedAvp != null) {
            b.add(Avp.grouped(DiameterConstants.AVP_FAILED_AVP, 0, true, List.of(failedAvp)));
        }
        if (DiameterConstants.isProtocolError(resultCode)) {
            b.flagError();
        }
        return b.build();
    }
}
