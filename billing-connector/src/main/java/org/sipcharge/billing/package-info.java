/**
 * The billing connector: takes every committed CDR off the JMS CDR queue and hands it to the billing system
 * over its TCP link, acknowledging the message only after the billing system has acknowledged the CDR.
 * {@code jms} holds the message-driven bean (the transaction boundary), {@code link} the TCP link and its wire
 * protocol, {@code status} the figures for the admin API. The contract for integrators is docs/billing-jms.md.
 */
package org.sipcharge.billing;
