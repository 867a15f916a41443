/**
 * The admin-facing web module: a read-only REST status API ({@code /sipcharge/api/status}), MicroProfile Health
 * checks (Payara's {@code /health}) and MicroProfile Metrics gauges (Payara's {@code /metrics}).
 * It only reads figures from the EJB modules; it starts no unit of work of its own.
 */
package org.sipcharge.admin;
