/** Adapters of the B2BUA: the replicated call store (Hazelcast inside Payara). */
package org.sipcharge.sip.b2bua.infrastructure;
