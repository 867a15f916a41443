/**
 * Routing of each committed CDR from the inbound queue {@code sipcharge.cdr} to the queue of every billing system
 * that is to receive it ({@code sipcharge.billing.<system>}), as the charging filtering function decides: at once,
 * delayed until a time window opens (a scheduled JMS delivery), or not at all. The message-driven bean's
 * container-managed XA transaction is the unit of work: the inbound message is consumed exactly when all its
 * copies are sent.
 */
package org.sipcharge.billing.routing;
