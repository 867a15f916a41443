/**
 * Simulator of the terminal server that fronts the legacy billing system's serial line: one TCP connection at a
 * time, relayed to the billing-system simulator. Outside the product; used by the coordinator failover tests.
 */
package org.sipcharge.simulators.terminal;
