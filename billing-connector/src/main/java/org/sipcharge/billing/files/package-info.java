/**
 * TS 32.297 CDR files (the Bx interface) fed from one billing system's queue: only the coordinator writes them,
 * one CDR per bean-managed XA transaction that commits after the CDR is forced to disk; a redelivered CDR (its
 * commit lost in a crash) is recognised by its node and local record sequence number and not written twice.
 */
package org.sipcharge.billing.files;
