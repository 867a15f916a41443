/**
 * The charging filtering function's administration contract between the billing connector (which implements it)
 * and the admin REST API (which calls it): plain values in, plain values out, and exceptions that carry the HTTP
 * meaning (bad rule, unknown rule, stale version). The service is the boundary of the unit of work.
 */
package org.sipcharge.cff;
