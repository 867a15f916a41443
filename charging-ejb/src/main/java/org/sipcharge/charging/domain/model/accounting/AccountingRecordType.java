package org.sipcharge.charging.domain.model.accounting;

/** Accounting-Record-Type values, RFC 6733 section 9.8.1. */
public enum AccountingRecordType {
    EVENT(1), START(2), INTERIM(3), STOP(4);

    private final int code;

    AccountingRecordType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @throws IllegalArgumentException for a value RFC 6733 does not define */
    public static AccountingRecordType of(long code) {
        for (AccountingRecordType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new IllegalArgumentException("Accounting-Record-Type " + code + " is not 1..4 (RFC 6733 9.8.1)");
    }
}
