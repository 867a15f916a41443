/** MicroProfile Health checks (readiness) and Metrics gauges of the node's parts, served by Payara at /health and /metrics. */
package org.sipcharge.admin.health;
