/**
 * The TCP link to the billing system: {@link org.sipcharge.billing.link.BillingWireProtocol} (the line format,
 * plain Java) and {@link org.sipcharge.billing.link.BillingLink} (one connection, one request at a time, its
 * counters). No transactions here: a CDR counts as delivered when the billing system answers {@code ACK};
 * the caller's JMS transaction decides what becomes of the message.
 */
package org.sipcharge.billing.link;
