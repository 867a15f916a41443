package org.sipcharge.charging.domain.model.accounting;

/** What the CDF did with an accounting request; every value means "durably recorded" and is answered 2001. */
public enum AccountingOutcome {
    /** New record, stored (and, for STOP or EVENT, a CDR committed). */
    RECORDED,
    /**
     * New record, stored, but its Accounting-Record-Number is not the session's last + 1 (RFC 6733 9.8.3): a record
     * before it is missing or late. Counted for operators; the CDR is still produced.
     */
    RECORDED_OUT_OF_SEQUENCE,
    /** Same Session-Id and Accounting-Record-Number seen before: nothing stored a second time. */
    DUPLICATE
}
