package org.sipcharge.charging.domain.model.accounting;

/**
 * The CDF's answer to one accounting request, as the Rf client acts on it.
 *
 * @param resultCode              Diameter Result-Code (2001 = success)
 * @param interimIntervalSeconds  Acct-Interim-Interval from the ACA, or -1 when absent
 */
public record AccountingAnswer(long resultCode, long interimIntervalSeconds) {

    public static final long SUCCESS = 2001;

    /** Not an answer from a CDF: the record was buffered durably and will be sent again (Result-Code 0 never occurs). */
    public static final AccountingAnswer BUFFERED = new AccountingAnswer(0, -1);

    public boolean success() {
        return resultCode == SUCCESS;
    }

    /**
     * Answers after which the same request may succeed if sent again, to the same or another CDF:
     * 3002 unable to deliver, 3004 too busy (RFC 6733 7.1.3), 4002 out of space (RFC 6733 9.8.. transient 4xxx).
     */
    public boolean retryable() {
        return resultCode == 3002 || resultCode == 3004 || (resultCode >= 4000 && resultCode < 5000);
    }
}
