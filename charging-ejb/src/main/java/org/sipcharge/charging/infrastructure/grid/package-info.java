/**
 * The replicated store of the Rf client's accounting sessions and interim timers: Hazelcast inside Payara, or this
 * JVM alone when there is no grid. No transaction boundary here: every change is a single compare-and-set on one key.
 */
package org.sipcharge.charging.infrastructure.grid;
