/**
 * Coordinator election among the billing-connector instances, with fencing: a lease in the database renewed by
 * the coordinator's heartbeat ({@link org.sipcharge.billing.coordinator.CoordinatorElection}, plain Java, over a
 * {@link org.sipcharge.billing.coordinator.LeaseStore}), and the coordinator's delivery loop from the legacy
 * billing system's queue to the link. Each CDR moved is one bean-managed XA transaction
 * ({@link org.sipcharge.billing.coordinator.LegacyBillingForwarder}), consumed only after the billing system's ACK.
 */
package org.sipcharge.billing.coordinator;
