package org.sipcharge.status;

import jakarta.ejb.Local;

import java.util.List;

/** Figures of the billing connector of this node, for the admin API, health and metrics. */
@Local
public interface BillingConnectorStatus {

    Report report();

    /**
     * @param billingAddress   host:port of the legacy billing system (through its terminal server)
     * @param connected        this node's TCP link to it is open (only the coordinator's ever is)
     * @param delivered        CDRs acknowledged by the billing system (ACK) through this node since start
     * @param rejected         CDRs refused by the billing system (NAK) through this node since start
     * @param deadLettered     CDRs this node sent to the dead-letter queue since start (invalid, NAK)
     * @param consuming        the router's MDB is bound to the Artemis resource adapter and receiving
     * @param lastError        the last delivery or routing error, or null
     * @param coordinator      the coordinator election as this node sees it
     * @param systems          per billing system: its queue, what this node routed, and the queue's backlog
     */
    record Report(String billingAddress, boolean connected, long delivered, long rejected, long deadLettered,
                  boolean consuming, String lastError, Coordinator coordinator, List<BillingSystem> systems) {
    }

    /**
     * @param instance      this node's name in the election
     * @param participating false when this node takes no part (no legacy system, or disabled)
     * @param isCoordinator this node holds the legacy link now
     * @param epoch         this node's epoch while it coordinates, else 0
     * @param holder        the coordinator recorded in the database (null: vacant)
     * @param holderEpoch   its epoch: the fencing token every delivery carries
     * @param linkState     up / connecting / down: reason / idle (not coordinator)
     * @param fenced        FENCED answers this node got (it delivered under a stale epoch and rolled back)
     * @param elections     times this node became coordinator since start
     * @param resignations  times it gave the role up for difficulty since start
     * @param storeError    the last error reaching the coordinator record, or null
     * @param members       every instance's last heartbeat (database view)
     * @param cdrFiles      the TS 32.297 file export on this node: writing to ... / not writing / error: ...
     */
    record Coordinator(String instance, boolean participating, boolean isCoordinator, long epoch, String holder,
                       long holderEpoch, String linkState, long fenced, long elections, long resignations,
                       String storeError, List<Member> members, String cdrFiles) {
    }

    record Member(String instance, String role, long epoch, long millisSinceHeartbeat) {
    }

    /**
     * @param backlog CDRs waiting in the queue and deliverable now (held ones are not counted until their window
     *                opens); -1 when the broker could not be asked; capped at 100,000
     */
    record BillingSystem(String name, String queue, boolean legacyLink, long routed, long held, long filtered, long backlog) {
    }
}
