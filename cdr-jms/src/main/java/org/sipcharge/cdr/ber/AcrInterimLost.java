package org.sipcharge.cdr.ber;

/** TS 32.298 5.2.3.1 ACRInterimLost: whether an ACR [Interim] of the session is known to be missing. */
public enum AcrInterimLost {
    NO(0),
    YES(1),
    UNKNOWN(2);

    private final int code;

    AcrInterimLost(int code) {
        this.code = code;
    }

    /** The ENUMERATED value on the wire. */
    public int code() {
        return code;
    }

    static AcrInterimLost fromCode(long code) {
        for (AcrInterimLost a : values()) {
            if (a.code == code) {
                return a;
            }
        }
        throw new CdrBerException("aCRInterimLost has an unknown value " + code);
    }
}
