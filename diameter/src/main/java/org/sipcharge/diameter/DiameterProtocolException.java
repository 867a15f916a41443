package org.sipcharge.diameter;

/**
 * A Diameter error that is answered to the peer: the Result-Code to send and, where RFC 6733 7.5 asks for it, the
 * AVP to return in Failed-AVP. Unchecked, so that AVP readers can be used in stream and Optional chains.
 */
public class DiameterProtocolException extends RuntimeException {

    private final long resultCode;
    private final transient Avp failedAvp;

    public DiameterProtocolException(long resultCode, Avp failedAvp, String message) {
        super(message);
        this.resultCode = resultCode;
        this.failedAvp = failedAvp;
    }

    public long resultCode() {
        return resultCode;
    }

    /** The offending AVP (or an example of a missing one), or null. */
    public Avp failedAvp() {
        return failedAvp;
    }

    /** RFC 6733 7.1.5 DIAMETER_INVALID_AVP_VALUE (5004) naming the AVP. */
    public static DiameterProtocolException invalidAvpValue(Avp avp, String why) {
        return new DiameterProtocolException(DiameterConstants.RESULT_INVALID_AVP_VALUE, avp,
                "invalid value of AVP " + avp.code() + ": " + why);
    }

    /** RFC 6733 7.1.5 DIAMETER_INVALID_AVP_LENGTH (5014) naming the AVP. */
    public static DiameterProtocolException invalidAvpLength(Avp avp, String why) {
        return new DiameterProtocolException(DiameterConstants.RESULT_INVALID_AVP_LENGTH, avp,
                "invalid length of AVP " + avp.code() + ": " + why);
    }
}
