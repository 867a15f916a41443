/**
 * Consumer of the CDR queue through the Artemis resource adapter. Each message is one container-managed XA
 * transaction: it commits (the message is consumed, and a dead-letter copy sent when the CDR is invalid or
 * refused) or rolls back for redelivery when the billing system cannot be reached.
 */
package org.sipcharge.billing.jms;
