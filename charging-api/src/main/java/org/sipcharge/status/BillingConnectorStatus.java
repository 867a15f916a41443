package org.sipcharge.status;

import jakarta.ejb.Local;

/** Figures of the billing connector of this node, for the admin API, health and metrics. */
@Local
public interface BillingConnectorStatus {

    Report report();

    /**
     * @param billingAddress   host:port of the billing system
     * @param connected        the TCP link to the billing system is open
     * @param delivered        CDRs acknowledged by the billing system (ACK) since start
     * @param rejected         CDRs refused by the billing system (NAK) since start
     * @param deadLettered     CDRs sent to the dead-letter queue since start
     * @param consuming        the MDB is bound to the Artemis resource adapter and receiving
     * @param lastError        the last delivery error, or null
     */
    record Report(String billingAddress, boolean connected, long delivered, long rejected, long deadLettered,
                  boolean consuming, String lastError) {
    }
}
