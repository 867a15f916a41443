package org.sipcharge.charging.domain.model.accounting;

/** What the CDF did with an accounting request; every value means "durably recorded" and is answered 2001. */
public enum AccountingOutcome {
    /** New record, stored (and, for STOP or EVENT, a CDR committed). */
    RECORDED,
    /** Same Session-Id and Accounting-Record-Number seen before: nothing stored a second time. */
    DUPLICATE
}
