/**
 * The charging filtering function: per-subscriber rules (by IMSI, MSISDN or SIP URI; exact, prefix or wildcard)
 * that decide whether, and when, the CDRs of a user go to each billing system (docs/charging-filter.md). The
 * domain ({@link org.sipcharge.billing.cff.FilterRule}, {@link org.sipcharge.billing.cff.ChargingFilter}) is plain
 * Java; {@link org.sipcharge.billing.cff.ChargingFilterService} stores rules with JPA (each administration call is
 * its own transaction) and answers the router's questions from a snapshot.
 */
package org.sipcharge.billing.cff;
