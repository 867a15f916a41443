/**
 * Implementation of {@link org.sipcharge.status.BillingConnectorStatus} for the admin API, health and metrics:
 * reads the billing link's counters, starts no transaction.
 */
package org.sipcharge.billing.status;
