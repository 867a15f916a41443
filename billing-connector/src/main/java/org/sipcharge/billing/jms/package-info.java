/**
 * What the billing connector's JMS consumers share about CDR messages: the poison checks, reading bodies, and
 * copies sent to other queues (billing systems' queues, the dead-letter queue) inside the caller's transaction.
 */
package org.sipcharge.billing.jms;
