/**
 * Simulator of the billing system behind the billing connector (plain Java, no Jakarta EE): a TCP server that
 * speaks the billing link's line protocol, records each CDR durably before acknowledging it, and flags
 * duplicates and malformed requests. Run as {@code java -jar target/sipcharge-simulators-<version>.jar}.
 */
package org.sipcharge.simulators.billing;
