package org.sipcharge.cdr.ber;

/** TS 32.298 5.2.1 SubscriptionIDType (the Subscription-Id-Type AVP values of RFC 4006). */
public enum SubscriptionIdType {
    END_USER_E164(0),
    END_USER_IMSI(1),
    END_USER_SIP_URI(2),
    END_USER_NAI(3),
    END_USER_PRIVATE(4);

    private final int code;

    SubscriptionIdType(int code) {
        this.code = code;
    }

    /** The ENUMERATED value on the wire. */
    public int code() {
        return code;
    }

    static SubscriptionIdType fromCode(long code) {
        for (SubscriptionIdType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new CdrBerException("subscriptionIDType has an unknown value " + code);
    }
}
