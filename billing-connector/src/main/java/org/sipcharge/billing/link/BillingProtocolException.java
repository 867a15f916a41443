package org.sipcharge.billing.link;

import java.io.IOException;

/**
 * The billing system answered something the billing link's protocol does not allow (wrong id, unknown verb,
 * {@code ERR}, an over-long line). Treated like an I/O error: the connection is closed and the CDR retried.
 */
public class BillingProtocolException extends IOException {

    private static final long serialVersionUID = 1L;

    public BillingProtocolException(String message) {
        super(message);
    }
}
