package org.sipcharge.cdr.ber;

/**
 * TS 32.298 5.2.3.1 CauseForRecordClosing of the IMS records. Not the generic CauseForRecClosing of 5.2.1,
 * whose numbers mean other things (there 4 is abnormalRelease, here 4 is serviceChange).
 */
public enum CauseForRecordClosing {
    SERVICE_DELIVERY_END_SUCCESSFULLY(0),
    UNSUCCESSFUL_SERVICE_DELIVERY(1),
    TIME_LIMIT(3),
    /** For example a change of media by re-INVITE: the record is a partial one. */
    SERVICE_CHANGE(4),
    MANAGEMENT_INTERVENTION(5);

    private final int code;

    CauseForRecordClosing(int code) {
        this.code = code;
    }

    /** The ENUMERATED value on the wire. */
    public int code() {
        return code;
    }

    static CauseForRecordClosing fromCode(long code) {
        for (CauseForRecordClosing c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        throw new CdrBerException("causeForRecordClosing has an unknown value " + code);
    }
}
